"""The one authorization layer: `can(user, action, obj)`.

Pages, the API and Socket.IO events all ask `can`; each action has exactly one rule,
registered with `@rule("action")`. Domains register their own actions in their
`permissions.py`, imported by the factory, so a rule is found by its action name.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort

_rules: dict[str, Callable] = {}


def rule(action: str):
    def register(check: Callable) -> Callable:
        if action in _rules:
            raise RuntimeError(f"two rules for {action!r}")
        _rules[action] = check
        return check

    return register


def can(user, action: str, obj=None) -> bool:
    """True when `user` may do `action` (on `obj`). Unknown actions are a programming error."""
    check = _rules[action]
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(check(user, obj))


def require(user, action: str, obj=None) -> None:
    """Abort with 403 unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        abort(403)


def registered_actions() -> list[str]:
    return sorted(_rules)

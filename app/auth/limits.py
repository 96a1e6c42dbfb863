"""The sign-in rate limits, shared by every way of signing in (login page, API token).

One allowance per address and one per account, counted together across the entry points,
so an attacker gains nothing by alternating between them. Only failed attempts count.
"""

from collections.abc import Callable

from flask import current_app

from app.extensions import limiter


def _per_address() -> str:
    return current_app.config["KEXU_LOGIN_LIMIT_PER_ADDRESS"]


def _per_account() -> str:
    return current_app.config["KEXU_LOGIN_LIMIT_PER_ACCOUNT"]


def limit_sign_in_attempts(username_of_request: Callable[[], str], failed: Callable) -> Callable:
    """Decorate a sign-in view; `failed(response)` says whether the attempt counts."""

    def account_key() -> str:
        return (username_of_request() or "").strip().lower()

    def decorate(view):
        view = limiter.shared_limit(
            _per_account, scope="sign-in-account", key_func=account_key, deduct_when=failed, methods=["POST"]
        )(view)
        return limiter.shared_limit(_per_address, scope="sign-in-address", deduct_when=failed, methods=["POST"])(view)

    return decorate

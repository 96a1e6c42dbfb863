"""Account rules: signing in, passwords, disabling accounts, API tokens.

Each function flushes and writes the audit log; the caller's boundary commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import ApiToken, User
from app.core import audit
from app.core.models import utcnow
from app.extensions import db

MIN_PASSWORD_LENGTH = 8
LAST_USED_PRECISION = timedelta(minutes=1)


class AccountError(ValueError):
    """A rule about accounts was broken; the message is translated and shown to the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def find_user(username: str) -> User | None:
    username = (username or "").strip()
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def authenticate(username: str, password: str) -> User | None:
    """The user whose credentials these are, or None. Disabled accounts never authenticate."""
    user = find_user(username)
    if user is None or not user.check_password(password or ""):
        audit.record(user, "auth.login_failed", user, username=(username or "")[:80])
        return None
    if user.disabled:
        audit.record(user, "auth.login_refused_disabled", user)
        return None
    user.last_login_at = utcnow()
    audit.record(user, "auth.login", user)
    db.session.flush()
    return user


def check_new_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH), "new_password"
        )


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not user.check_password(current_password or ""):
        raise AccountError(_("The current password is not correct."), "current_password")
    check_new_password(new_password)
    if new_password == current_password:
        raise AccountError(_("The new password must differ from the current one."), "new_password")
    user.set_password(new_password)
    user.must_change_password = False
    audit.record(user, "auth.password_changed", user)
    db.session.flush()


def reset_password(actor: User | None, user: User) -> str:
    """Give `user` a random temporary password, which they must change at next sign-in."""
    temporary = secrets.token_urlsafe(9)
    user.set_password(temporary)
    user.must_change_password = True
    audit.record(actor, "auth.password_reset", user)
    db.session.flush()
    return temporary


def set_account_disabled(actor: User | None, user: User, disabled: bool) -> None:
    if actor is not None and actor.id == user.id and disabled:
        raise AccountError(_("You cannot disable your own account."))
    user.disabled = disabled
    if disabled:
        for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            token.revoked_at = token.revoked_at or utcnow()
    audit.record(actor, "auth.account_disabled" if disabled else "auth.account_enabled", user)
    db.session.flush()


def set_preferences(user: User, *, locale: str | None = None, timezone: str | None = None) -> None:
    from app.core.i18n import LANGUAGES, is_valid_timezone

    if locale is not None:
        if locale not in LANGUAGES:
            raise AccountError(_("Unknown language."), "locale")
        user.locale = locale
    if timezone is not None:
        if not is_valid_timezone(timezone):
            raise AccountError(_("Unknown time zone: %(name)s", name=timezone), "timezone")
        user.timezone = timezone
    db.session.flush()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create an API token; the secret is returned once and only its digest is kept."""
    name = (name or "").strip() or _("API token")
    days = days or current_app.config["KEXU_API_TOKEN_DAYS"]
    secret = "kx_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name[:120],
        token_digest=_digest(secret),
        prefix=secret[:10],
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(user, "auth.token_issued", token, school_id=user.school_id, name=token.name)
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "auth.token_revoked", token, school_id=actor.school_id)
        db.session.flush()


def user_for_token(secret: str) -> User | None:
    """The active user behind a bearer token, or None if it is unknown, expired or revoked."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_digest == _digest(secret or "")))
    if token is None or not token.is_usable() or token.user.disabled:
        return None
    now = utcnow()
    # Recorded to the minute, not on every request: a read must not always cost a write.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
    return token.user

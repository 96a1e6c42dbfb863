"""Rotating check-in codes, derived rather than stored.

The code of a window at a moment is an HMAC of (session id, window id, time step) keyed with
the app's SECRET_KEY, shortened to six digits. Every process computes the same code from
the clock alone, so several processes agree without sharing state. The step is counted from
the Unix epoch; the previous step's code stays valid for `grace` seconds into the next step,
for a student who typed it just as it changed.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

DIGITS = 6


def step_of(moment: datetime, step_seconds: float) -> int:
    return int(moment.timestamp() // step_seconds)


def step_start(step: int, step_seconds: float) -> datetime:
    return datetime.fromtimestamp(step * step_seconds, UTC)


def code_for(secret: str | bytes, session_id: int, window_id: int, step: int) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"kexu-checkin:{session_id}:{window_id}:{step}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    # Dynamic truncation as in RFC 4226 (HOTP), so every digit is equally likely.
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def current_code(secret, session_id: int, window_id: int, now: datetime, step_seconds: float) -> tuple[str, datetime]:
    """The code shown now and when it changes."""
    step = step_of(now, step_seconds)
    return code_for(secret, session_id, window_id, step), step_start(step + 1, step_seconds)


def is_valid(
    secret, session_id: int, window_id: int, code: str, now: datetime, step_seconds: float, grace_seconds: float
) -> bool:
    """True for the current code, and for the previous one during the first `grace_seconds`
    of the current step."""
    code = (code or "").strip()
    step = step_of(now, step_seconds)
    if hmac.compare_digest(code, code_for(secret, session_id, window_id, step)):
        return True
    in_grace = now - step_start(step, step_seconds) < timedelta(seconds=grace_seconds)
    return in_grace and hmac.compare_digest(code, code_for(secret, session_id, window_id, step - 1))

"""What a student is told about today's screen time, decided in one place for every page that
shows it (today, timetable, resource and watch pages): nothing, "nearing" the daily online
total, or "reached" it; and how long one sitting of self-paced viewing may last before the
watch page suggests a break.

Only advice: a scheduled live lesson is never blocked here (attendance matters more and the
schedule already checks each lesson's length), and self-paced resources stay playable over the
limit (teachers may have assigned them); class teachers hear of over-limit days (over_limit.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from flask_login import current_user

from app.auth.models import Role, User
from app.core.models import utcnow
from app.participation.study_time import local_today, stage_policy_of, study_days

# "Nearing" starts this many minutes before the daily total: about one self-paced video or one
# secondary-school lesson (NHC guidance: 30 min), early enough to plan the rest of the day.
NEARING_MINUTES = 15


class ScreenTimeState(enum.StrEnum):
    NEARING = "nearing"
    REACHED = "reached"


@dataclass(frozen=True)
class ScreenTimeNotice:
    state: ScreenTimeState
    total_minutes: float
    limit_minutes: int

    @property
    def remaining_minutes(self) -> int:
        return max(0, int(self.limit_minutes - self.total_minutes))


def screen_time_notice(user: User, now: datetime) -> ScreenTimeNotice | None:
    """None unless `user` is a student whose stage has a daily online total and whose total on
    their own local day of `now` is within NEARING_MINUTES of it (nearing) or at it (reached)."""
    if not _is_student(user):
        return None
    today = local_today(user, now)
    day = study_days([user], today, today)[(user.id, today)]
    if day.limit_minutes is None:
        return None
    if day.total_minutes >= day.limit_minutes:
        return ScreenTimeNotice(ScreenTimeState.REACHED, day.total_minutes, day.limit_minutes)
    if day.total_minutes >= day.limit_minutes - NEARING_MINUTES:
        return ScreenTimeNotice(ScreenTimeState.NEARING, day.total_minutes, day.limit_minutes)
    return None


def sitting_minutes(user: User) -> int | None:
    """The longest single screen session for a student: their stage's longest lesson (20 min in
    primary, 30 in secondary school by default). None for staff or a stage without one."""
    if not _is_student(user):
        return None
    policy = stage_policy_of(user)
    return policy.max_lesson_minutes if policy else None


def _is_student(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.school_id is not None and user.has_role(Role.STUDENT)


def viewer_screen_time_notice() -> ScreenTimeNotice | None:
    """For templates (the banner include): the signed-in viewer's notice, now."""
    return screen_time_notice(current_user, utcnow())


def viewer_sitting_minutes() -> int | None:
    return sitting_minutes(current_user)

"""A student's engagement, measured against their own history and fixed thresholds, never
ranked against classmates. Nothing here watches browser tabs or cameras: it reads what the
student did (presence, check-ins, hands, chat, polls, resources)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.participation.models import AttendanceRecord, AttendanceStatus, ResourceProgress

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY, AttendanceStatus.MADE_UP)
# Below this share of (non-excused) lessons attended, the summary asks for attention.
ATTENDANCE_RATE_THRESHOLD = 0.8


@dataclass
class Summary:
    lessons: int = 0
    excused: int = 0
    attended: int = 0
    minutes_present: float = 0.0
    check_ins: int = 0
    hand_raises: int = 0
    chat_messages: int = 0
    poll_answers: int = 0
    resources_completed: int = 0

    @property
    def attendance_rate(self) -> float | None:
        counted = self.lessons - self.excused
        return round(self.attended / counted, 3) if counted > 0 else None

    @property
    def needs_attention(self) -> bool:
        rate = self.attendance_rate
        return rate is not None and rate < ATTENDANCE_RATE_THRESHOLD

    def as_dict(self) -> dict:
        return {
            "lessons": self.lessons,
            "excused": self.excused,
            "attended": self.attended,
            "attendance_rate": self.attendance_rate,
            "minutes_present": round(self.minutes_present, 1),
            "check_ins": self.check_ins,
            "hand_raises": self.hand_raises,
            "chat_messages": self.chat_messages,
            "poll_answers": self.poll_answers,
            "resources_completed": self.resources_completed,
            "needs_attention": self.needs_attention,
        }


def summarize(student_id: int, start: datetime, end: datetime) -> Summary:
    """Totals over lessons starting in [start, end) and resources completed in it."""
    row = db.session.execute(
        select(
            func.count(),
            func.sum(_case(AttendanceRecord.status == AttendanceStatus.EXCUSED)),
            func.sum(_case(AttendanceRecord.status.in_([str(s) for s in ATTENDED]))),
            func.coalesce(func.sum(AttendanceRecord.minutes_present), 0.0),
            func.sum(_case(AttendanceRecord.checked_in.is_(True))),
            func.coalesce(func.sum(AttendanceRecord.hand_raises), 0),
            func.coalesce(func.sum(AttendanceRecord.chat_messages), 0),
            func.coalesce(func.sum(AttendanceRecord.poll_answers), 0),
        ).where(
            AttendanceRecord.student_id == student_id,
            AttendanceRecord.starts_at >= start,
            AttendanceRecord.starts_at < end,
        )
    ).one()
    completed = db.session.scalar(
        select(func.count()).where(
            ResourceProgress.student_id == student_id,
            ResourceProgress.completed_at >= start,
            ResourceProgress.completed_at < end,
        )
    )
    lessons, excused, attended, minutes, check_ins, hands, chat, polls = row
    return Summary(
        lessons=lessons or 0,
        excused=int(excused or 0),
        attended=int(attended or 0),
        minutes_present=float(minutes or 0),
        check_ins=int(check_ins or 0),
        hand_raises=int(hands or 0),
        chat_messages=int(chat or 0),
        poll_answers=int(polls or 0),
        resources_completed=completed or 0,
    )


def _case(condition):
    from sqlalchemy import case

    return case((condition, 1), else_=0)


def compare_with_own_history(student_id: int, now: datetime, days: int = 14) -> dict:
    """This period against the student's previous one of the same length."""
    current = summarize(student_id, now - timedelta(days=days), now)
    previous = summarize(student_id, now - timedelta(days=2 * days), now - timedelta(days=days))
    trend = None
    if current.attendance_rate is not None and previous.attendance_rate is not None:
        difference = current.attendance_rate - previous.attendance_rate
        trend = "down" if difference <= -0.2 else "up" if difference >= 0.2 else "steady"
    return {"days": days, "current": current.as_dict(), "previous": previous.as_dict(), "attendance_trend": trend}

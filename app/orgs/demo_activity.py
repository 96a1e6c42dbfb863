"""The demo school's last two weeks: every past lesson held, most students there, some late,
some leaving early, a few absent, two students silent for days (so the "not reached" list has
someone to call), one sick day excused, resources from the lesson plans watched in the evening
and one call logged. Attendance comes from the presence intervals through recompute_sessions,
which tells the reports that attendance changed.

The first class's last lessons go through the live room's operations (demo_room.py); the other
lessons are written straight into the room's tables in bulk, which keeps `flask demo
seed` within seconds: the same rows the room writes, without a thousand sockets behind them.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func, insert, select

from app.auth.models import Role, User, UserRole
from app.catalog.models import LessonPlanItem
from app.extensions import db
from app.live.models import LessonRoomState, PresenceInterval
from app.orgs.demo_room import hold_in_room
from app.orgs.demo_timetable import DemoTimetable
from app.orgs.models import OrgUnit, UnitKind, course_class, course_teacher
from app.participation.attendance import override_attendance, recompute_sessions
from app.participation.loading import class_students
from app.participation.models import AttendanceRecord, AttendanceStatus, ResourceProgress, ResourceStudyDay
from app.participation.progress import merge_ranges, record_playback
from app.participation.reach import log_contact
from app.participation.settings import setting
from app.schedule.models import LiveSession, SessionStatus, live_session_class
from app.schedule.policy_index import zone

# (share of students, chance a lesson is missed, arrives late, leaves early, connection drops)
HABITS = {
    "steady": (0.75, 0.01, 0.03, 0.02, 0.05),
    "late": (0.12, 0.02, 0.30, 0.03, 0.05),
    "shaky": (0.08, 0.04, 0.08, 0.08, 0.40),
    "patchy": (0.05, 0.15, 0.15, 0.15, 0.10),
}
# Silent for the last days (absent, nothing watched): the "not reached" list.
SILENT_USERNAMES = ("s070138", "s090327")
SILENT_DAYS = 4
EXCUSED_USERNAME = "s070112"
EXCUSE_REASON = "病假：发烧，家长当天早上已向班主任请假。"
CONTACT_NOTE = "电话无人接听，已给家长发短信，明天再联系。"
PARTLY_WATCHED = 0.12
# The first class's last lessons are held through the live room's operations (slower, richer).
ROOM_LESSONS = 5


@dataclass
class DemoActivity:
    held: int = 0
    in_room: int = 0
    intervals: int = 0
    attendance: dict = field(default_factory=dict)  # status -> records
    room_events: dict = field(default_factory=dict)  # chat, checkin, hand, answer, ... -> count
    excused: int = 0
    watched: int = 0


def _habits(student_ids: list[int], rng: random.Random) -> dict[int, tuple]:
    names, weights = list(HABITS), [HABITS[name][0] for name in HABITS]
    return {student_id: HABITS[rng.choices(names, weights)[0]][1:] for student_id in student_ids}


def _stays(habit, start: datetime, end: datetime, rng: random.Random) -> list[tuple[datetime, datetime]]:
    """When one student was in one lesson's room: nothing, or one or two intervals."""
    missed, late, early, drops = habit
    if rng.random() < missed:
        return []
    minute = timedelta(minutes=1)
    join = start + rng.uniform(6, 14) * minute if rng.random() < late else start - rng.uniform(0.3, 4) * minute
    leave = start + rng.uniform(8, 20) * minute if rng.random() < early else end + rng.uniform(0, 1.5) * minute
    if leave <= join:
        return []
    if rng.random() < drops:  # a dropped connection, back a few minutes later
        cut = join + (leave - join) * rng.uniform(0.2, 0.8)
        back = cut + rng.uniform(1, 5) * minute
        if back < leave:
            return [(join, cut), (back, leave)]
    return [(join, leave)]


def _clip(stays, until: datetime) -> list[tuple[datetime, datetime]]:
    return [(join, min(leave, until)) for join, leave in stays if join < until]


def _past_lessons(school: OrgUnit, now: datetime) -> list[tuple[int, int, int, datetime, datetime]]:
    """(session, course, class, start, end) of every lesson over by now, oldest first."""
    return db.session.execute(
        select(
            LiveSession.id,
            LiveSession.course_id,
            live_session_class.c.class_id,
            LiveSession.starts_at,
            LiveSession.ends_at,
        )
        .join(live_session_class, live_session_class.c.session_id == LiveSession.id)
        .where(
            LiveSession.school_id == school.id,
            LiveSession.status == SessionStatus.SCHEDULED,
            LiveSession.ends_at <= now,
        )
        .order_by(LiveSession.starts_at, LiveSession.id)
    ).all()


def _user_ids(usernames) -> dict[str, int]:
    return dict(db.session.execute(select(User.username, User.id).where(User.username.in_(usernames))).all())


@dataclass
class _School:
    """Who is who in the demo school, read once."""

    tz: str
    first_class: OrgUnit
    members: dict[int, list[int]]  # class id -> student ids
    habits: dict[int, tuple]
    teacher_of: dict[int, int]  # course id -> teacher id
    silent: set[int]
    silent_since: datetime
    excused: tuple[int | None, object]  # (student id, local day)

    def stays(self, lesson, ended: datetime, rng: random.Random) -> dict[int, list]:
        day = lesson.starts_at.astimezone(zone(self.tz)).date()
        result = {}
        for student_id in self.members.get(lesson.class_id, []):
            gone = student_id in self.silent and lesson.starts_at >= self.silent_since
            if gone or self.excused == (student_id, day):
                result[student_id] = []
            else:
                habit = self.habits[student_id]
                result[student_id] = _clip(_stays(habit, lesson.starts_at, lesson.ends_at, rng), ended)
        return result


def _read_school(school: OrgUnit, lessons, timetable: DemoTimetable, now: datetime, rng) -> _School:
    classes = class_students({lesson.class_id for lesson in lessons})
    members = {class_id: sorted(classes[class_id]) for class_id in sorted(classes)}
    first_class = db.session.scalar(
        select(OrgUnit).where(OrgUnit.school_id == school.id, OrgUnit.kind == UnitKind.CLASS).order_by(OrgUnit.code)
    )
    school_days = [day for day in timetable.class_days.get(first_class.id, []) if day < timetable.today]
    excused_day = school_days[-3] if len(school_days) > 2 else None
    return _School(
        tz=school.timezone or "Asia/Shanghai",
        first_class=first_class,
        members=members,
        habits=_habits([sid for ids in members.values() for sid in ids], rng),
        teacher_of=dict(db.session.execute(select(course_teacher.c.course_id, course_teacher.c.user_id)).all()),
        silent=set(_user_ids(SILENT_USERNAMES).values()),
        silent_since=now - timedelta(days=SILENT_DAYS),
        excused=(_user_ids([EXCUSED_USERNAME]).get(EXCUSED_USERNAME), excused_day),
    )


def bring_to_life(school: OrgUnit, timetable: DemoTimetable, now: datetime, seed: int) -> DemoActivity:
    """Hold every past lesson, then attendance, an excuse, resource progress and a call. Flushes."""
    rng = random.Random(seed)
    lessons = _past_lessons(school, now)
    demo = _read_school(school, lessons, timetable, now, rng)
    # The first class's last lessons go through the room itself.
    in_the_room = set([lesson.id for lesson in lessons if lesson.class_id == demo.first_class.id][-ROOM_LESSONS:])
    activity = DemoActivity(held=len(lessons))
    rooms, intervals, in_room = [], [], []
    for lesson in lessons:
        teacher_id = demo.teacher_of[lesson.course_id]
        opened = lesson.starts_at - timedelta(minutes=rng.uniform(2, 5))
        ended = lesson.ends_at + timedelta(minutes=rng.uniform(0.5, 2))
        stays = demo.stays(lesson, ended, rng)
        if lesson.id in in_the_room:
            in_room.append((lesson.id, teacher_id, stays, opened, ended))
            continue
        rooms.append(
            {"session_id": lesson.id, "opened_at": opened, "closed_at": ended, "ended_at": ended}
            | {"ended_by_id": teacher_id, "muted_all": False}
        )
        for user_id, user_stays in [(teacher_id, [(opened, ended)]), *stays.items()]:
            intervals.extend(
                {"session_id": lesson.id, "user_id": user_id, "connections": 0, "started_at": join}
                | {"last_seen_at": leave, "ended_at": leave}
                for join, leave in user_stays
            )
    if rooms:
        db.session.execute(insert(LessonRoomState), rooms)
        db.session.execute(insert(PresenceInterval), intervals)
    activity.intervals, activity.in_room = len(intervals), len(in_room)
    _hold_in_rooms(in_room, activity, rng)
    # Before the recomputation: the rollups it triggers count resource minutes too.
    activity.watched = _watch_resources(demo, timetable, rng)
    recompute_sessions([lesson.id for lesson in lessons], now)
    student_id, day = demo.excused
    if student_id is not None and day is not None:
        activity.excused = _excuse(demo.first_class, student_id, day, demo.tz, now)
    _log_call(demo.first_class, demo.silent, now, demo.tz)
    activity.attendance = dict(
        db.session.execute(
            select(AttendanceRecord.status, func.count())
            .where(AttendanceRecord.school_id == school.id)
            .group_by(AttendanceRecord.status)
        ).all()
    )
    return activity


def _hold_in_rooms(in_room, activity: DemoActivity, rng: random.Random) -> None:
    if not in_room:
        return
    user_ids = {uid for _sid, teacher_id, stays, _opened, _ended in in_room for uid in [teacher_id, *stays]}
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    for session_id, teacher_id, stays, opened, ended in in_room:
        session = db.session.get(LiveSession, session_id)
        students = {users[student_id]: intervals for student_id, intervals in stays.items()}
        counts = hold_in_room(session, users[teacher_id], students, opened, ended, rng)
        for kind, count in counts.items():
            activity.room_events[kind] = activity.room_events.get(kind, 0) + count


def _excuse(unit: OrgUnit, student_id: int, day, tz: str, now: datetime) -> int:
    """The class teacher excuses the sick day's lessons, with the reason the family gave."""
    class_teacher = _class_teacher(unit)
    start = datetime.combine(day, time(0), tzinfo=zone(tz))
    records = db.session.scalars(
        select(AttendanceRecord).where(
            AttendanceRecord.student_id == student_id,
            AttendanceRecord.starts_at >= start,
            AttendanceRecord.starts_at < start + timedelta(days=1),
        )
    ).all()
    for record in records:
        data = {"status": AttendanceStatus.EXCUSED, "reason": EXCUSE_REASON}
        override_attendance(class_teacher, record, data, now=start + timedelta(hours=7, minutes=40))
    return len(records)


def _class_teacher(unit: OrgUnit) -> User | None:
    return db.session.scalar(
        select(User).join(UserRole).where(UserRole.role == Role.CLASS_TEACHER, UserRole.unit_id == unit.id)
    )


def _plans_by_class(members) -> dict[int, list[LessonPlanItem]]:
    rows = db.session.execute(
        select(LessonPlanItem, course_class.c.class_id)
        .join(course_class, course_class.c.course_id == LessonPlanItem.course_id)
        .where(course_class.c.class_id.in_(list(members)))
        .order_by(LessonPlanItem.planned_on, LessonPlanItem.id)
    ).all()
    result: dict[int, list[LessonPlanItem]] = defaultdict(list)
    for item, class_id in rows:
        result[class_id].append(item)
    return result


def _watch(student: User, item: LessonPlanItem, at: datetime, share: float) -> None:
    """Play the resource from the start in reports under ten minutes apart, as the player does."""
    total = item.resource.duration_minutes * 60.0
    played, moment = 0.0, at
    while played < total * share:
        step = min(540.0, total * share - played)
        moment += timedelta(seconds=step + 5)
        data = {"ranges": [[played, played + step]], "duration": total, "course": item.course_id}
        record_playback(student, item.resource, data, now=moment)
        played += step


def _watches(demo: _School, timetable: DemoTimetable, rng: random.Random) -> list[tuple]:
    """(student, plan item, when, share): every student who is not silent watched one planned
    resource yesterday evening, some only in part; about a third (and the silent students,
    before they went quiet) also watched one last week."""
    plans = _plans_by_class(demo.members)
    yesterday = datetime.combine(timetable.today - timedelta(days=1), time(19), tzinfo=zone(demo.tz))
    watches = []
    for class_id, student_ids in sorted(demo.members.items()):
        recent = [item for item in plans.get(class_id, []) if item.planned_on < timetable.today]
        older = [item for item in recent if item.planned_on <= timetable.today - timedelta(days=6)]
        for student_id in student_ids:
            silent = student_id in demo.silent
            if older and (silent or rng.random() < 0.33):
                item = rng.choice(older)
                at = datetime.combine(item.planned_on, time(19), tzinfo=zone(demo.tz))
                at += timedelta(minutes=rng.uniform(0, 120))
                if not silent or at < demo.silent_since:
                    watches.append((student_id, item, at, 1.0))
            if recent and not silent:
                share = rng.uniform(0.4, 0.75) if rng.random() < PARTLY_WATCHED else 1.0
                at = yesterday + timedelta(minutes=rng.uniform(0, 150))
                watches.append((student_id, rng.choice(recent[-4:]), at, share))
    return watches


def _watch_resources(demo: _School, timetable: DemoTimetable, rng: random.Random) -> int:
    """The first class reports through the player's operation; the rest are written in bulk."""
    watches = _watches(demo, timetable, rng)
    first = set(demo.members.get(demo.first_class.id, []))
    students = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(first)))}
    progress, study_days, seen = [], defaultdict(float), set()
    complete_share = setting("RESOURCE_COMPLETE_SHARE")
    for student_id, item, at, share in watches:
        if student_id in first:
            _watch(students[student_id], item, at, share)
            continue
        if (student_id, item.id) in seen:
            continue
        seen.add((student_id, item.id))
        total = item.resource.duration_minutes * 60.0
        seconds = round(total * share, 1)
        finished = at + timedelta(seconds=seconds + 5)
        progress.append(
            {"student_id": student_id, "resource_id": item.resource_id, "course_id": item.course_id}
            | {"opened_at": at, "last_report_at": finished, "duration_seconds": total}
            | {"played_ranges": merge_ranges([[0.0, seconds]]), "seconds_watched": seconds}
            | {"completed_at": finished if seconds >= complete_share * total else None}
        )
        study_days[(student_id, at.astimezone(zone(demo.tz)).date())] += seconds
    if progress:
        db.session.execute(insert(ResourceProgress), progress)
        days = [{"student_id": sid, "day": day, "seconds": round(sec, 1)} for (sid, day), sec in study_days.items()]
        db.session.execute(insert(ResourceStudyDay), days)
    return len(watches)


def _log_call(unit: OrgUnit, silent: set, now: datetime, tz: str) -> None:
    """The class teacher phoned one silent student's family yesterday evening; nobody answered."""
    class_teacher = _class_teacher(unit)
    student = db.session.scalar(select(User).where(User.id.in_(silent), User.classes.contains(unit)))
    if class_teacher is None or student is None:
        return
    yesterday = now.astimezone(zone(tz)).date() - timedelta(days=1)
    data = {"channel": "phone", "outcome": "no_answer", "note": CONTACT_NOTE}
    data["contacted_at"] = datetime.combine(yesterday, time(18, 30), tzinfo=zone(tz))
    log_contact(class_teacher, student, data, now=now)

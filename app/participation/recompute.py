"""Set-based attendance recomputation: a chunk of lessons in a handful of statements.

A term holds about a million presence intervals and 800,000 roster places, so per chunk of
lessons: presence comes in one query ordered by (lesson, student, start) and is judged as it
streams (no sorting, no per-row objects); the stored records come in one query; only rows whose
values changed are written, with one executemany of plain tuples at the driver. The rules are
`rules.judge_merged`, the same function `rules.evaluate` uses. Flush, never commit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import groupby
from operator import itemgetter

from sqlalchemy import DateTime, func, select

from app.extensions import db
from app.live.models import PresenceInterval
from app.participation import loading
from app.participation.models import AttendanceRecord, AttendanceStatus
from app.participation.rules import ABSENT, effective_status, judge_merged, merge_sorted
from app.participation.settings import setting

COMPUTED_FIELDS = (
    "computed_status",
    "first_join",
    "last_leave",
    "minutes_present",
    "checked_in",
    "hand_raises",
    "chat_messages",
    "poll_answers",
)
LESSON_FIELDS = ("session_id", "student_id", "school_id", "course_id", "starts_at")
TABLE = AttendanceRecord.__tablename__
STREAM_ROWS = 20000


def compute_chunk(sessions, now: datetime) -> tuple[int, set[int], set[int]]:
    """Recompute these lessons (rows of id, school_id, course_id, starts_at, ends_at); returns
    (rows written, lessons changed, students changed)."""
    session_ids = [s.id for s in sessions]
    rosters = loading.rosters(sessions)
    counts = loading.activity_counts(session_ids)
    ended = loading.teacher_ended_at(session_ids)
    bounds = {}
    for lesson in sessions:
        # A teacher who ends early ends the lesson; a lesson that runs over is judged on its schedule.
        end = min(lesson.ends_at, ended[lesson.id]) if ended.get(lesson.id) else lesson.ends_at
        bounds[lesson.id] = (naive(lesson.starts_at), naive(max(end, lesson.starts_at)))
    judged = _judge_presence(session_ids, bounds)
    existing = _existing(session_ids)
    on_record: dict[int, set[int]] = defaultdict(set)
    for session_id, student_id in existing:
        on_record[session_id].add(student_id)
    check_ins, hands = counts["check_ins"], counts["hand_raises"]
    chats, polls = counts["chat_messages"], counts["poll_answers"]
    absent = (ABSENT, None, None, 0.0)
    made_up = str(AttendanceStatus.MADE_UP)
    stored = _stored_time()
    computed_at = stored(naive(now))
    inserts, updates = [], []
    changed_sessions: set[int] = set()
    changed_students: set[int] = set()
    for lesson in sessions:
        lesson_id, starts_at = lesson.id, stored(naive(lesson.starts_at))
        # Students who left the class keep their record: it is never deleted.
        for student_id in rosters.get(lesson.id, set()) | on_record.get(lesson_id, set()):
            key = (lesson_id, student_id)
            computed = (
                *judged.get(key, absent),
                check_ins.get(key, 0) > 0,
                hands.get(key, 0),
                chats.get(key, 0),
                polls.get(key, 0),
            )
            old = existing.get(key)
            if old is None:
                inserts.append((computed[0], *computed, computed_at, lesson_id, student_id, *lesson[1:3], starts_at))
            else:
                record_id, old_status, override = old[0], old[1], old[2]
                status = effective_status(computed[0], override, old_status == made_up)
                if status == old_status and computed == old[3:]:
                    continue  # unchanged rows are left alone: a second recomputation writes almost nothing
                updates.append((status, *computed, computed_at, record_id))
            changed_sessions.add(lesson_id)
            changed_students.add(student_id)
    _write(inserts, updates, stored)
    return len(inserts) + len(updates), changed_sessions, changed_students


def naive(moment: datetime) -> datetime:
    """Naive UTC, as stored."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _judge_presence(session_ids: list[int], bounds: dict) -> dict[tuple[int, int], tuple]:
    """(lesson, student) -> (status, first join, last leave, minutes) for everyone with presence."""
    share = setting("ATTENDANCE_PRESENT_SHARE")
    late = timedelta(minutes=setting("ATTENDANCE_LATE_MINUTES"))
    # An open interval ends at its last sign of life.
    end = func.coalesce(PresenceInterval.ended_at, PresenceInterval.last_seen_at, type_=DateTime())
    query = (
        select(PresenceInterval.session_id, PresenceInterval.user_id, loading.naive(PresenceInterval.started_at), end)
        .where(PresenceInterval.session_id.in_(session_ids))
        .order_by(PresenceInterval.session_id, PresenceInterval.user_id, PresenceInterval.started_at)
    )
    rows = db.session.execute(query, execution_options={"yield_per": STREAM_ROWS})
    result = {}
    for key, group in groupby(rows, key=itemgetter(0, 1)):
        start, stop = bounds[key[0]]
        result[key] = judge_merged(merge_sorted([(row[2], row[3]) for row in group]), start, stop, share, late)
    return result


def _existing(session_ids: list[int]) -> dict[tuple[int, int], tuple]:
    """(session, student) -> (id, status, override_status, *COMPUTED_FIELDS), times naive UTC."""
    columns = [AttendanceRecord.id, AttendanceRecord.session_id, AttendanceRecord.student_id]
    columns += [AttendanceRecord.status, AttendanceRecord.override_status]
    for name in COMPUTED_FIELDS:
        column = getattr(AttendanceRecord, name)
        columns.append(loading.naive(column) if name in ("first_join", "last_leave") else column)
    rows = db.session.execute(
        select(*columns).where(AttendanceRecord.session_id.in_(session_ids)),
        execution_options={"yield_per": STREAM_ROWS},
    )
    return {(row[1], row[2]): (row[0], row[3], row[4], *row[5:]) for row in rows}


def _stored_time():
    """naive UTC datetime -> what the driver is given: SQLite stores SQLAlchemy's text format."""
    if db.session.connection().dialect.name == "sqlite":
        return lambda moment: moment.isoformat(" ", "microseconds")
    return lambda moment: moment


def _write(inserts: list[tuple], updates: list[tuple], stored) -> None:
    """executemany at the driver: SQLAlchemy's per-value processing would cost more than the
    writing itself. Rows hold first join and last leave (naive UTC) at 2 and 3; every other
    time is already in `stored` form."""
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    if connection.dialect.name == "sqlite":
        inserts = [_stored_row(row, stored) for row in inserts]
        updates = [_stored_row(row, stored) for row in updates]
    if inserts:
        names = ("status", *COMPUTED_FIELDS, "computed_at", *LESSON_FIELDS)
        if connection.dialect.name == "postgresql":
            _copy(connection, names, inserts)
        else:
            statement = f"INSERT INTO {TABLE} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
            connection.exec_driver_sql(statement, inserts)
    if updates:
        names = ("status", *COMPUTED_FIELDS, "computed_at")
        assignments = ", ".join(f"{name} = {mark}" for name in names)
        statement = f"UPDATE {TABLE} SET {assignments} WHERE id = {mark}"
        connection.exec_driver_sql(statement, updates)


def _copy(connection, names: tuple, rows: list[tuple]) -> None:
    """PostgreSQL: COPY, in the session's transaction (a term's first computation inserts
    800,000 rows; executemany spends most of its time on round trips)."""
    statement = f"COPY {TABLE} ({', '.join(names)}) FROM STDIN"
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _stored_row(row: tuple, stored) -> tuple:
    first_join, last_leave = row[2], row[3]
    if first_join is None:
        return row
    return (*row[:2], stored(first_join), stored(last_leave), *row[4:])

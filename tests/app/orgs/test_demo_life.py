"""`flask demo seed` on a fresh database: the demo school as its users find it, with lessons
today, two weeks of lessons held, attendance, the "not reached" list, and a second run of
`--if-empty` that changes nothing.

The seed runs once for the module (it takes seconds); every test only reads.
"""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app import create_app
from app.auth.models import User
from app.catalog.models import LessonPlanItem
from app.extensions import db
from app.live.models import ChatMessage, CheckIn, HandRaise, LessonRoomState, PollAnswer, PresenceInterval
from app.orgs.demo import DEMO_PASSWORD
from app.orgs.models import OrgUnit
from app.participation.models import AttendanceRecord, ContactLog, ResourceProgress, ResourceStudyDay
from app.schedule.checks import check_sessions
from app.schedule.models import LiveSeries, LiveSession, SessionStatus
from app.schedule.policy import Lesson
from tests.conftest import IsolatedClient

SCHOOL_ZONE = ZoneInfo("Asia/Shanghai")
COUNTED = (
    User,
    OrgUnit,
    LiveSession,
    LiveSeries,
    LessonPlanItem,
    LessonRoomState,
    PresenceInterval,
    ChatMessage,
    CheckIn,
    HandRaise,
    PollAnswer,
    AttendanceRecord,
    ResourceProgress,
    ResourceStudyDay,
    ContactLog,
)


@pytest.fixture(scope="module")
def demo(_schema, test_settings):
    """An app whose database holds the seeded demo school; emptied after the module."""
    app = create_app(**test_settings)
    app.test_client_class = IsolatedClient
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
        assert result.exit_code == 0, result.output
        app.config["SEED_OUTPUT"] = result.output
        yield app
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _signed_in(app, username):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client


def _user(username) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _sessions_of(teacher: User, *where):
    course_ids = [course.id for course in teacher.taught_courses]
    query = select(LiveSession).where(LiveSession.course_id.in_(course_ids), *where).order_by(LiveSession.starts_at)
    return db.session.scalars(query).all()


def test_the_seed_reports_the_timetable_and_the_lessons_held(demo):
    output = demo.config["SEED_OUTPUT"]
    assert "24 classes, 960 students" in output and DEMO_PASSWORD in output
    assert re.search(r"\d{4} lessons .*\d{4} lessons held", output), output


def test_a_demo_student_finds_lessons_on_the_today_page(demo):
    page = _signed_in(demo, "s070101").get("/today").get_data(as_text=True)

    assert "No lessons today." not in page
    assert "初一(1)班" in page and "Enter live room" in page


def test_a_demo_teacher_has_a_lesson_still_to_come_today_and_sees_it_in_the_timetable(demo):
    now = datetime.now(UTC)
    t001 = _user("t001")
    today = [
        s
        for s in _sessions_of(t001)
        if s.starts_at.astimezone(SCHOOL_ZONE).date() == now.astimezone(SCHOOL_ZONE).date()
    ]
    upcoming = [s for s in today if s.ends_at > now and not s.is_cancelled]
    assert upcoming, "no lesson of t001 left today"

    client = _signed_in(demo, "t001")
    assert "No lessons today." not in client.get("/today").get_data(as_text=True)
    week = client.get("/timetable").get_data(as_text=True)
    assert upcoming[0].course.name in week and upcoming[0].starts_at.astimezone(SCHOOL_ZONE).strftime("%H:%M") in week


def test_a_past_lesson_has_an_attendance_sheet_with_most_students_present(demo):
    t001 = _user("t001")
    held = _sessions_of(t001, LiveSession.ends_at < datetime.now(UTC), LiveSession.status == SessionStatus.SCHEDULED)
    lesson = held[-1]

    page = _signed_in(demo, "t001").get(f"/participation/sessions/{lesson.id}/attendance").get_data(as_text=True)

    counts = dict(re.findall(r'data-status="(\w+)">[^:<]+: (\d+)<', page))
    assert sum(map(int, counts.values())) == 40, counts
    assert int(counts["present"]) >= 30


def test_attendance_over_the_two_weeks_has_every_status_a_real_class_has(demo):
    statuses = dict(
        db.session.execute(select(AttendanceRecord.status, func.count()).group_by(AttendanceRecord.status)).all()
    )
    total = sum(statuses.values())
    assert statuses["present"] > 0.8 * total
    assert all(statuses.get(name, 0) > 0 for name in ("late", "left_early", "absent"))
    assert statuses.get("excused", 0) + statuses.get("made_up", 0) > 0
    excused = db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.override_status == "excused")).all()
    assert excused and all(record.override_reason for record in excused)


def test_the_not_reached_list_names_the_students_silent_for_days(demo):
    class_teacher = _signed_in(demo, "t001").get("/participation/not-reached").get_data(as_text=True)
    academic_affairs = _signed_in(demo, "jiaowu").get("/participation/not-reached").get_data(as_text=True)

    assert 'data-student="s070138"' in class_teacher and "No answer" in class_teacher
    assert 'data-student="s090327"' not in class_teacher  # another class
    listed = re.findall(r'data-student="(\w+)"', academic_affairs)
    assert set(listed) == {"s070138", "s090327"}


def test_past_lessons_have_room_activity_plans_progress_and_one_cancellation(demo):
    for model in (ChatMessage, CheckIn, HandRaise, PollAnswer, LessonPlanItem, ResourceProgress):
        assert _count(model) > 0, model.__name__
    cancelled = db.session.scalars(select(LiveSession).where(LiveSession.status == SessionStatus.CANCELLED)).all()
    assert len(cancelled) == 1 and cancelled[0].cancel_reason and cancelled[0].ends_at < datetime.now(UTC)
    assert not db.session.scalar(
        select(func.count()).select_from(AttendanceRecord).where(AttendanceRecord.session_id == cancelled[0].id)
    )
    planned = select(LessonPlanItem.resource_id)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(ResourceProgress)
            .where(ResourceProgress.completed_at.is_not(None))
            .where(ResourceProgress.resource_id.in_(planned))
        )
        > 500
    )
    assert _count(ContactLog) == 1


def test_the_timetable_breaks_no_blocking_rule_and_only_out_of_hours_qa_lessons_warn(demo):
    sessions = db.session.scalars(select(LiveSession).where(LiveSession.status == SessionStatus.SCHEDULED)).all()
    lessons = [
        Lesson(
            s.id,
            s.course_id,
            frozenset(u.id for u in s.classes),
            frozenset(t.id for t in s.course.teachers),
            s.starts_at,
            s.ends_at,
        )
        for s in sessions
    ]
    result = check_sessions(sessions[0].school_id, lessons)

    assert not result.conflicts and not result.blocking
    warned = {lesson_id for violation in result.warnings for lesson_id in violation.lesson_ids}
    assert all("答疑" in db.session.get(LiveSession, lesson_id).title for lesson_id in warned)


def test_seeding_again_with_if_empty_changes_nothing(demo):
    before = {model.__name__: _count(model) for model in COUNTED}

    result = demo.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])

    assert result.exit_code == 0 and "already exists" in result.output
    assert {model.__name__: _count(model) for model in COUNTED} == before
    result = demo.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "already exist" in result.output
    assert {model.__name__: _count(model) for model in COUNTED} == before

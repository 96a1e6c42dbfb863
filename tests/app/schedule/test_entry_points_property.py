"""No sequence of creates, moves and edits through the form, the API, the import and series
expansion ever stores a schedule that breaks a blocking rule for any student.

Every step goes through a real entry point (test client, importer); after each step the whole
stored schedule is re-checked from scratch by the engine as one batch.
"""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.auth.operations import issue_token
from app.extensions import db
from app.schedule import operations as ops
from app.schedule.loading import load_context
from app.schedule.models import LiveSeries, LiveSession, SessionStatus, live_series_class, live_session_class
from app.schedule.policy import Lesson, check
from app.schedule.timetable_import import import_timetable, read_rows
from tests.app.schedule.conftest import MONDAY, local

STRICT = {
    "max_lesson_minutes": 40,
    "max_daily_minutes": 90,
    "min_break_minutes": 15,
    "max_lessons_per_day": 3,
    "allowed_start": "08:00",
    "allowed_end": "18:00",
    "allowed_weekdays": [0, 1, 2, 3, 4],
    "modes": {},
}

clock = st.integers(min_value=7 * 6, max_value=18 * 6).map(lambda n: f"{n // 6:02d}:{n % 6 * 10:02d}")
day = st.integers(min_value=0, max_value=6)
length = st.sampled_from([20, 30, 40, 45])
course = st.sampled_from(["maths", "chinese"])
step = st.one_of(
    st.tuples(st.just("form"), course, day, clock, length),
    st.tuples(st.just("api"), course, day, clock, length),
    st.tuples(st.just("series"), course, st.sets(day, min_size=1, max_size=3), clock, length),
    st.tuples(st.just("import"), course, day, clock, length),
    st.tuples(st.just("move"), st.integers(0, 20), day, clock, length),
)


def _stored_lessons() -> list[Lesson]:
    sessions = db.session.scalars(select(LiveSession).where(LiveSession.status == SessionStatus.SCHEDULED)).all()
    return [
        Lesson(s.id, s.course_id, {u.id for u in s.classes}, {t.id for t in s.course.teachers}, s.starts_at, s.ends_at)
        for s in sessions
    ]


def _assert_nothing_stored_breaks_a_blocking_rule(school_id: int) -> None:
    lessons = _stored_lessons()
    if not lessons:
        return
    context = load_context(school_id, lessons)
    result = check(lessons, [], context.students, context.policy, school_timezone=context.school_timezone)
    assert not result.conflicts, result.conflicts
    assert not result.blocking, result.blocking


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(step, min_size=3, max_size=8))
def test_no_entry_point_stores_a_schedule_that_breaks_a_blocking_rule(app, timetable, steps):
    for table in (live_session_class, live_series_class, LiveSession.__table__, LiveSeries.__table__):
        db.session.execute(table.delete())
    ops.set_policy(timetable.academic_affairs, timetable.school, {"stage": "junior", "rules": STRICT})
    db.session.commit()
    courses = {"maths": (timetable.maths, timetable.teacher), "chinese": (timetable.chinese, timetable.other_teacher)}
    form_client = app.test_client()
    form_client.post("/login", data={"username": timetable.academic_affairs.username, "password": "correct horse 42"})
    api = app.test_client()
    _token, secret = issue_token(timetable.academic_affairs, "property")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    for kind, which, when, at, minutes in steps:
        if kind == "move":
            ids = db.session.scalars(select(LiveSession.id).order_by(LiveSession.id)).all()
            if ids:
                starts_at = local(MONDAY + timedelta(days=when), at).isoformat()
                api.patch(
                    f"/api/v1/sessions/{ids[which % len(ids)]}",
                    json={"starts_at": starts_at, "minutes": minutes},
                    headers=headers,
                )
        else:
            target, _teacher = courses[which]
            first_day = MONDAY + timedelta(days=min(when) if isinstance(when, set) else when)
            if kind == "form":
                data = {"day": first_day.isoformat(), "start": at, "minutes": str(minutes), "title": "x"}
                data["class_ids"] = [str(u.id) for u in target.classes]
                form_client.post(f"/courses/{target.id}/sessions/new", data=data)
            elif kind == "api":
                body = {"course": target.id, "starts_at": local(first_day, at).isoformat(), "minutes": minutes}
                api.post("/api/v1/sessions", json=body, headers=headers)
            elif kind == "series":
                body = {"course": target.id, "starts_at": local(first_day, at).isoformat(), "minutes": minutes}
                body["repeat"] = {"weekdays": sorted(when), "count": 3}
                api.post("/api/v1/sessions", json=body, headers=headers)
            else:
                text = f"course,date,start,minutes\n{target.name},{first_day.isoformat()},{at},{minutes}\n"
                import_timetable(None, timetable.school, read_rows("t.csv", text.encode()))
                db.session.commit()
        db.session.expire_all()
        _assert_nothing_stored_breaks_a_blocking_rule(timetable.school.id)

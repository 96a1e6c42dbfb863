"""Creating, moving, editing and cancelling sessions through the one check."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.catalog.models import LessonPlanItem, Resource
from app.core.audit import AuditEntry
from app.extensions import db
from app.schedule import operations as ops
from app.schedule.models import LiveSession, PolicyException, SessionStatus
from tests.app.schedule.conftest import MONDAY, local


def create(t, clock="09:00", minutes=30, course=None, day=MONDAY, **extra):
    data = {"starts_at": local(day, clock), "minutes": minutes, **extra}
    session, result = ops.create_session(t.teacher, course or t.maths, data)
    db.session.commit()
    return session, result


def test_a_session_within_the_policy_is_stored_in_utc_for_every_class_of_the_course(timetable):
    session, result = create(timetable, join_url="https://meeting.tencent.com/dm/abc")
    assert not result.blocked
    assert session.starts_at.utcoffset() == timedelta(0)
    assert session.starts_at == local(MONDAY, "09:00")
    assert {unit.name for unit in session.classes} == {"7A", "7B"}
    assert session.original_starts_at == session.starts_at and session.sequence == 0


def test_a_lesson_longer_than_the_stage_allows_is_refused_and_nothing_is_stored(timetable):
    with pytest.raises(ops.ScheduleRefused) as refused:
        create(timetable, minutes=45)
    [violation] = refused.value.result.blocking
    assert (str(violation.rule), violation.limit, violation.value) == ("max_lesson_minutes", 30, 45)
    assert violation.student_count == 6
    assert db.session.scalar(select(LiveSession.id)) is None


def test_a_class_double_booked_across_courses_is_always_refused(timetable):
    create(timetable, "09:00")
    with pytest.raises(ops.ScheduleRefused) as refused:
        ops.create_session(
            timetable.other_teacher, timetable.chinese, {"starts_at": local(MONDAY, "09:10"), "minutes": 20}
        )
    assert [str(c.kind) for c in refused.value.result.conflicts] == ["class_double_booked"]


def test_a_teacher_double_booked_is_refused_even_for_different_classes(timetable, make_course, make_class):
    other = make_course(teachers=[timetable.teacher], classes=[make_class(timetable.grade)])
    create(timetable, "09:00")
    with pytest.raises(ops.ScheduleRefused) as refused:
        create(timetable, "09:20", course=other)
    assert [str(c.kind) for c in refused.value.result.conflicts] == ["teacher_double_booked"]


def test_planned_resource_minutes_count_toward_the_daily_total(timetable):
    resource = Resource(school_id=timetable.school.id, title="Video", level="school")
    db.session.add(resource)
    db.session.flush()
    db.session.add(
        LessonPlanItem(
            course_id=timetable.chinese.id, resource_id=resource.id, planned_on=MONDAY, estimated_minutes=225
        )
    )
    db.session.commit()
    with pytest.raises(ops.ScheduleRefused) as refused:
        create(timetable, minutes=20)
    [violation] = refused.value.result.blocking
    assert (str(violation.rule), violation.value) == ("max_daily_minutes", 245)
    # Only class 7A takes Chinese: its three students and the one abroad.
    assert violation.student_count == 4


def test_a_student_abroad_outside_hours_is_a_warning_not_a_block(timetable):
    # 09:00 in Shanghai is 02:00 in London: outside 08:00-18:00 on that student's clock.
    session, result = create(timetable, "09:00")
    assert session.id
    [warning] = [v for v in result.warnings if str(v.rule) == "allowed_hours_abroad"]
    assert warning.student_sample == (timetable.abroad.id,)


def test_moving_a_session_rechecks_it_bumps_sequence_and_keeps_its_occurrence_identity(timetable):
    session, _ = create(timetable, "09:00")
    create(timetable, "10:00", course=timetable.chinese)
    with pytest.raises(ops.ScheduleRefused):
        ops.move_session(timetable.teacher, session, {"starts_at": local(MONDAY, "10:10")})
    db.session.rollback()
    ops.move_session(timetable.teacher, session, {"starts_at": local(MONDAY, "14:00")})
    db.session.commit()
    assert session.starts_at == local(MONDAY, "14:00")
    assert session.original_starts_at == local(MONDAY, "09:00")
    assert session.sequence == 1


def test_a_session_moved_onto_its_own_old_time_does_not_conflict_with_itself(timetable):
    session, _ = create(timetable, "09:00")
    ops.move_session(timetable.teacher, session, {"starts_at": local(MONDAY, "09:10")})
    db.session.commit()
    assert session.starts_at == local(MONDAY, "09:10")


def test_cancelling_keeps_the_row_frees_the_slot_and_is_audited(timetable):
    session, _ = create(timetable, "09:00")
    ops.cancel_session(timetable.teacher, session, {"reason": "Teacher ill"})
    db.session.commit()
    assert session.status == SessionStatus.CANCELLED and session.sequence == 1
    create(timetable, "09:00", course=timetable.chinese)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"session.create", "session.cancel"} <= actions


def test_an_exception_with_a_reason_lets_a_blocked_lesson_through_and_is_audited(timetable):
    session, result = ops.create_session(
        timetable.academic_affairs,
        timetable.maths,
        {"starts_at": local(MONDAY, "09:00"), "minutes": 45, "exception_reason": "Exam review, parents agreed"},
    )
    db.session.commit()
    assert result.blocked
    [exception] = db.session.scalars(select(PolicyException)).all()
    assert (exception.rule, exception.reason, exception.approved_by_id) == (
        "max_lesson_minutes",
        "Exam review, parents agreed",
        timetable.academic_affairs.id,
    )
    # Changing its classes re-checks it; the approved rule no longer blocks.
    ops.edit_session(timetable.academic_affairs, session, {"class_ids": [timetable.class_a.id]})
    db.session.commit()
    assert [u.name for u in session.classes] == ["7A"]


def test_an_exception_never_covers_a_double_booking(timetable):
    create(timetable, "09:00")
    with pytest.raises(ops.ScheduleRefused):
        ops.create_session(
            timetable.academic_affairs,
            timetable.chinese,
            {"starts_at": local(MONDAY, "09:00"), "minutes": 20, "exception_reason": "Please"},
        )


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://x.org/a", "meeting", "https://"])
def test_join_links_must_be_http_or_https(timetable, link):
    with pytest.raises(ops.InvalidSchedule) as invalid:
        create(timetable, join_url=link)
    assert "join_url" in invalid.value.errors


def test_set_policy_from_a_preset_then_edited_numbers_changes_what_blocks(timetable):
    ops.set_policy(timetable.academic_affairs, timetable.school, {"stage": "junior", "preset": "anhui_2020_02_22"})
    db.session.commit()
    with pytest.raises(ops.ScheduleRefused):
        create(timetable, minutes=35)
    rules = {"max_lesson_minutes": 40, "modes": {"max_lesson_minutes": "warn"}}
    setting = ops.set_policy(timetable.academic_affairs, timetable.school, {"stage": "junior", "rules": rules})
    db.session.commit()
    assert setting.preset_key is None
    session, result = create(timetable, minutes=45)
    assert [str(v.rule) for v in result.warnings if v.rule == "max_lesson_minutes"] == ["max_lesson_minutes"]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "policy.set")) is not None

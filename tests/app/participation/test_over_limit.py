"""Days over the daily online total are flagged once to the class teacher and academic affairs
by `flask participation flag-over-limit`."""

from datetime import date, timedelta

from sqlalchemy import select

from app.core.models import utcnow
from app.extensions import db
from app.live.models import PresenceInterval
from app.notify.models import Notification
from app.participation.models import ResourceStudyDay, StudyTimeFlag
from app.participation.over_limit import previous_local_day
from app.schedule.policy_index import day_start

DAY = date(2026, 3, 4)  # a Wednesday; the school is in Asia/Shanghai


def online(make_lesson, course, student, day, live_minutes, resource_minutes=0):
    """`live_minutes` in a lesson at 09:00 local and `resource_minutes` of playback on `day`."""
    starts_at = day_start(day, "Asia/Shanghai") + timedelta(hours=9)
    lesson = make_lesson(course, starts_at=starts_at, minutes=live_minutes)
    end = starts_at + timedelta(minutes=live_minutes)
    db.session.add(
        PresenceInterval(session_id=lesson.id, user_id=student.id, started_at=starts_at, ended_at=end, last_seen_at=end)
    )
    if resource_minutes:
        db.session.add(ResourceStudyDay(student_id=student.id, day=day, seconds=resource_minutes * 60))
    db.session.commit()


def recipients(student):
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.kind == "study_time_over_limit")).all()
    return sorted(n.user_id for n in rows if n.link == f"/participation/students/{student.id}")


def flag(app, *args):
    result = app.test_cli_runner().invoke(args=["participation", "flag-over-limit", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_day_over_the_limit_is_flagged_to_the_class_teacher_and_academic_affairs_only(
    app, people, make_lesson, login, client
):
    p = people
    # Junior stage (grade 7): 240 minutes a day. 200 live + 60 of resources is over.
    online(make_lesson, p.course, p.student, DAY, 200, resource_minutes=60)
    online(make_lesson, p.other_course, p.other_student, DAY, 200)  # under the limit

    output = flag(app, "--date", DAY.isoformat())

    assert "1 students flagged, 2 notifications" in output
    assert recipients(p.student) == sorted([p.class_teacher.id, p.academic_affairs.id])
    assert recipients(p.other_student) == []
    flag_row = db.session.scalar(select(StudyTimeFlag))
    assert (flag_row.student_id, flag_row.day, flag_row.total_minutes, flag_row.limit_minutes) == (
        p.student.id,
        DAY,
        260.0,
        240,
    )
    login(p.class_teacher)
    page = client.get("/notifications").get_data(as_text=True)
    assert p.student.name in page and "260.0" in page and "240" in page


def test_other_classes_teachers_and_students_are_not_told(app, people, make_user, make_lesson):
    p = people
    other_class_teacher = make_user(roles=["teacher"], class_teacher_of=[p.other_class])
    online(make_lesson, p.course, p.student, DAY, 250)

    flag(app, "--date", DAY.isoformat())

    told = set(recipients(p.student))
    for person in (other_class_teacher, p.teacher, p.other_teacher, p.student, p.other_student, p.admin):
        assert person.id not in told
    assert p.foreign_admin.id not in told  # academic affairs of another school


def test_a_second_run_notifies_nobody_again(app, people, make_lesson):
    online(make_lesson, people.course, people.student, DAY, 250)
    assert "1 students flagged" in flag(app, "--date", DAY.isoformat())

    again = flag(app, "--date", DAY.isoformat())

    assert "0 students flagged, 0 notifications" in again
    assert len(recipients(people.student)) == 2
    assert db.session.query(StudyTimeFlag).count() == 1


def test_by_default_the_previous_local_day_is_flagged(app, people, make_lesson):
    yesterday = previous_local_day(people.school, utcnow())
    online(make_lesson, people.course, people.student, yesterday, 250)
    online(make_lesson, people.course, people.student, yesterday - timedelta(days=1), 250)  # not this run's day

    output = flag(app)

    assert f"{yesterday}: 1 students flagged" in output
    assert [f.day for f in db.session.scalars(select(StudyTimeFlag))] == [yesterday]


def test_a_bad_date_is_refused_naming_the_option(app):
    result = app.test_cli_runner().invoke(args=["participation", "flag-over-limit", "--date", "2026-13-40"])
    assert result.exit_code != 0
    assert "--date" in result.output


def test_a_long_running_process_flags_each_schools_day_once(app, people, make_lesson):
    """What each live server's ticker does every few minutes: the previous local day, once."""
    from app.participation.over_limit import flag_due

    now = utcnow().replace(hour=4, minute=0, second=0, microsecond=0)  # noon in Shanghai: +10 min is the same day
    online(make_lesson, people.course, people.student, previous_local_day(people.school, now), 250)
    done = {}

    first = flag_due(now, done)
    db.session.commit()
    again = flag_due(now + timedelta(minutes=10), done)

    assert [run.flagged for run in first if run.school_id == people.school.id] == [1]
    assert again == []  # nothing left to do until the next local day
    assert len(recipients(people.student)) == 2

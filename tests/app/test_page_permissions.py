"""Every page, every role: who gets in, who is refused.

The matrix must name every page endpoint; `test_every_page_endpoint_is_in_the_matrix`
fails when a new page is added without its row.
"""

import pytest

ROLES = [
    "anonymous",
    "student",
    "other_student",
    "teacher",
    "other_teacher",
    "class_teacher",
    "academic_affairs",
    "admin",
    "foreign_admin",
]
ALL_SIGNED_IN = {role: 200 for role in ROLES if role != "anonymous"}


def expect(default, anonymous=302, **per_role):
    statuses = {role: default for role in ROLES}
    statuses["anonymous"] = anonymous
    statuses.update(per_role)
    return statuses


STAFF_ONLY = expect(403, academic_affairs=200, admin=200, foreign_admin=200)
ADMIN_ONLY = expect(403, admin=200, foreign_admin=200)
TEACHING_STAFF = expect(200, student=403, other_student=403)
# The course's own teacher and the school's academic affairs and administrator.
COURSE_PLANNERS = expect(403, teacher=302, academic_affairs=302, admin=302)
# The course's teacher, its class's class teacher, the school's staff; another school: not found.
ATTENDANCE_VIEWERS = expect(403, teacher=200, class_teacher=200, academic_affairs=200, admin=200, foreign_admin=404)
ATTENDANCE_EDITORS = expect(403, teacher=302, academic_affairs=302, foreign_admin=404)


def _resource(p, **fields):
    from tests.app.catalog.factories import create_resource

    return create_resource(p.school.id, **fields)


def _upload(p):
    """An uploaded resource of the course's teacher (the stored file itself is not needed here)."""
    import uuid

    return _resource(
        p, storage_key=f"resources/{uuid.uuid4().hex}.pdf", file_name="讲义.pdf", uploaded_by_id=p.teacher.id
    )


def _plan_item_url(p, suffix=""):
    from tests.app.catalog.factories import create_plan_item

    item = create_plan_item(p.course)
    create_plan_item(p.course)  # a second item, so there is somewhere to move to
    return f"/courses/{p.course.id}/plan/{item.id}{suffix}"


# A class's reports: its class teacher and the school's staff.
REPORT_VIEWERS = expect(403, class_teacher=200, academic_affairs=200, admin=200, foreign_admin=404)
SOURCE_MANAGERS = expect(403, academic_affairs=200, admin=200, foreign_admin=404)
SOURCE_ACTIONS = expect(403, academic_affairs=302, admin=302, foreign_admin=404)


def _source(p):
    """A catalog source of the school; its feed address refuses connections (harvests fail fast)."""
    import uuid

    from app.catalog.models import CatalogSource
    from app.extensions import db

    source = CatalogSource(
        school_id=p.school.id, name=f"源{uuid.uuid4().hex[:8]}", type="json",
        config={"url": "http://127.0.0.1:9/feed.json", "timeout": 2}, level="national",
    )  # fmt: skip
    db.session.add(source)
    db.session.commit()
    return source


def _source_run_url(p):
    from app.catalog.models import HarvestRun
    from app.extensions import db

    source = _source(p)
    run = HarvestRun(source_id=source.id, message="test")
    db.session.add(run)
    db.session.commit()
    return f"/catalog/sources/{source.id}/runs/{run.id}"


# endpoint -> (method, url builder, expected status per role)
MATRIX = {
    # Scheduling (app/schedule): the course's teacher and academic affairs manage its sessions.
    "schedule.new_session": (
        "GET",
        lambda p: f"/courses/{p.course.id}/sessions/new",
        expect(403, teacher=200, academic_affairs=200, foreign_admin=404),
    ),
    "schedule.session_detail": (
        "GET",
        lambda p: f"/schedule/sessions/{_live_session(p)}",
        expect(403, student=200, teacher=200, class_teacher=200, academic_affairs=200, admin=200, foreign_admin=404),
    ),
    "schedule.edit_session": (
        "GET",
        lambda p: f"/schedule/sessions/{_live_session(p)}/edit",
        expect(403, teacher=200, academic_affairs=200, foreign_admin=404),
    ),
    "schedule.cancel_session": (
        "GET",
        lambda p: f"/schedule/sessions/{_live_session(p)}/cancel",
        expect(403, teacher=200, academic_affairs=200, foreign_admin=404),
    ),
    "schedule.approve_exception": (
        "GET",
        lambda p: f"/schedule/sessions/{_live_session(p)}/exception",
        expect(403, academic_affairs=200, foreign_admin=404),
    ),
    "schedule.policy": ("GET", lambda p: "/schedule/policy", STAFF_ONLY),
    "schedule.exceptions": (
        "GET",
        lambda p: "/schedule/exceptions",
        expect(403, academic_affairs=200, foreign_admin=200),
    ),
    # Timetable import (app/schedule/import_routes.py): a preview belongs to the one who uploaded it.
    "schedule.timetable_import": ("GET", lambda p: "/schedule/import", STAFF_ONLY),
    "schedule.timetable_template": ("GET", lambda p: "/schedule/import/template.xlsx", STAFF_ONLY),
    "schedule.timetable_preview": (
        "GET",
        lambda p: _timetable_preview(p),
        expect(403, academic_affairs=200, admin=404, foreign_admin=404),
    ),
    "schedule.timetable_confirm": (
        "POST",
        lambda p: _timetable_preview(p) + "/confirm",
        expect(403, academic_affairs=200, admin=404, foreign_admin=404),
    ),
    "home.index": ("GET", lambda p: "/", expect(200)),
    "auth.account": ("GET", lambda p: "/account", expect(200)),
    "orgs.courses": ("GET", lambda p: "/courses", expect(200)),
    "orgs.school": (
        "GET",
        lambda p: "/school",
        expect(
            403, teacher=200, other_teacher=200, class_teacher=200, academic_affairs=200, admin=200, foreign_admin=200
        ),
    ),
    "orgs.class_detail": (
        "GET",
        lambda p: f"/classes/{p.klass.id}",
        expect(403, student=200, teacher=200, class_teacher=200, academic_affairs=200, admin=200),
    ),
    "orgs.course_detail": (
        "GET",
        lambda p: f"/courses/{p.course.id}",
        expect(403, student=200, teacher=200, class_teacher=200, academic_affairs=200, admin=200),
    ),
    "orgs.people": ("GET", lambda p: "/people", STAFF_ONLY),
    "orgs.audit_log": ("GET", lambda p: "/audit", ADMIN_ONLY),
    "orgs.reset_password": (
        "POST",
        lambda p: f"/people/{p.other_student.id}/reset-password",
        expect(403, admin=302),
    ),
    "orgs.set_disabled": ("POST", lambda p: f"/people/{p.other_student.id}/disable", expect(403, admin=302)),
    "orgs.roster_import": ("GET", lambda p: "/roster/import", expect(403, admin=200, foreign_admin=200)),
    "orgs.roster_template": ("GET", lambda p: "/roster/templates/people.csv", ADMIN_ONLY),
    "notify.notifications": ("GET", lambda p: "/notifications", expect(200)),
    "notify.mark_all_read": ("POST", lambda p: "/notifications/read-all", expect(302)),
    "notify.mark_read": (
        "POST",
        lambda p: f"/notifications/{_notification_for(p.student)}/read",
        expect(403, student=302),
    ),
    "catalog.search": ("GET", lambda p: "/catalog", TEACHING_STAFF),
    "catalog.upload": ("GET", lambda p: "/catalog/upload", TEACHING_STAFF),
    "catalog.my_resources": ("GET", lambda p: "/my/resources", expect(200)),
    "catalog.resource": ("GET", lambda p: f"/catalog/resources/{_resource(p).id}", expect(200, foreign_admin=403)),
    "catalog.download": ("GET", lambda p: f"/catalog/resources/{_upload(p).id}/file", expect(302, foreign_admin=403)),
    "catalog.split": (
        "POST",
        lambda p: f"/catalog/origins/{_resource(p, origins=2).origins[1].id}/split",
        expect(403, academic_affairs=302, admin=302),
    ),
    "catalog.delete_resource": ("POST", lambda p: f"/catalog/resources/{_upload(p).id}/delete", COURSE_PLANNERS),
    "catalog.course_plan": (
        "GET",
        lambda p: f"/courses/{p.course.id}/plan",
        expect(403, student=200, teacher=200, class_teacher=200, academic_affairs=200, admin=200),
    ),
    "catalog.add_to_plan": (
        "POST",
        lambda p: (f"/catalog/resources/{_resource(p).id}/plan", {"course_id": p.course.id}),
        COURSE_PLANNERS,
    ),
    "catalog.update_plan": ("POST", lambda p: (_plan_item_url(p), {"note": "读第二章"}), COURSE_PLANNERS),
    "catalog.move_plan": ("POST", lambda p: (_plan_item_url(p, "/move"), {"direction": "up"}), COURSE_PLANNERS),
    "catalog.remove_plan": ("POST", lambda p: _plan_item_url(p, "/remove"), COURSE_PLANNERS),
    # The room sends teachers and observers on to the console, and the console sends students back.
    "live.room": (
        "GET",
        lambda p: f"/live/{_lesson(p).id}",
        expect(403, student=200, teacher=302, academic_affairs=302),
    ),
    "live.console": (
        "GET",
        lambda p: f"/live/{_lesson(p).id}/console",
        expect(403, student=302, teacher=200, academic_affairs=200),
    ),
    # Timetable pages and calendar feeds (app/schedule/views.py, calendar_routes.py).
    "schedule_views.today": ("GET", lambda p: "/today", expect(200)),
    "schedule_views.my_week": ("GET", lambda p: "/timetable", expect(200)),
    "schedule_views.class_week": (
        "GET",
        lambda p: f"/classes/{p.klass.id}/timetable",
        expect(403, student=200, teacher=200, class_teacher=200, academic_affairs=200, admin=200),
    ),
    "schedule_views.overview": ("GET", lambda p: "/schedule/overview", STAFF_ONLY),
    "schedule_views.issue_my_feed": ("POST", lambda p: "/calendar/feeds", expect(302)),
    "schedule_views.issue_class_feed": (
        "POST",
        lambda p: f"/classes/{p.klass.id}/calendar-feed",
        expect(403, class_teacher=302, academic_affairs=302, admin=302),
    ),
    "schedule_views.revoke_my_feed": (
        "POST",
        lambda p: f"/calendar/feeds/{_calendar_feed(p)[0]}/revoke",
        expect(404, anonymous=302, student=302),
    ),
    # No sign-in: the secret address is the permission (tests/app/schedule/test_calendar.py).
    "schedule_views.calendar_feed": (
        "GET",
        lambda p: f"/calendar/{_calendar_feed(p)[1]}.ics",
        expect(200, anonymous=200),
    ),
    # Catalog sources (app/catalog/source_routes.py): academic affairs and administrators of the school.
    "catalog.sources": ("GET", lambda p: "/catalog/sources", STAFF_ONLY),
    "catalog.source_new": ("GET", lambda p: "/catalog/sources/new?type=json", STAFF_ONLY),
    "catalog.source_detail": ("GET", lambda p: f"/catalog/sources/{_source(p).id}", SOURCE_MANAGERS),
    "catalog.source_edit": ("GET", lambda p: f"/catalog/sources/{_source(p).id}/edit", SOURCE_MANAGERS),
    "catalog.source_run": ("GET", lambda p: _source_run_url(p), SOURCE_MANAGERS),
    "catalog.source_test": ("POST", lambda p: f"/catalog/sources/{_source(p).id}/test", SOURCE_ACTIONS),
    "catalog.source_harvest": ("POST", lambda p: f"/catalog/sources/{_source(p).id}/harvest", SOURCE_ACTIONS),
    "catalog.source_delete": ("POST", lambda p: f"/catalog/sources/{_source(p).id}/delete", SOURCE_ACTIONS),
    # Participation (app/participation): attendance sheets, the not-reached list, records, progress.
    "participation.sheet": (
        "GET",
        lambda p: f"/participation/sessions/{_live_session(p)}/attendance",
        ATTENDANCE_VIEWERS,
    ),
    "participation.export_sheet": (
        "GET",
        lambda p: f"/participation/sessions/{_live_session(p)}/attendance.csv",
        ATTENDANCE_VIEWERS,
    ),
    "participation.override": (
        "POST",
        lambda p: (_attendance_url(p, "override"), {"status": "excused", "reason": "病假"}),
        ATTENDANCE_EDITORS,
    ),
    "participation.clear": ("POST", lambda p: _attendance_url(p, "clear"), ATTENDANCE_EDITORS),
    "participation.recompute": (
        "POST",
        lambda p: f"/participation/sessions/{_live_session(p)}/attendance/recompute",
        ATTENDANCE_EDITORS,
    ),
    "participation.my_record": ("GET", lambda p: "/participation/me", expect(403, student=200, other_student=200)),
    "participation.student_record": (
        "GET",
        lambda p: f"/participation/students/{p.student.id}",
        expect(403, student=200, teacher=200, class_teacher=200, academic_affairs=200, admin=200, foreign_admin=404),
    ),
    "participation.not_reached": (
        "GET",
        lambda p: "/participation/not-reached",
        expect(403, class_teacher=200, academic_affairs=200, foreign_admin=200),
    ),
    "participation.log_contact": (
        "POST",
        lambda p: (f"/participation/students/{p.student.id}/contacts", {"channel": "phone", "outcome": "reached"}),
        expect(403, class_teacher=303, academic_affairs=303, foreign_admin=404),
    ),
    "participation.open_resource": (
        "GET",
        lambda p: f"/participation/resources/{_resource(p, url='https://example.org/v').id}/open",
        expect(302, foreign_admin=403),
    ),
    "participation.watch": (
        "GET",
        lambda p: f"/participation/resources/{_video(p).id}/watch",
        expect(200, foreign_admin=403),
    ),
    # Reports (app/reports/routes.py): staff see their school, teachers their courses, class
    # teachers their class; another school's class is not found.
    "reports.dashboard_page": ("GET", lambda p: "/reports/", expect(200, student=403, other_student=403)),
    "reports.report_page": ("GET", lambda p: f"/reports/attendance?scope=class&id={p.klass.id}", REPORT_VIEWERS),
    "reports.download": ("GET", lambda p: f"/reports/attendance.xlsx?scope=class&id={p.klass.id}", REPORT_VIEWERS),
    "reports.daily": ("GET", lambda p: "/reports/daily", STAFF_ONLY),
    "reports.daily_download": (
        "GET",
        lambda p: f"/reports/daily/{_daily_report(p)}.xlsx",
        expect(403, academic_affairs=200, admin=200, foreign_admin=404),
    ),
    # A student's report without ranges is refused (422); staff reports are not recorded (200).
    "participation.report_progress": (
        "POST",
        lambda p: f"/participation/resources/{_video(p).id}/progress",
        expect(200, student=422, other_student=422, foreign_admin=403),
    ),
}


_previews = iter(range(1000))


def _timetable_preview(p) -> str:
    """The address of a clean timetable preview uploaded by the school's academic affairs (a
    lesson a week later each time, so an earlier confirmation does not clash with it)."""
    import io
    from datetime import date, timedelta

    from flask import current_app

    from tests.factories import PASSWORD

    day = date(2030, 3, 4) + timedelta(weeks=next(_previews))
    content = f"course,date,start,minutes\n{p.course.name},{day.isoformat()},10:00,15\n".encode()
    uploader = current_app.test_client()
    uploader.post("/login", data={"username": p.academic_affairs.username, "password": PASSWORD})
    response = uploader.post("/schedule/import", data={"file": (io.BytesIO(content), "timetable.csv")})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def _lesson(p):
    """A lesson of the people's course that is on now."""
    from tests.app.live.lessons import add_lesson

    return add_lesson(p.course)


def _notification_for(user) -> int:
    """A committed notification of `user`, for the rows that act on one."""
    from sqlalchemy import select

    from app.extensions import db
    from app.notify.models import Notification
    from app.notify.operations import notify_users

    notify_users([user.id], "session_created", {"course": "Maths"})
    db.session.commit()
    return db.session.scalar(select(Notification.id).where(Notification.user_id == user.id))


def _calendar_feed(p) -> tuple[int, str]:
    """The student's own calendar feed: its id and its secret."""
    from app.extensions import db
    from app.schedule.calendar_feeds import issue_feed

    feed, secret = issue_feed(p.student)
    db.session.commit()
    return feed.id, secret


# Pages anyone may open, and form targets whose effect on the signed-in user is tested elsewhere.
PUBLIC_OR_SELF = {
    "auth.login",
    "auth.logout",
    "auth.set_language",
    "auth.change_password",
    "auth.preferences",
    "auth.create_token",
    "auth.revoke_token",
    "api_docs.docs",
    "files.download",  # the signed link is the permission: tests/app/core/test_download_links.py
    "static",
}


def test_every_page_endpoint_is_in_the_matrix(app):
    pages = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api_docs.")
    }
    assert pages - set(MATRIX) - PUBLIC_OR_SELF == set()


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_page_access_per_role(app, people, login, endpoint):
    method, url_for_people, expected = MATRIX[endpoint]
    observed = {}
    for role in ROLES:
        # Built for each role, so a row that deletes or adds something gets a fresh target each time;
        # a row may give (url, form data) for its POST.
        target = url_for_people(people)
        url, data = target if isinstance(target, tuple) else (target, {"disabled": "0"} if method == "POST" else None)
        client = app.test_client()
        if role != "anonymous":
            assert login(getattr(people, role), test_client=client).status_code == 302
        response = client.open(url, method=method, data=data)
        observed[role] = response.status_code
    assert observed == expected


def test_student_never_sees_a_classmates_roster_or_another_class(client, people, login):
    login(people.student)
    page = client.get(f"/classes/{people.klass.id}").get_data(as_text=True)
    assert people.student.username not in page  # students see courses of their class, not the roster
    assert client.get(f"/classes/{people.other_class.id}").status_code == 403


def test_people_page_lists_only_the_viewers_school(client, people, login):
    login(people.foreign_admin)
    page = client.get("/people").get_data(as_text=True)
    assert people.foreign_admin.username in page
    assert people.student.username not in page


def _attendance_url(p, action: str) -> str:
    """A stored attendance record of the people's lesson (computed the way the room's close does)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.participation.attendance import compute_attendance
    from app.participation.models import AttendanceRecord

    session_id = _live_session(p)
    compute_attendance(session_id)
    record = db.session.scalar(select(AttendanceRecord).where(AttendanceRecord.session_id == session_id))
    if action == "clear":
        record.override_status, record.override_reason = "excused", "病假"
    db.session.commit()
    return f"/participation/sessions/{session_id}/attendance/{record.id}/{action}"


def _daily_report(p) -> int:
    """The people's school's stored daily report of a day (generated once for all the roles)."""
    from datetime import date

    from sqlalchemy import select

    from app.extensions import db
    from app.reports.daily import generate_daily_report
    from app.reports.models import DailyReport

    stored = db.session.scalar(select(DailyReport).where(DailyReport.school_id == p.school.id))
    if stored is None:
        stored = generate_daily_report(p.school.id, date(2026, 11, 5))
        db.session.commit()
    return stored.id


def _video(p):
    import uuid

    return _resource(p, storage_key=f"resources/{uuid.uuid4().hex}.mp4", content_type="video/mp4")


def _live_session(p) -> int:
    """A stored live session of the people's course (app/schedule), for its pages."""
    from datetime import UTC, datetime

    from app.extensions import db
    from app.schedule.models import LiveSession

    start = datetime(2030, 3, 4, 1, tzinfo=UTC)
    session = LiveSession(
        school_id=p.school.id,
        course_id=p.course.id,
        title="Live",
        starts_at=start,
        ends_at=start.replace(hour=2),
        original_starts_at=start,
    )
    session.classes = [p.klass]
    db.session.add(session)
    db.session.commit()
    return session.id

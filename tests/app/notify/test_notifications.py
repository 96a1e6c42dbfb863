"""Notifications: sent in bulk, rendered in the viewer's language and zone, read by their owner only."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notify.models import Notification
from app.notify.operations import mark_all_read, mark_read, notify_users

LESSON = {"course": "Maths 7A", "title": "Fractions", "starts_at": datetime(2026, 3, 4, 1, 0, tzinfo=UTC)}


def _notifications_of(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def test_notify_users_sends_one_notification_per_distinct_user_and_leaves_commit_to_the_caller(make_user):
    first, second = make_user(), make_user()
    added = notify_users([first.id, second.id, first.id], "session_created", LESSON, link="/today")
    assert added == 2
    db.session.rollback()  # nothing was committed by the operation
    assert _notifications_of(first) == []


def test_params_store_times_as_iso_utc_strings(make_user):
    student = make_user()
    notify_users([student.id], "session_cancelled", LESSON)
    db.session.commit()
    (stored,) = _notifications_of(student)
    assert stored.params["starts_at"] == "2026-03-04T01:00:00+00:00"
    assert stored.read_at is None


@pytest.mark.parametrize(
    "kind, link",
    [("no_such_kind", None), ("session_created", "https://evil.example/"), ("session_created", "//evil.example")],
)
def test_unknown_kinds_and_external_links_are_refused(make_user, kind, link):
    student = make_user()
    with pytest.raises(ValueError):
        notify_users([student.id], kind, LESSON, link=link)


def test_notifying_nobody_adds_nothing():
    assert notify_users([], "session_created", LESSON) == 0


def test_mark_read_refuses_another_users_notification(make_user):
    owner, other = make_user(), make_user()
    notify_users([owner.id], "session_created", LESSON)
    db.session.commit()
    (notification,) = _notifications_of(owner)
    with pytest.raises(PermissionError):
        mark_read(other, notification)
    mark_read(owner, notification)
    first_read = notification.read_at
    mark_read(owner, notification)
    assert notification.read_at == first_read


def test_mark_all_read_touches_only_the_users_own(make_user):
    owner, other = make_user(), make_user()
    notify_users([owner.id, other.id], "session_created", LESSON)
    notify_users([owner.id], "session_cancelled", LESSON)
    db.session.commit()
    assert mark_all_read(owner) == 2
    db.session.commit()
    assert all(n.read_at for n in _notifications_of(owner))
    assert all(n.read_at is None for n in _notifications_of(other))


def test_page_shows_messages_in_the_viewers_time_zone(client, login, make_user):
    london = make_user(timezone="Europe/London")
    shanghai = make_user(timezone="Asia/Shanghai")
    moved = {**LESSON, "old_starts_at": datetime(2026, 3, 3, 1, 0, tzinfo=UTC)}
    notify_users([london.id, shanghai.id], "session_moved", moved, link="/today")
    db.session.commit()
    login(london)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Maths 7A: Fractions has moved from Tue, Mar 3 01:00 to Wed, Mar 4 01:00." in page
    assert 'href="/today"' in page
    client.post("/logout")
    login(shanghai)
    page = client.get("/notifications").get_data(as_text=True)
    assert "from Tue, Mar 3 09:00 to Wed, Mar 4 09:00" in page


def test_page_speaks_the_viewers_language(client, login, make_user):
    student = make_user(locale="zh_Hans_CN", timezone="Asia/Shanghai")
    notify_users([student.id], "session_cancelled", LESSON)
    db.session.commit()
    login(student)
    page = client.get("/notifications").get_data(as_text=True)
    assert "3月4日周三 09:00" in page


def test_each_kind_has_its_own_message(client, login, make_user):
    student = make_user(timezone="Asia/Shanghai")
    for kind in ("session_created", "session_cancelled"):
        notify_users([student.id], kind, LESSON)
    db.session.commit()
    login(student)
    page = client.get("/notifications").get_data(as_text=True)
    assert "New lesson: Maths 7A: Fractions on Wed, Mar 4 09:00." in page
    assert "Maths 7A: Fractions on Wed, Mar 4 09:00 has been cancelled." in page


def test_a_student_sees_only_their_own_notifications(client, login, make_user):
    student, classmate = make_user(), make_user()
    notify_users([classmate.id], "session_created", {"course": "Secret course"})
    db.session.commit()
    login(student)
    assert "Secret course" not in client.get("/notifications").get_data(as_text=True)
    (theirs,) = _notifications_of(classmate)
    assert client.post(f"/notifications/{theirs.id}/read").status_code == 403
    assert client.post("/notifications/999999/read").status_code == 404


def test_navbar_badge_counts_unread_and_clears_when_read(client, login, make_user):
    student = make_user()
    notify_users([student.id], "session_created", LESSON)
    notify_users([student.id], "session_cancelled", LESSON)
    db.session.commit()
    login(student)
    home = client.get("/").get_data(as_text=True)
    assert 'id="unread-count">2<' in home
    (first, _second) = _notifications_of(student)
    assert client.post(f"/notifications/{first.id}/read").status_code == 302
    assert 'id="unread-count">1<' in client.get("/").get_data(as_text=True)
    assert client.post("/notifications/read-all").status_code == 302
    assert 'id="unread-count"' not in client.get("/").get_data(as_text=True)


def test_notifications_page_needs_sign_in(client):
    response = client.get("/notifications")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_series_and_bulk_cancellations_say_so_with_the_reason(client, login, make_user):
    student = make_user(timezone="Asia/Shanghai")
    notify_users([student.id], "session_created", {**LESSON, "series": 12})
    notify_users([student.id], "session_cancelled", {**LESSON, "occurrences": 3, "reason": "Exam week"})
    db.session.commit()
    login(student)
    page = client.get("/notifications").get_data(as_text=True)
    assert "New weekly lessons: Maths 7A: Fractions, starting Wed, Mar 4 09:00." in page
    assert "3 lessons of Maths 7A: Fractions from Wed, Mar 4 09:00 on have been cancelled. Reason: Exam week" in page

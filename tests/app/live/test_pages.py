"""The live room's pages: who gets which page, and what each phase of a lesson shows.

What happens inside the open room (chat, hands, check-in...) arrives over Socket.IO and is
tested in the events tests and in tests/e2e/test_live_lesson.py.
"""

import json
import re

import pytest

from app.extensions import db
from app.live import operations
from app.schedule.models import SessionStatus
from tests.app.live.lessons import add_lesson


def _config(page_html: str) -> dict:
    block = re.search(r'<script type="application/json" id="live-config">(.*?)</script>', page_html, re.S)
    return json.loads(block.group(1))


def _page(client, login, user, url):
    login(user)
    return client.get(url)


def test_an_enrolled_student_gets_the_open_room_with_its_socket_settings(client, login, people):
    lesson = add_lesson(people.course, starts_in_minutes=-5)

    response = _page(client, login, people.student, f"/live/{lesson.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="chat-form"' in page and 'id="hand-button"' in page and 'id="confused-button"' in page
    assert "I don't understand" in page
    config = _config(page)
    assert config["page"] == "room" and config["open"] is True and config["sessionId"] == lesson.id
    assert config["strings"]["raiseHand"] == "Raise hand"
    assert config["heartbeatSeconds"] == 15
    assert "/static/vendor/socket.io/socket.io.min.js" in page and "/static/js/live.js" in page


def test_the_pages_run_no_inline_script(client, login, people):
    lesson = add_lesson(people.course)
    for user, url in ((people.student, f"/live/{lesson.id}"), (people.teacher, f"/live/{lesson.id}/console")):
        page = _page(client, login, user, url).get_data(as_text=True)
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
        inline = [attrs for attrs, body in scripts if body.strip() and 'type="application/json"' not in attrs]
        assert inline == []
        assert "style=" not in page
        client.post("/logout")


def test_before_the_join_window_the_student_sees_a_countdown_and_no_room(client, login, people):
    lesson = add_lesson(people.course, starts_in_minutes=60)

    page = _page(client, login, people.student, f"/live/{lesson.id}").get_data(as_text=True)

    assert 'data-testid="live-waiting"' in page
    assert 'id="live-countdown"' in page and "data-opens-at=" in page
    opens_at = re.search(r'data-opens-at="([^"]+)"', page).group(1)
    assert opens_at == operations.opens_at(lesson).isoformat()
    assert 'id="chat-form"' not in page
    assert _config(page)["open"] is False


def test_the_room_opens_the_set_number_of_minutes_before_the_start(make_app, make_user, make_course, make_class, login):
    app = make_app(LIVE_JOIN_EARLY_MINUTES=30)
    klass = make_class()
    student = make_user(classes=[klass])
    lesson = add_lesson(make_course(classes=[klass]), starts_in_minutes=20)

    client = app.test_client()
    login(student, test_client=client)

    assert 'id="chat-form"' in client.get(f"/live/{lesson.id}").get_data(as_text=True)


def test_after_the_teacher_ends_the_lesson_the_room_is_read_only_with_its_chat(client, login, people):
    lesson = add_lesson(people.course)
    operations.open_room(people.teacher, lesson)
    operations.post_chat(people.student, lesson, {"text": "Is ½ bigger than ⅓?"})
    hidden = operations.post_chat(people.student, lesson, {"text": "a message the teacher removed"})
    operations.hide_chat(people.teacher, lesson, {"message_id": hidden.id})
    operations.post_chat(people.teacher, lesson, {"text": "<b>Yes</b>, it is."})
    operations.end_lesson(people.teacher, lesson)
    db.session.commit()

    page = _page(client, login, people.student, f"/live/{lesson.id}").get_data(as_text=True)

    assert 'data-testid="live-closed"' in page and "The room is read-only" in page
    assert "Is ½ bigger than ⅓?" in page
    assert "&lt;b&gt;Yes&lt;/b&gt;, it is." in page  # chat is plain text, escaped
    assert "removed" not in page
    assert 'id="chat-form"' not in page and 'id="hand-button"' not in page


def test_a_lesson_long_past_its_end_is_read_only_even_if_nobody_ended_it(client, login, people):
    lesson = add_lesson(people.course, starts_in_minutes=-180, minutes=40)

    page = _page(client, login, people.student, f"/live/{lesson.id}").get_data(as_text=True)

    assert 'data-testid="live-closed"' in page and "No messages." in page


def test_a_cancelled_lesson_says_so(client, login, people):
    lesson = add_lesson(people.course, status=SessionStatus.CANCELLED)

    page = _page(client, login, people.student, f"/live/{lesson.id}").get_data(as_text=True)

    assert 'data-testid="live-cancelled"' in page and 'id="chat-form"' not in page


def test_the_teacher_is_sent_from_the_room_to_the_console_with_every_control(client, login, people):
    lesson = add_lesson(people.course)

    response = _page(client, login, people.teacher, f"/live/{lesson.id}")
    assert response.status_code == 302 and response.location.endswith(f"/live/{lesson.id}/console")

    page = client.get(response.location).get_data(as_text=True)
    for control in ("checkin-button", "rollcall-button", "mute-all-button", "end-button", "poll-open-form"):
        assert f'id="{control}"' in page
    for panel in ("present-list", "missing-list", "hand-list", "confused-count", "checkin-code", "chat-list"):
        assert f'id="{panel}"' in page
    assert _config(page)["page"] == "console"


def test_academic_affairs_watch_the_console_without_the_controls(client, login, people):
    lesson = add_lesson(people.course)

    page = _page(client, login, people.academic_affairs, f"/live/{lesson.id}/console").get_data(as_text=True)

    assert 'id="present-list"' in page and 'id="missing-list"' in page
    assert 'id="end-button"' not in page and 'id="checkin-button"' not in page


def test_a_student_opening_the_console_lands_in_the_room(client, login, people):
    lesson = add_lesson(people.course)

    response = _page(client, login, people.student, f"/live/{lesson.id}/console")

    assert response.status_code == 302 and response.location.endswith(f"/live/{lesson.id}")


@pytest.mark.parametrize("person", ["other_student", "other_teacher", "admin", "foreign_admin"])
def test_people_outside_the_lesson_are_refused(client, login, people, person):
    lesson = add_lesson(people.course)

    assert _page(client, login, getattr(people, person), f"/live/{lesson.id}").status_code == 403
    assert client.get(f"/live/{lesson.id}/console").status_code == 403


def test_an_unknown_lesson_is_not_found(client, login, people):
    assert _page(client, login, people.student, "/live/999999").status_code == 404


def test_the_room_speaks_the_students_language(client, login, people):
    people.student.locale = "zh_Hans_CN"
    db.session.commit()
    lesson = add_lesson(people.course)

    page = _page(client, login, people.student, f"/live/{lesson.id}").get_data(as_text=True)

    assert '<html lang="zh-CN">' in page
    assert _config(page)["locale"] == "zh-CN"


def test_the_chat_box_takes_its_length_limit_from_the_setting(app, client, login, people):
    app.config["LIVE_CHAT_MAX_LENGTH"] = 120
    lesson = add_lesson(people.course)
    for user, url in ((people.student, f"/live/{lesson.id}"), (people.teacher, f"/live/{lesson.id}/console")):
        login(user)
        page = client.get(url).get_data(as_text=True)
        assert re.search(r'id="chat-text"[^>]*maxlength="120"', page), url
        assert _config(page)["chatMaxLength"] == 120
        client.post("/logout")

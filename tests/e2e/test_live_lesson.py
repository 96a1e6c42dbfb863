"""A whole live lesson in real browsers: a teacher and two students, each in their own browser
profile, against a real Kexu server process (pages and Socket.IO, gevent).

They join, chat, raise a hand, check in with the code read off the teacher's screen, answer a
poll; one student drops and comes back; the teacher ends the lesson. Then the database must
hold what happened: presence intervals (the dropped student's continued, not restarted),
messages, the called-on hand, the 不懂 press, check-ins, poll answers, who ended the lesson.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, text

from app.extensions import db
from app.live.models import (
    ChatMessage,
    CheckIn,
    ConfusionMark,
    HandRaise,
    LessonRoomState,
    Poll,
    PollAnswer,
    PresenceInterval,
)
from tests.app.live.lessons import add_lesson
from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.pages import horizontal_overflow, sign_in
from tests.factories import PASSWORD
from tests.live_server import live_server_factory  # noqa: F401 - a fixture

pytestmark = pytest.mark.e2e

CHECKIN_STEP_SECONDS = 3  # the code changes every 3 s here (10 s by default)


@pytest.fixture(autouse=True)
def _sqlite_wal(app, database_url):
    """The server process and the test share one SQLite file: WAL lets them read and write side by side."""
    if database_url.startswith("sqlite"):
        db.session.execute(text("PRAGMA journal_mode=WAL"))
        db.session.commit()


@pytest.fixture
def live_server(live_server_factory):  # noqa: F811 - the page fixtures browse this server
    """The app served by its real Socket.IO server process, as in production (CSRF on)."""
    server = live_server_factory(
        WTF_CSRF_ENABLED=True,
        BABEL_DEFAULT_LOCALE="en",
        LIVE_CHECKIN_STEP_SECONDS=CHECKIN_STEP_SECONDS,
        LIVE_CHECKIN_GRACE_SECONDS=1,
    )
    return server.url


@pytest.fixture
def lesson(people, make_user):
    """A lesson on now for people.klass: people.student, a second student who comes, one who does not."""
    second = make_user(classes=[people.klass], name="Li Lei")
    absent = make_user(classes=[people.klass], name="Han Meimei")
    people.student.name = "Wang Fang"
    people.teacher.name = "Teacher Zhang"
    db.session.commit()
    return add_lesson(people.course, starts_in_minutes=-3, minutes=40), second, absent


def _enter(open_page, user, path, width=1280):
    page = open_page(width=width)
    sign_in(page, user.username, PASSWORD)
    page.goto(path)
    expect(page.locator("#live-connection")).to_have_attribute("data-state", "connected")
    return page


def _say(page, words):
    page.locator("#chat-text").fill(words)
    page.locator("#chat-form button").click()


def _row(page, list_id, name):
    return page.locator(f"#{list_id} li", has_text=name)


def test_a_whole_lesson_with_a_teacher_and_two_students(open_page, people, lesson, console):
    lesson_, second, absent = lesson
    teacher = _enter(open_page, people.teacher, f"/live/{lesson_.id}")  # sent on to the console
    assert teacher.url.endswith(f"/live/{lesson_.id}/console")
    wang = _enter(open_page, people.student, f"/live/{lesson_.id}", width=375)  # on a phone
    li = _enter(open_page, second, f"/live/{lesson_.id}")

    # Who is here and who is missing, against the roster.
    expect(_row(teacher, "present-list", "Wang Fang")).to_be_visible()
    expect(_row(teacher, "present-list", "Li Lei")).to_be_visible()
    expect(_row(teacher, "missing-list", "Han Meimei")).to_be_visible()
    expect(teacher.locator("#present-count")).to_have_text("2")
    expect(wang.get_by_test_id("presence-count")).to_have_text("3 here")  # two students and the teacher
    assert horizontal_overflow(wang) == 0

    # Chat: everyone sees a message; the teacher deletes one for everyone.
    _say(wang, "Is ½ bigger than ⅓?")
    expect(li.locator("#chat-list li", has_text="Is ½ bigger than ⅓?")).to_be_visible()
    _say(li, "lol lol lol")
    spam = teacher.locator("#chat-list li", has_text="lol lol lol")
    spam.get_by_role("button", name="Delete").click()
    expect(wang.locator("#chat-list li", has_text="lol lol lol")).to_have_count(0)
    _say(teacher, "Yes: compare 3/6 with 2/6.")
    expect(wang.locator("#chat-list li", has_text="compare 3/6")).to_be_visible()

    # Mute one student; the console still shows who is muted after a reload.
    _row(teacher, "present-list", "Li Lei").get_by_role("button", name="Mute", exact=True).click()
    expect(li.locator("#muted-notice")).to_be_visible()
    teacher.reload()
    expect(teacher.locator("#live-connection")).to_have_attribute("data-state", "connected")
    muted_row = _row(teacher, "present-list", "Li Lei")
    expect(muted_row.get_by_test_id("muted-badge")).to_have_text("muted")
    muted_row.get_by_role("button", name="Unmute", exact=True).click()
    expect(li.locator("#muted-notice")).to_be_hidden()
    expect(muted_row.get_by_test_id("muted-badge")).to_have_count(0)

    # Raise a hand; the teacher calls on it from the queue.
    wang.locator("#hand-button").click()
    expect(wang.locator("#hand-button")).to_have_text("Lower hand")
    hand = _row(teacher, "hand-list", "Wang Fang")
    expect(hand).to_be_visible()
    hand.get_by_role("button", name="Call on").click()
    expect(wang.locator("#live-notice")).to_have_text("The teacher calls on you!")
    expect(wang.locator("#hand-button")).to_have_text("Raise hand")
    expect(teacher.locator("#hand-list li")).to_have_count(0)

    # 不懂: the teacher's count rises live.
    li.locator("#confused-button").click()
    expect(teacher.get_by_test_id("confused-count")).to_have_text("1")

    # Check-in: the code on the teacher's screen changes every few seconds.
    teacher.locator("#checkin-button").click()
    code_box = teacher.get_by_test_id("checkin-code")
    expect(code_box).to_have_text(re.compile(r"^\w{4,}$"))
    first_code = code_box.inner_text()
    expect(wang.get_by_test_id("checkin-card")).to_be_visible()
    wang.locator("#checkin-code").fill(first_code)
    wang.locator("#checkin-form button").click()
    expect(wang.locator("#checkin-status")).to_have_text("You are checked in.")
    expect(code_box).not_to_have_text(first_code, timeout=(CHECKIN_STEP_SECONDS + 5) * 1000)
    li.locator("#checkin-code").fill(first_code + "0")  # a wrong code is refused
    li.locator("#checkin-form button").click()
    expect(li.locator("#live-notice")).to_contain_text("not valid")
    li.locator("#checkin-code").fill(code_box.inner_text())
    li.locator("#checkin-form button").click()
    expect(li.locator("#checkin-status")).to_have_text("You are checked in.")
    expect(teacher.get_by_test_id("checked-in-count")).to_have_text("2")

    # A quick poll with a live tally, then revealed to the students.
    teacher.locator("#poll-question").fill("Which is bigger?")
    teacher.locator("#poll-options").fill("1/2\n1/3")
    teacher.locator("#poll-open-form button").click()
    for student, choice in ((wang, "1/2"), (li, "1/3")):
        expect(student.locator("#poll-question")).to_have_text("Which is bigger?")
        student.get_by_label(choice, exact=True).check()
        student.locator("#poll-form button").click()
        expect(student.locator("#poll-status")).to_have_text("Answer sent.")
    expect(teacher.locator("#poll-answers")).to_have_text("2 answered")
    teacher.get_by_role("button", name="Close and show results").click()
    expect(wang.get_by_test_id("poll-results")).to_contain_text("1/2: 1")
    expect(wang.get_by_test_id("poll-results")).to_contain_text("1/3: 1")

    # Li Lei's phone drops (the page is gone), then comes back: the same presence continues.
    li_context = li.context
    li.close()
    expect(_row(teacher, "missing-list", "Li Lei")).to_be_visible()
    li = li_context.new_page()
    li.set_default_timeout(TIMEOUT_MS)
    li.goto(f"/live/{lesson_.id}")
    expect(li.locator("#live-connection")).to_have_attribute("data-state", "connected")
    expect(_row(teacher, "present-list", "Li Lei")).to_be_visible()
    expect(li.locator("#chat-list li", has_text="Is ½ bigger than ⅓?")).to_be_visible()  # the history is back

    # The end: the room turns read-only for everyone, and stays so.
    teacher.once("dialog", lambda dialog: dialog.accept())
    teacher.locator("#end-button").click()
    for page in (wang, li, teacher):
        expect(page.locator("#live-ended")).to_be_visible()
        expect(page.locator("#chat-form button")).to_be_disabled()
    wang.reload()
    expect(wang.get_by_test_id("live-closed")).to_be_visible()
    expect(wang.get_by_test_id("chat-history")).to_contain_text("compare 3/6")
    expect(wang.get_by_test_id("chat-history")).not_to_contain_text("lol lol lol")

    _assert_recorded(lesson_, people, second, absent)
    # No script failed on any page (a missing favicon is the only resource allowed to 404).
    assert [error for error in console.errors if not error.startswith("Failed to load resource")] == []


def _assert_recorded(lesson, people, second, absent):
    """What the database says happened in the lesson."""
    db.session.rollback()  # a fresh snapshot of what the server committed
    intervals = db.session.scalars(select(PresenceInterval).where(PresenceInterval.session_id == lesson.id)).all()
    by_user: dict[int, list[PresenceInterval]] = {}
    for interval in intervals:
        by_user.setdefault(interval.user_id, []).append(interval)
    assert set(by_user) == {people.teacher.id, people.student.id, second.id}
    assert absent.id not in by_user
    # One interval each: Li Lei's drop and return continued the interval instead of starting a new one.
    assert {user_id: len(rows) for user_id, rows in by_user.items()} == {
        people.teacher.id: 1,
        people.student.id: 1,
        second.id: 1,
    }
    room = db.session.scalar(select(LessonRoomState).where(LessonRoomState.session_id == lesson.id))
    assert room.ended_by_id == people.teacher.id and room.closed_at is not None
    for interval in intervals:
        assert interval.ended_at == room.closed_at  # all three were there at the end
        assert interval.seconds > 0

    messages = db.session.scalars(select(ChatMessage).where(ChatMessage.session_id == lesson.id)).all()
    assert [(m.user_id, m.text, m.hidden) for m in messages] == [
        (people.student.id, "Is ½ bigger than ⅓?", False),
        (second.id, "lol lol lol", True),
        (people.teacher.id, "Yes: compare 3/6 with 2/6.", False),
    ]
    assert messages[1].hidden_by_id == people.teacher.id

    hand = db.session.scalars(select(HandRaise).where(HandRaise.session_id == lesson.id)).one()
    assert hand.user_id == people.student.id and hand.called_at is not None

    marks = db.session.scalars(select(ConfusionMark.user_id).where(ConfusionMark.session_id == lesson.id)).all()
    assert marks == [second.id]

    checked_in = db.session.scalars(select(CheckIn.user_id).order_by(CheckIn.checked_in_at)).all()
    assert checked_in == [people.student.id, second.id]

    poll = db.session.scalars(select(Poll).where(Poll.session_id == lesson.id)).one()
    assert poll.closed_at is not None and poll.revealed
    answers = dict(db.session.execute(select(PollAnswer.user_id, PollAnswer.choices)).all())
    assert answers == {people.student.id: [0], second.id: [1]}


def test_the_console_and_the_waiting_page_fit_a_phone(open_page, people, lesson):
    lesson_, second, _ = lesson
    later = add_lesson(people.course, starts_in_minutes=90, title="Decimals")

    teacher = _enter(open_page, people.teacher, f"/live/{lesson_.id}/console", width=375)
    expect(_row(teacher, "missing-list", "Li Lei")).to_be_visible()
    assert horizontal_overflow(teacher) == 0

    student = open_page(width=375)
    sign_in(student, second.username, PASSWORD)
    student.goto(f"/live/{later.id}")
    expect(student.locator("#live-countdown")).to_have_text(re.compile(r"^Opens in 1:\d\d:\d\d$"))
    assert student.locator("#chat-form").count() == 0
    assert horizontal_overflow(student) == 0

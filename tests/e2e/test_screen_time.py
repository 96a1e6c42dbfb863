"""On a phone, a student over today's limit sees the banner on the watch page, and after the
stage's longest sitting of playing the page suggests a break; the video is never stopped."""

import pytest

from app.core.models import utcnow
from app.extensions import db
from app.participation.models import ResourceStudyDay
from app.participation.study_time import local_today
from app.schedule.models import PolicySetting
from tests.app.participation.test_screen_time import video
from tests.e2e.pages import horizontal_overflow, sign_in

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 375


def play(page):
    """The player starts playing (no media file is served in tests)."""
    page.evaluate("document.getElementById('progress-video').dispatchEvent(new Event('playing'))")


def test_a_break_is_suggested_after_one_sitting_of_playing(open_page, console, people):
    # A one-minute sitting stands in for the stage's 30 minutes; the browser's clock is faked.
    db.session.add(
        PolicySetting(
            school_id=people.school.id,
            stage=people.klass.stage,
            rules={"max_daily_minutes": 240, "max_lesson_minutes": 1},
        )
    )
    today = local_today(people.student, utcnow())
    db.session.add(ResourceStudyDay(student_id=people.student.id, day=today, seconds=250 * 60))
    db.session.commit()
    resource = video(people.school)

    page = open_page(locale="en-US", width=PHONE_WIDTH)
    sign_in(page, people.student.username, "correct horse 42")
    page.clock.install()
    page.goto(f"/participation/resources/{resource.id}/watch")
    banner = page.get_by_test_id("screen-time")
    assert "250.0 of 240 minutes" in banner.inner_text()
    reminder = page.get_by_test_id("screen-break")
    assert reminder.is_hidden()
    assert horizontal_overflow(page) == 0

    # Paused time does not count.
    page.clock.fast_forward("02:00")
    assert reminder.is_hidden()

    # 40 s of playing is not yet a sitting.
    play(page)
    page.clock.fast_forward("00:40")
    assert reminder.is_hidden()
    page.clock.fast_forward("00:25")
    assert reminder.is_visible()
    assert "watched for 1 minutes in a row" in reminder.inner_text()
    assert horizontal_overflow(page) == 0

    # "OK" starts a new sitting: the reminder comes back only after another full minute.
    page.get_by_role("button", name="OK").click()
    assert reminder.is_hidden()
    play(page)  # the fake player is paused again after the click; a real one plays on
    page.clock.fast_forward("00:40")
    assert reminder.is_hidden()
    page.clock.fast_forward("00:25")
    assert reminder.is_visible()
    # Only the missing media file may complain (tests store no file).
    assert [e for e in console.errors if "404" not in e and "Failed to load" not in e] == []

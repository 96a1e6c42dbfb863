"""Academic affairs imports a timetable in a real browser: from the week overview to the import
page, a file with a problem is refused row by row, a clean one is previewed, then stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.schedule.models import LiveSession
from tests.e2e.pages import horizontal_overflow, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 375


def _csv(tmp_path, name: str, rows: str):
    path = tmp_path / name
    path.write_text("course,date,start,minutes,weekdays,count\n" + rows, encoding="utf-8")
    return str(path)


def test_academic_affairs_imports_a_timetable_after_a_preview(open_page, people, tmp_path):
    course = people.course.code
    bad = _csv(tmp_path, "bad.csv", f"{course},2030-03-04,10:00,15,,\nPhysics,2030-03-05,10:00,15,,\n")
    good = _csv(tmp_path, "good.csv", f"{course},2030-03-04,10:00,15,Mon;Wed,4\n")
    page = open_page(width=PHONE_WIDTH)
    sign_in(page, people.academic_affairs.username, PASSWORD)
    page.goto("/schedule/overview")
    with page.expect_navigation():
        page.locator("#timetable-import-link").click()
    with page.expect_download() as template:
        page.locator("#template-csv").click()
    assert template.value.suggested_filename == "timetable-template.csv"

    page.locator("#timetable-file").set_input_files(bad)
    with page.expect_navigation():
        page.get_by_role("button", name="Check and preview").click()
    problems = page.locator("#import-problems tbody tr")
    assert problems.count() == 1 and problems.first.locator("td").first.inner_text() == "3"
    assert "No course of this school" in problems.first.inner_text()

    page.locator("#timetable-file").set_input_files(good)
    with page.expect_navigation():
        page.get_by_role("button", name="Check and preview").click()
    assert "4 lessons will be created" in page.locator("#import-summary").inner_text()
    assert horizontal_overflow(page) == 0
    assert db.session.scalar(select(func.count(LiveSession.id))) == 0

    with page.expect_navigation():
        page.locator("#confirm-import").click()
    assert "4 lessons created" in page.locator("#import-done").inner_text()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(LiveSession.id))) == 4

"""A term-sized attendance change is rolled up by the next rebuild, not inside its own call; until
then every page, API answer and export over those days says their figures are being rebuilt."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.participation.attendance import recompute_sessions
from app.reports.daily import run_due
from app.reports.stale import clear_stale, mark_stale, stale_ranges

MONDAY = date(2026, 11, 2)
DAYS = [MONDAY + timedelta(days=n) for n in range(3)]
ARGS = {"from": DAYS[0].isoformat(), "to": DAYS[-1].isoformat()}


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), ZoneInfo("Asia/Shanghai")).astimezone(ZoneInfo("UTC"))


@pytest.fixture
def recomputed(app, lesson_people, make_lesson, stay):
    """Three days of lessons, everyone present, recomputed at once above the inline limit."""
    app.config["REPORTS_INLINE_REFRESH_STUDENT_DAYS"] = 5  # 3 students x 3 days = 9
    lessons = [make_lesson(lesson_people.course, starts_at=_at(day, 9)) for day in DAYS]
    for lesson in lessons:
        for student in lesson_people.students:
            stay(lesson, student, 0, 40)
    db.session.commit()
    recompute_sessions([lesson.id for lesson in lessons], now=lessons[-1].ends_at + timedelta(hours=1))
    db.session.commit()
    return lessons


@pytest.fixture
def affairs(app, login, people):
    client = app.test_client()
    assert login(people.academic_affairs, test_client=client).status_code == 302
    return client


@pytest.fixture
def api(client, bearer, people):
    headers = bearer(people.academic_affairs)

    def get(args):
        answer = client.get("/api/v1/reports/attendance", query_string=args, headers=headers)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    return get


def _class_args(people):
    return {**ARGS, "scope": "class", "id": people.klass.id}


def test_a_large_recomputation_marks_its_days_and_every_answer_says_so(people, recomputed, affairs, api):
    assert stale_ranges(people.school.id) == [(DAYS[0], DAYS[-1])]
    page = affairs.get("/reports/attendance", query_string=_class_args(people)).get_data(as_text=True)
    assert 'data-testid="rebuilding"' in page and "2026-11-02 – 2026-11-04" in page
    dashboard = affairs.get("/reports/", query_string=_class_args(people)).get_data(as_text=True)
    assert 'data-testid="rebuilding"' in dashboard
    answer = api(_class_args(people))
    assert answer["rebuilding"] == [{"from": "2026-11-02", "to": "2026-11-04"}]
    book = load_workbook(io.BytesIO(affairs.get("/reports/attendance.xlsx", query_string=_class_args(people)).data))
    lines = [row[0].value for row in book.worksheets[0].iter_rows(max_row=6)]
    assert "Being rebuilt: 2026-11-02 – 2026-11-04" in lines
    # Days outside the marked ones carry no notice.
    later = {**_class_args(people), "from": "2026-11-10", "to": "2026-11-12"}
    assert 'data-testid="rebuilding"' not in affairs.get("/reports/attendance", query_string=later).get_data(
        as_text=True
    )
    assert api(later)["rebuilding"] == []


def test_flask_reports_refresh_stale_rebuilds_the_days_and_the_notice_goes(app, people, recomputed, affairs, api):
    before = api(_class_args(people))
    rate = {f["key"]: f["value"] for f in before["figures"]}["attendance_rate"]
    assert rate is None  # nothing of the change is rolled up yet: hence the notice
    result = app.test_cli_runner().invoke(args=["reports", "refresh", "--stale"])
    assert result.exit_code == 0, result.output
    assert f"School {people.school.id}: 3 days rebuilt" in result.output
    assert stale_ranges(people.school.id) == []
    again = app.test_cli_runner().invoke(args=["reports", "refresh", "--stale", "--school", str(people.school.id)])
    assert "No days are waiting for a rebuild." in again.output
    after = api(_class_args(people))
    assert {f["key"]: f["value"] for f in after["figures"]}["attendance_rate"] == 1.0
    assert after["rebuilding"] == []
    assert 'data-testid="rebuilding"' not in affairs.get(
        "/reports/attendance", query_string=_class_args(people)
    ).get_data(as_text=True)


def test_the_periodic_check_rebuilds_a_bounded_number_of_days_earliest_first(people, recomputed):
    run_due(now=_at(MONDAY, 1), stale_days=2)  # before the daily hour: no daily report is due
    db.session.commit()
    assert stale_ranges(people.school.id) == [(DAYS[2], DAYS[2])]
    run_due(now=_at(MONDAY, 1), stale_days=2)
    db.session.commit()
    assert stale_ranges(people.school.id) == []


def test_a_small_change_is_still_rolled_up_at_once(app, people, lesson_people, make_lesson, stay):
    app.config["REPORTS_INLINE_REFRESH_STUDENT_DAYS"] = 5
    lesson = make_lesson(lesson_people.course, starts_at=_at(MONDAY, 9))
    stay(lesson, lesson_people.students[0], 0, 40)
    db.session.commit()
    recompute_sessions([lesson.id], now=lesson.ends_at + timedelta(hours=1))  # 3 students x 1 day
    db.session.commit()
    assert stale_ranges(people.school.id) == []
    from app.reports.report import Scope, build_report

    scope = Scope(people.school.id, "class", people.klass.id, MONDAY, MONDAY)
    assert build_report("attendance", scope).figure("attendance_rate").value == pytest.approx(1 / 3, abs=1e-4)


def test_rebuilding_part_of_a_marked_range_keeps_the_rest(people):
    mark_stale(people.school.id, date(2026, 9, 1), date(2026, 9, 30))
    mark_stale(people.school.id, date(2026, 9, 20), date(2026, 10, 5))
    clear_stale(people.school.id, date(2026, 9, 10), date(2026, 9, 12))
    assert stale_ranges(people.school.id) == [
        (date(2026, 9, 1), date(2026, 9, 9)),
        (date(2026, 9, 13), date(2026, 10, 5)),
    ]
    assert stale_ranges(people.school.id, date(2026, 9, 5), date(2026, 9, 15)) == [
        (date(2026, 9, 5), date(2026, 9, 9)),
        (date(2026, 9, 13), date(2026, 9, 15)),
    ]

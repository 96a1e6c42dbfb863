"""Academic affairs follows a figure of the report dashboard down to a class and one student in
a real browser, and the XLSX it downloads holds the numbers the page showed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from tests.app.reports.page_data import week_of_lessons
from tests.e2e.pages import horizontal_overflow, sign_in

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 375


def _a_past_monday() -> date:
    today = date.today()
    return today - timedelta(days=today.weekday() + 14)


def _number(text: str) -> float | None:
    """A number as the page shows it ("80.0%", "1,234", "40 min"), or None for "—"."""
    found = re.search(r"-?[\d,]+(?:\.\d+)?", text)
    return float(found.group().replace(",", "")) if found else None


def _page_rows(page, table: str) -> dict[str, list[float | None]]:
    """Row label -> the numbers of the row's other cells, as shown."""
    rows = {}
    for row in page.locator(f'[data-testid="table-{table}"] tbody tr').all():
        label = row.locator("th").inner_text().strip()
        rows[label] = [_number(cell.inner_text()) for cell in row.locator("td").all()]
    return rows


def _sheet_rows(path, columns: int) -> dict[str, list[float | None]]:
    """Row label -> the numbers of the row, below the filter lines and the header row."""
    sheet = load_workbook(path, read_only=True).worksheets[0]
    lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    header = next(n for n, line in enumerate(lines) if line and line[0] and ":" not in str(line[0]))
    rows = {}
    for line in lines[header + 1 :]:
        values = [None if value in (None, "") else float(value) if isinstance(value, int | float) else value
                  for value in line[1:columns]]  # fmt: skip
        rows[str(line[0])] = [value if not isinstance(value, str) else _number(value) for value in values]
    return rows, lines[: header + 1]


@pytest.fixture
def week(app, people, make_user):
    return week_of_lessons(people, make_user, _a_past_monday())


def test_academic_affairs_drills_from_the_dashboard_to_a_student_and_the_xlsx_matches(
    open_page, console, people, week, tmp_path
):
    page = open_page(locale="en-US")
    sign_in(page, people.academic_affairs.username, "correct horse 42")
    page.goto("/reports/")
    page.locator("#filter-from").fill(week.first.isoformat())
    page.locator("#filter-to").fill(week.last.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert f"from={week.first.isoformat()}" in page.url  # a shareable address
    rate = page.locator('[data-figure="attendance_rate"] .figure-value').inner_text()
    # 5 lessons x 4 students: 5 + 5 (late) + 3 attended of 20.
    assert _number(rate) == pytest.approx(65.0)
    assert page.locator('[data-testid="chart-attendance_trend"] canvas[data-drawn="true"]').count() == 1

    with page.expect_navigation():
        page.locator('[data-figure="attendance_rate"] a').click()
    assert "/reports/attendance" in page.url
    for kind, unit in (("grade", people.klass.parent), ("class", people.klass)):
        _drill(page, kind, unit.id, unit.name)
    crumbs = page.locator('[data-testid="breadcrumbs"] li').all_inner_texts()
    assert [c.strip() for c in crumbs] == [people.school.name, people.klass.parent.name, people.klass.name]

    shown = _page_rows(page, "breakdown")
    assert set(shown) == {"迟到生", "缺课生", "未到生", people.student.name}
    with page.expect_download() as info:
        page.locator('[data-testid="download-xlsx-breakdown"]').click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert people.klass.name in download.suggested_filename
    path = tmp_path / "class.xlsx"
    download.save_as(path)
    in_file, filters = _sheet_rows(path, columns=len(next(iter(shown.values()))) + 1)
    assert any(people.klass.name in str(line[0]) for line in filters if line and line[0])
    for name, numbers in shown.items():
        assert in_file[name][1:] == pytest.approx(numbers[1:]), name  # after the class column
    assert in_file["Total"][1:] == pytest.approx(_page_total(page))

    _drill(page, "student", week.students.late.id, "迟到生")
    assert page.locator('[data-testid="table-breakdown"] tbody tr').count() == 5  # the five lessons
    assert page.locator('[data-testid="breadcrumbs"] li').last.inner_text().strip() == "迟到生"
    with page.expect_navigation():
        page.locator('[data-testid="breadcrumbs"] a', has_text=people.klass.name).click()
    assert _page_rows(page, "breakdown") == shown
    # No script error and nothing blocked (the browser's own favicon request may 404).
    assert [error for error in console.errors if not error.startswith("Failed to load resource")] == []


def _drill(page, kind: str, ident: int, name: str) -> None:
    """Follow the row link of the breakdown table to one unit or student."""
    link = page.locator(f'[data-testid="table-breakdown"] a[data-testid="drill"][href*="scope={kind}&id={ident}&"]')
    assert link.inner_text().strip() == name
    with page.expect_navigation():
        link.click()


def _page_total(page) -> list[float | None]:
    cells = page.locator('[data-testid="table-breakdown"] tfoot td').all()
    return [_number(cell.inner_text()) for cell in cells][1:]


def test_the_dashboard_fits_a_phone_and_draws_its_charts(open_page, console, people, week):
    page = open_page(locale="zh-CN", width=PHONE_WIDTH)
    sign_in(page, people.academic_affairs.username, "correct horse 42")
    for path in (
        f"/reports/?from={week.first}&to={week.last}",
        f"/reports/attendance?scope=class&id={people.klass.id}&from={week.first}&to={week.last}",
        f"/reports/study-time?from={week.first}&to={week.last}",
    ):
        assert page.goto(path).status == 200, path
        assert horizontal_overflow(page) == 0, path
        drawn = page.locator('canvas[data-drawn="true"]').count()
        assert drawn == page.locator("canvas[data-chart]").count() > 0, path
    assert console.csp_violations == []

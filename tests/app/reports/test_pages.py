"""The report pages through the test client: who sees which scope, what bad filters answer,
and the downloads."""

from __future__ import annotations

import io
from datetime import date
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from openpyxl import load_workbook

from tests.app.reports.page_data import week_of_lessons

REPORTS = ["delivery", "attendance", "at-risk", "study-time", "resources", "teachers"]
DAYS = {"from": "2026-11-01", "to": "2026-11-07"}


def _get(client, path, **args):
    return client.get(path, query_string={**DAYS, **args})


@pytest.fixture
def signed_in(app, login):
    def sign_in(user):
        client = app.test_client()
        assert login(user, test_client=client).status_code == 302
        return client

    return sign_in


def test_academic_affairs_sees_the_dashboard_with_every_scope_of_the_school(signed_in, people):
    page = _get(signed_in(people.academic_affairs), "/reports/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="pick"' in html and 'name="from"' in html and 'name="to"' in html
    for key in (f"school:{people.school.id}", f"class:{people.klass.id}", f"class:{people.other_class.id}",
                f"course:{people.course.id}", f"teacher:{people.teacher.id}"):  # fmt: skip
        assert f'value="{key}"' in html, key
    assert "vendor/chartjs/chart.umd.js" in html


@pytest.mark.parametrize("name", REPORTS)
def test_academic_affairs_opens_every_report_for_the_school_and_a_class(signed_in, people, name):
    client = signed_in(people.academic_affairs)
    assert _get(client, f"/reports/{name}").status_code == 200
    assert _get(client, f"/reports/{name}", scope="class", id=people.klass.id).status_code == 200
    assert _get(client, f"/reports/{name}", scope="student", id=people.student.id).status_code == 200


def test_the_filter_form_leads_to_a_shareable_address_with_scope_and_id(signed_in, people):
    answer = _get(signed_in(people.academic_affairs), "/reports/attendance", pick=f"class:{people.klass.id}")
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert urlsplit(answer.headers["Location"]).path == "/reports/attendance"
    assert query == {"scope": ["class"], "id": [str(people.klass.id)], "from": [DAYS["from"]], "to": [DAYS["to"]]}


def test_the_filter_form_keeps_only_the_filters(signed_in, people):
    client = signed_in(people.academic_affairs)
    answer = _get(client, "/reports/", pick=f"class:{people.klass.id}", endpoint="x", _external="1")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/reports/?")
    assert set(parse_qs(urlsplit(answer.headers["Location"]).query)) == {"scope", "id", "from", "to"}
    assert _get(client, "/reports/", pick="nonsense").status_code == 302


def test_a_teacher_sees_their_courses_and_nothing_else(signed_in, people):
    client = signed_in(people.teacher)
    html = _get(client, "/reports/").get_data(as_text=True)
    assert f'value="course:{people.course.id}"' in html
    assert f'value="course:{people.other_course.id}"' not in html
    assert f'value="school:{people.school.id}"' not in html
    assert _get(client, "/reports/delivery", scope="course", id=people.course.id).status_code == 200
    assert _get(client, "/reports/attendance", scope="student", id=people.student.id).status_code == 200
    assert _get(client, "/reports/delivery", scope="course", id=people.other_course.id).status_code == 403
    assert _get(client, "/reports/delivery", scope="school").status_code == 403
    assert _get(client, "/reports/attendance", scope="class", id=people.klass.id).status_code == 403
    assert _get(client, "/reports/attendance", scope="student", id=people.other_student.id).status_code == 403


def test_a_class_teacher_sees_their_class_and_its_students(signed_in, people):
    client = signed_in(people.class_teacher)
    html = _get(client, "/reports/").get_data(as_text=True)
    assert f'value="class:{people.klass.id}"' in html
    assert _get(client, "/reports/attendance", scope="class", id=people.klass.id).status_code == 200
    assert _get(client, "/reports/attendance", scope="student", id=people.student.id).status_code == 200
    assert _get(client, "/reports/attendance", scope="class", id=people.other_class.id).status_code == 403
    assert _get(client, "/reports/attendance", scope="student", id=people.other_student.id).status_code == 403


def test_students_get_no_reports(signed_in, people):
    client = signed_in(people.student)
    assert _get(client, "/reports/").status_code == 403
    assert _get(client, "/reports/attendance").status_code == 403
    assert _get(client, "/reports/attendance.csv").status_code == 403
    assert client.get("/reports/daily").status_code == 403


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"from": "2026-13-01"}, "From", "Enter a date as YYYY-MM-DD."),
        ({"to": "yesterday"}, "To", "Enter a date as YYYY-MM-DD."),
        ({"from": "2026-11-08", "to": "2026-11-01"}, "From", "The start date must not be after the end date."),
        ({"from": "2024-01-01", "to": "2026-11-01"}, "To", "Choose a range of at most 366 days."),
        ({"scope": "planet", "id": "1"}, "Scope", "Unknown scope."),
        ({"scope": "class", "id": "abc"}, "Scope", "Choose what to report on."),
    ],
)
def test_bad_filters_show_the_page_with_an_error_naming_the_field(signed_in, people, args, field, message):
    client = signed_in(people.academic_affairs)
    for path in ("/reports/", "/reports/attendance"):
        answer = _get(client, path, **args)
        assert answer.status_code == 400, path
        html = answer.get_data(as_text=True)
        assert 'data-testid="report-error"' in html
        assert f"<strong>{field}</strong>: {message}" in html
        assert 'name="pick"' in html  # the form is there to correct the filter


def test_another_schools_class_is_not_found(signed_in, people, make_class, make_grade):
    foreign_class = make_class(grade=make_grade(parent=people.other_school))
    client = signed_in(people.academic_affairs)
    answer = _get(client, "/reports/attendance", scope="class", id=foreign_class.id)
    assert answer.status_code == 404
    assert "There is no such class in your school." in answer.get_data(as_text=True)
    assert _get(client, "/reports/attendance.xlsx", scope="class", id=foreign_class.id).status_code == 404
    assert _get(client, "/reports/attendance.csv", scope="planet", id=1).status_code == 400


@pytest.mark.parametrize("ident", ["99999999999999999999", "2147483648", "0"])
def test_an_id_that_cannot_exist_is_not_found(signed_in, people, ident):
    client = signed_in(people.academic_affairs)
    for kind in ("class", "course", "student"):
        assert _get(client, "/reports/attendance", scope=kind, id=ident).status_code == 404, kind


def test_an_unknown_report_is_not_found(signed_in, people):
    client = signed_in(people.academic_affairs)
    assert _get(client, "/reports/grades").status_code == 404
    assert _get(client, "/reports/grades.csv").status_code == 404


@pytest.fixture
def week(people, make_user):
    return week_of_lessons(people, make_user, date(2026, 11, 2))


def _week_args(week, **args):
    return {"from": week.first.isoformat(), "to": week.last.isoformat(), **args}


def test_dashboard_figures_open_their_reports_for_the_same_scope(signed_in, people, week):
    client = signed_in(people.academic_affairs)
    html = client.get("/reports/", query_string=_week_args(week)).get_data(as_text=True)
    assert '<div class="small text-body-secondary">Attendance rate</div>' in html
    assert "65.0%" in html  # 13 of 20 student-lessons attended
    expected = (
        f'href="/reports/attendance?scope=school&amp;id={people.school.id}&amp;from={week.first}&amp;to={week.last}"'
    )
    assert expected in html
    assert 'data-chart="{&#34;kind&#34;: &#34;line&#34;, &#34;unit&#34;: &#34;%&#34;' in html


def test_rows_drill_down_to_the_level_below_and_breadcrumbs_lead_back(signed_in, people, week):
    client = signed_in(people.academic_affairs)
    grade = people.klass.parent
    school_page = client.get("/reports/attendance", query_string=_week_args(week)).get_data(as_text=True)
    assert f"scope=grade&amp;id={grade.id}&amp;" in school_page
    class_page = client.get(
        "/reports/attendance", query_string=_week_args(week, scope="class", id=people.klass.id)
    ).get_data(as_text=True)
    assert f"scope=student&amp;id={week.students.late.id}&amp;" in class_page
    crumbs = class_page[class_page.index('data-testid="breadcrumbs"') :].split("</ol>")[0]
    assert f"scope=school&amp;id={people.school.id}" in crumbs and f"scope=grade&amp;id={grade.id}" in crumbs
    assert 'aria-current="page">' + people.klass.name in crumbs


def test_a_teacher_drilled_to_a_student_is_led_back_through_their_course(signed_in, people, week):
    client = signed_in(people.teacher)
    page = client.get(
        "/reports/attendance", query_string=_week_args(week, scope="student", id=week.students.late.id)
    ).get_data(as_text=True)
    crumbs = page[page.index('data-testid="breadcrumbs"') :].split("</ol>")[0]
    assert f"scope=course&amp;id={people.course.id}" in crumbs
    assert "scope=school" not in crumbs and "scope=class" not in crumbs


def test_csv_download_has_the_filters_above_the_table_and_a_utf8_file_name(signed_in, people, week):
    client = signed_in(people.academic_affairs)
    answer = client.get(
        "/reports/attendance.csv", query_string=_week_args(week, scope="class", id=people.klass.id, table="breakdown")
    )
    assert answer.status_code == 200
    disposition = answer.headers["Content-Disposition"]
    filename = unquote(disposition.split("filename*=UTF-8''")[1])
    assert filename.endswith(f"{week.first}_{week.last}.csv") and people.klass.name in filename
    lines = answer.get_data().decode("utf-8-sig").splitlines()
    assert lines[0] == "Report: Attendance"
    assert lines[1] == f"Scope: Class: {people.klass.name}"
    header = lines.index(next(line for line in lines if line.startswith("Name,")))
    assert lines[header].endswith("Attendance rate (%),On-time rate (%)")
    assert any(line.startswith("迟到生,") and ",100.0,0.0" in line for line in lines[header + 1 :])


def test_xlsx_download_has_one_sheet_per_table_with_a_frozen_header(signed_in, people, week):
    client = signed_in(people.academic_affairs)
    answer = client.get("/reports/attendance.xlsx", query_string=_week_args(week, scope="class", id=people.klass.id))
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.get_data()))
    assert len(book.worksheets) == 2
    sheet = book.worksheets[0]
    header_row = int(sheet.freeze_panes[1:]) - 1
    assert sheet.cell(header_row, 1).value == "Name"
    totals = [cell.value for cell in sheet[sheet.max_row]]
    assert totals[0] == "Total" and 65.0 in totals


def test_an_unknown_table_is_not_found(signed_in, people, week):
    client = signed_in(people.academic_affairs)
    answer = client.get("/reports/attendance.csv", query_string=_week_args(week, table="nonsense"))
    assert answer.status_code == 404


def _stored_daily_report(school, day: date):
    """A daily report stored as the morning job stores it (an XLSX in the storage)."""
    from app.core.storage import get_storage
    from app.extensions import db
    from app.reports.models import DailyReport

    key = f"reports/daily/{school.id}/{day.isoformat()}.xlsx"
    data = b"PK\x03\x04 daily"
    get_storage().put(key, io.BytesIO(data), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stored = DailyReport(school_id=school.id, day=day, storage_key=key, size=len(data))
    db.session.add(stored)
    db.session.commit()
    return stored


def test_academic_affairs_lists_and_downloads_the_daily_reports(signed_in, people):
    older = _stored_daily_report(people.school, date(2026, 11, 5))
    newer = _stored_daily_report(people.school, date(2026, 11, 6))
    client = signed_in(people.academic_affairs)
    html = client.get("/reports/daily").get_data(as_text=True)
    assert html.index("Nov 6, 2026") < html.index("Nov 5, 2026")
    download = client.get(f"/reports/daily/{newer.id}.xlsx")
    assert download.status_code == 200 and download.get_data() == b"PK\x03\x04 daily"
    filename = unquote(download.headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert filename == f"Daily report - {people.school.name} - 2026-11-06.xlsx"
    assert older.id != newer.id


def test_daily_reports_are_for_the_school_staff_only(signed_in, people):
    stored = _stored_daily_report(people.school, date(2026, 11, 5))
    assert signed_in(people.class_teacher).get("/reports/daily").status_code == 403
    assert signed_in(people.teacher).get(f"/reports/daily/{stored.id}.xlsx").status_code == 403
    assert signed_in(people.foreign_admin).get(f"/reports/daily/{stored.id}.xlsx").status_code == 404
    assert "No daily report has been stored yet." in signed_in(people.foreign_admin).get("/reports/daily").get_data(
        as_text=True
    )


def test_a_daily_report_whose_file_is_gone_is_not_found(signed_in, people):
    from app.core.storage import get_storage

    stored = _stored_daily_report(people.school, date(2026, 11, 5))
    get_storage().delete(stored.storage_key)
    assert signed_in(people.academic_affairs).get(f"/reports/daily/{stored.id}.xlsx").status_code == 404


def test_every_report_renders_at_every_level_with_a_week_of_lessons(signed_in, people, week):
    client = signed_in(people.academic_affairs)
    levels = {
        "school": people.school.id,
        "grade": people.klass.parent.id,
        "class": people.klass.id,
        "course": people.course.id,
        "teacher": people.teacher.id,
        "student": week.students.sometimes.id,
    }
    statuses = {}
    for name in ["", *REPORTS]:
        for kind, ident in levels.items():
            answer = client.get(f"/reports/{name}", query_string=_week_args(week, scope=kind, id=ident))
            statuses[(name, kind)] = answer.status_code
            if name and answer.status_code == 200:
                download = client.get(f"/reports/{name}.xlsx", query_string=_week_args(week, scope=kind, id=ident))
                statuses[(name, kind, "xlsx")] = download.status_code
    assert {key: status for key, status in statuses.items() if status != 200} == {}


def _long_table(rows: int):
    from app.reports.report import Column, Table

    return Table("students", "Students", [Column("name", "Student")], [{"name": f"s{n}"} for n in range(rows)],
                 {"name": "Total"})  # fmt: skip


@pytest.mark.parametrize(
    ("page", "first_row", "previous", "next_"),
    [(None, "s0", False, True), ("2", "s100", True, True), ("3", "s200", True, False), ("99", "s200", True, False),
     ("x", "s0", False, True), ("-4", "s0", False, True)],
)  # fmt: skip
def test_long_tables_are_shown_a_hundred_rows_at_a_time(app, page, first_row, previous, next_):
    from app.reports.page_parts import paginate

    with app.test_request_context("/reports/attendance?scope=school&id=1&endpoint=x&students_page=2"):
        app.preprocess_request()
        shown, paging = paginate(_long_table(250), page)
    assert shown.rows[0]["name"] == first_row and len(shown.rows) <= 100
    assert shown.totals == {"name": "Total"}
    assert paging["total"] == 250
    assert bool(paging["previous"]) is previous and bool(paging["next"]) is next_
    if next_:
        assert paging["next"].startswith("/reports/attendance?scope=school&id=1&students_page=")
        assert paging["next"].endswith("#table-students")


def test_short_tables_are_shown_whole(app):
    from app.reports.page_parts import paginate

    with app.test_request_context("/reports/attendance"):
        shown, paging = paginate(_long_table(100), "2")
    assert len(shown.rows) == 100 and paging is None


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [(0.6543, "percent", "65.4%"), (1, "percent", "100.0%"), (12345.67, "int", "12,345.7"), (3, "int", "3"),
     (10.0, "int", "10"), (0, "int", "0"), (39.6, "minutes", "40 min"), (None, "percent", "—"),
     (date(2026, 11, 6), "date", "Nov 6, 2026"), ("3班", "text", "3班")],
)  # fmt: skip
def test_values_are_shown_in_the_viewers_format(app, value, kind, shown):
    from app.reports.page_parts import report_value

    with app.test_request_context("/reports/"):
        assert report_value(value, kind) == shown

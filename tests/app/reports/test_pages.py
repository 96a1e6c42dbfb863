"""The report pages through the test client: who sees which scope, what bad filters answer,
and the downloads."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

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


def test_an_unknown_report_is_not_found(signed_in, people):
    client = signed_in(people.academic_affairs)
    assert _get(client, "/reports/grades").status_code == 404
    assert _get(client, "/reports/grades.csv").status_code == 404

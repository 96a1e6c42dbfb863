"""/api/v1/reports: who may read which scope, the formats, and clear errors for bad input."""

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.core.models import utcnow
from app.extensions import db
from app.participation.attendance import compute_attendance
from app.reports.report import REPORT_NAMES
from tests.app.participation.conftest import make_lesson, stay  # noqa: F401 - fixtures

ROLES = ("student", "teacher", "class_teacher", "academic_affairs", "admin", "foreign_admin", "anonymous")

#            target               stud tea  ct   aa   adm  for  anon
MATRIX = [
    ("default scope", (403, 200, 200, 200, 200, 200, 401)),
    ("school", (403, 403, 403, 200, 200, 422, 401)),
    ("grade", (403, 403, 403, 200, 200, 422, 401)),
    ("class", (403, 403, 200, 200, 200, 422, 401)),
    ("other class", (403, 403, 403, 200, 200, 422, 401)),
    ("course", (403, 200, 403, 200, 200, 422, 401)),
    ("teacher", (403, 200, 403, 200, 200, 422, 401)),
    ("student", (403, 200, 200, 200, 200, 422, 401)),
    ("other student", (403, 403, 403, 200, 200, 422, 401)),
]


def _query(people, target: str) -> str:
    scopes = {
        "default scope": "",
        "school": f"scope=school&id={people.school.id}",
        "grade": f"scope=grade&id={people.klass.parent_id}",
        "class": f"scope=class&id={people.klass.id}",
        "other class": f"scope=class&id={people.other_class.id}",
        "course": f"scope=course&id={people.course.id}",
        "teacher": f"scope=teacher&id={people.teacher.id}",
        "student": f"scope=student&id={people.student.id}",
        "other student": f"scope=student&id={people.other_student.id}",
    }
    return scopes[target]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target,statuses", MATRIX, ids=[row[0] for row in MATRIX])
def test_reports_role_matrix(client, people, bearer, role, target, statuses):
    """Academic affairs and admins see their whole school, a teacher their courses and their
    students, a class teacher their class; students see no report; another school's staff
    cannot name this school's units."""
    headers = bearer(getattr(people, role)) if role != "anonymous" else {}
    answer = client.get(f"/api/v1/reports/attendance?{_query(people, target)}", headers=headers)
    assert answer.status_code == statuses[ROLES.index(role)], answer.get_json()
    if answer.status_code >= 400:
        assert set(answer.get_json()) == {"code", "message", "errors"}


@pytest.mark.parametrize("name", REPORT_NAMES)
def test_every_report_answers_academic_affairs_and_refuses_students(client, people, bearer, name):
    staff = client.get(f"/api/v1/reports/{name}?scope=school", headers=bearer(people.academic_affairs))
    assert staff.status_code == 200
    body = staff.get_json()
    assert body["name"] == name and body["figures"] and body["tables"]
    assert client.get(f"/api/v1/reports/{name}", headers=bearer(people.student)).status_code == 403


@pytest.fixture
def held_lesson(people, make_lesson, stay):  # noqa: F811 - fixtures imported above
    lesson = make_lesson(people.course, starts_at=utcnow() - timedelta(hours=2))
    stay(lesson, people.student, 0, 40)
    compute_attendance(lesson.id)
    db.session.commit()
    return lesson


def test_json_rows_drill_to_the_level_below(client, people, bearer, held_lesson):
    answer = client.get(
        f"/api/v1/reports/attendance?scope=class&id={people.klass.id}", headers=bearer(people.class_teacher)
    )
    breakdown = next(t for t in answer.get_json()["tables"] if t["name"] == "breakdown")
    row = next(r for r in breakdown["rows"] if r["name"] == people.student.name)
    assert row["attended"] == 1 and row["rate"] == 1.0
    assert row["_drill"]["scope"] == "student" and row["_drill"]["id"] == people.student.id


def test_csv_has_a_bom_the_filters_and_the_headers(client, people, bearer, held_lesson):
    answer = client.get(
        f"/api/v1/reports/attendance?scope=class&id={people.klass.id}&format=csv&table=breakdown",
        headers=bearer(people.academic_affairs),
    )
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.data.startswith("\ufeff".encode())
    text = answer.data.decode("utf-8-sig")
    assert people.klass.name in text.splitlines()[1]
    assert people.student.name in text
    disposition = answer.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and re.search(r'filename="[\x20-\x7e]+"', disposition)


def test_xlsx_reads_back_with_filters_above_and_a_frozen_header(client, people, bearer, held_lesson):
    answer = client.get(
        f"/api/v1/reports/attendance?scope=class&id={people.klass.id}&format=xlsx",
        headers=bearer(people.academic_affairs),
    )
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data))
    sheet = book.worksheets[0]
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0][0].endswith("Attendance")
    header_index = next(i for i, row in enumerate(values) if row[0] == "Name")
    assert sheet.freeze_panes == f"A{header_index + 2}"
    student_row = next(row for row in values if row[0] == people.student.name)
    assert student_row[values[header_index].index("Attended")] == 1


@pytest.mark.parametrize(
    "query,field",
    [
        ("from=2026-13-01", "from"),
        ("from=2026-03-10&to=2026-03-01", "from"),
        ("from=2025-01-01&to=2026-06-01", "to"),
        ("scope=planet&id=1", "scope"),
        ("scope=class&id=999999", "id"),
        ("scope=class&id=abc", "id"),
        ("format=pdf", "format"),
        ("format=csv&table=nothing", "table"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, people, bearer, query, field):
    answer = client.get(f"/api/v1/reports/delivery?{query}", headers=bearer(people.academic_affairs))
    assert answer.status_code == 422
    assert field in answer.get_json()["errors"]

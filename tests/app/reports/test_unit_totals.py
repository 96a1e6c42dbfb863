"""A unit counts each of its students and each of its lessons once, however many of its classes
they belong to; a class row still shows every member of the class."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.participation.attendance import compute_attendance
from app.participation.models import ResourceStudyDay

DAY = date(2026, 11, 2)
ARGS = {"from": DAY.isoformat(), "to": DAY.isoformat()}


def _at(hour: int) -> datetime:
    return datetime.combine(DAY, time(hour, 0), ZoneInfo("Asia/Shanghai")).astimezone(ZoneInfo("UTC"))


@pytest.fixture
def shared(people, make_user, make_class, make_course, make_lesson, stay):
    """The people's class and an elective group of the same grade share one student (`both`),
    who attends all three of their lessons, is over the daily limit, and whose classes have one
    joint lesson (also for the other grade's class) that is longer than the others. Two classmates and
    the other class's student miss every lesson."""
    both = people.student
    classmates = [make_user(classes=[people.klass], name=f"同学{n}") for n in range(2)]
    elective = make_class(grade=people.klass.parent, name="选修组")
    both.classes.append(elective)
    elective_course = make_course(teachers=[people.teacher], classes=[elective], subject="物理")
    lessons = [
        make_lesson(people.course, starts_at=_at(9)),
        make_lesson(elective_course, starts_at=_at(10)),
        make_lesson(
            people.course, starts_at=_at(13), minutes=120, classes=[people.klass, elective, people.other_class]
        ),
    ]
    db.session.add(ResourceStudyDay(student_id=both.id, day=DAY, seconds=10 * 3600))
    for lesson in lessons:
        stay(lesson, both, 0, (lesson.ends_at - lesson.starts_at).total_seconds() / 60)
    db.session.commit()
    for lesson in lessons:
        compute_attendance(lesson.id, now=lessons[-1].ends_at + timedelta(hours=1))
    db.session.commit()
    return SimpleNamespace(both=both, classmates=classmates, elective=elective, lessons=lessons)


@pytest.fixture
def affairs(app, login, people):
    client = app.test_client()
    assert login(people.academic_affairs, test_client=client).status_code == 302
    return client


def _json(client, name, **args):
    answer = client.get(f"/api/v1/reports/{name}", query_string={**ARGS, **args, "format": "json"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def _figures(report) -> dict:
    return {figure["key"]: figure["value"] for figure in report["figures"]}


def _rows(report, table="breakdown") -> dict:
    """Rows by the id they drill to (or their name), and "Total"."""
    found = next(t for t in report["tables"] if t["name"] == table)
    rows = {row["_drill"]["id"] if row.get("_drill") else row.get("name"): row for row in found["rows"]}
    return rows | {"Total": found["totals"]}


def test_a_student_in_two_classes_of_a_grade_counts_once_in_the_grade_and_the_school(people, shared, bearer, client):
    headers = bearer(people.academic_affairs)
    grade = {"scope": "grade", "id": people.klass.parent_id}
    school = {"scope": "school", "id": people.school.id}

    def get(name, **args):
        answer = client.get(f"/api/v1/reports/{name}", query_string={**ARGS, **args}, headers=headers)
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    # The grade: 3 lessons of `both`, 2 each of the classmates: 7 student-lessons, 3 attended.
    attendance = get("attendance", **grade)
    assert _figures(attendance)["attendance_rate"] == pytest.approx(3 / 7, abs=1e-4)
    by_class = _rows(attendance)
    assert (by_class[people.klass.id]["slots"], by_class[people.klass.id]["attended"]) == (7, 3)
    assert (by_class[shared.elective.id]["slots"], by_class[shared.elective.id]["attended"]) == (
        3,
        3,
    )  # each class shows them
    assert (by_class["Total"]["slots"], by_class["Total"]["attended"]) == (7, 3)
    assert len(_rows(attendance, "students")) == 3 + 1  # three students and the total: `both` once
    # The school adds the other grade's student, absent from the joint lesson.
    attendance = get("attendance", **school)
    assert _figures(attendance)["attendance_rate"] == pytest.approx(3 / 8, abs=1e-4)
    grade_row = _rows(attendance)[people.klass.parent_id]
    assert (grade_row["slots"], grade_row["attended"]) == (7, 3)
    assert (_rows(attendance)["Total"]["slots"], _rows(attendance)["Total"]["attended"]) == (8, 3)

    study = get("study-time", **grade)
    assert (_figures(study)["students_over_limit"], _figures(study)["over_limit_days"]) == (1, 1)
    assert next(t for t in study["tables"] if t["name"] == "by_day")["totals"]["over_limit"] == 1
    assert _rows(study)[people.klass.id]["over_limit"] == _rows(study)[shared.elective.id]["over_limit"] == 1
    school_study = _rows(get("study-time", **school))[people.klass.parent_id]
    # One student; three lessons over the junior length, the joint one once (not once a class: 4).
    assert (school_study["over_limit"], school_study["over_length"]) == (1, 3)

    at_risk = get("at-risk", **grade)
    assert _rows(at_risk, "distribution")["Total"]["students"] == 3

    # Delivery: the joint lesson is one lesson of each grade and one of the school.
    delivery = get("delivery", **school)
    assert _figures(delivery)["scheduled"] == 3
    by_grade = _rows(delivery)
    assert by_grade[people.klass.parent_id]["scheduled"] == 3
    assert by_grade[people.other_class.parent_id]["scheduled"] == 1
    assert by_grade["Total"]["scheduled"] == 3


def test_the_grade_page_and_its_xlsx_count_the_shared_student_once(people, shared, affairs):
    grade = {"scope": "grade", "id": people.klass.parent_id}
    page = affairs.get("/reports/attendance", query_string={**ARGS, **grade}).get_data(as_text=True)
    assert "42.9%" in page  # 3 of 7; summing the two classes would say 6 of 10 (60.0%)
    assert "60.0%" not in page
    answer = affairs.get("/reports/attendance.xlsx", query_string={**ARGS, **grade})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.get_data())).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    by_name = {row[0]: row for row in rows if row and row[0]}
    assert by_name[people.klass.name][1:3] == [7, 3] and by_name["选修组"][1:3] == [3, 3]
    assert by_name["Total"][1:3] == [7, 3] and 42.9 in by_name["Total"]
    dashboard = affairs.get("/reports/", query_string={**ARGS, **grade}).get_data(as_text=True)
    assert "42.9%" in dashboard

"""/api/v1 participation: each role sees what the pages show it; students only themselves."""

import json

import pytest

from app.extensions import db
from app.participation.attendance import compute_attendance


@pytest.fixture
def sheet(lesson_people, stay):
    stay(lesson_people.lesson, lesson_people.student, 0, 40)
    compute_attendance(lesson_people.lesson.id)
    db.session.commit()
    return lesson_people


def test_a_lesson_attendance_for_its_teacher_not_for_students(sheet, client, bearer):
    url = f"/api/v1/sessions/{sheet.lesson.id}/attendance"
    answer = client.get(url, headers=bearer(sheet.teacher))
    assert answer.status_code == 200
    by_student = {item["student"]: item for item in answer.get_json()["items"]}
    assert by_student[sheet.student.id]["status"] == "present" and len(by_student) == 3
    assert client.get(url, headers=bearer(sheet.student)).status_code == 403
    assert client.get(url, headers=bearer(sheet.foreign_admin)).status_code == 404


def test_a_student_sees_only_their_own_record_and_study_time(sheet, client, bearer):
    own = client.get(f"/api/v1/students/{sheet.student.id}/attendance", headers=bearer(sheet.student))
    assert [item["status"] for item in own.get_json()["items"]] == ["present"]
    other = sheet.students[1]
    assert client.get(f"/api/v1/students/{other.id}/attendance", headers=bearer(sheet.student)).status_code == 403
    days = client.get(f"/api/v1/students/{sheet.student.id}/study-time", headers=bearer(sheet.student)).get_json()
    assert len(days["items"]) == 7 and days["items"][0]["limit_minutes"] is not None
    assert client.get(f"/api/v1/students/{other.id}/study-time", headers=bearer(sheet.student)).status_code == 403


def test_class_attendance_for_its_class_teacher(sheet, client, bearer):
    url = f"/api/v1/classes/{sheet.klass.id}/attendance"
    assert client.get(url, headers=bearer(sheet.class_teacher)).get_json()["total"] == 3
    assert client.get(url, headers=bearer(sheet.student)).status_code == 403
    assert client.get(url, headers=bearer(sheet.other_teacher)).status_code == 403


def test_contact_log_crud_by_the_class_teacher(people, client, bearer):
    headers = bearer(people.class_teacher)
    created = client.post(
        f"/api/v1/students/{people.student.id}/contacts",
        headers=headers,
        json={"channel": "phone", "outcome": "no_answer", "note": "晚上再打"},
    )
    assert created.status_code == 201
    contact = created.get_json()
    patched = client.patch(f"/api/v1/contacts/{contact['id']}", headers=headers, json={"outcome": "reached"})
    assert patched.get_json()["outcome"] == "reached"
    listed = client.get(f"/api/v1/students/{people.student.id}/contacts", headers=headers).get_json()
    assert [c["id"] for c in listed["items"]] == [contact["id"]]
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=bearer(people.teacher)).status_code == 403
    bad = client.post(
        f"/api/v1/students/{people.student.id}/contacts", headers=headers, json={"channel": "fax", "outcome": "reached"}
    )
    assert bad.status_code == 422
    assert client.delete(f"/api/v1/contacts/{contact['id']}", headers=headers).status_code == 204
    student_try = client.post(
        f"/api/v1/students/{people.student.id}/contacts",
        headers=bearer(people.student),
        json={"channel": "phone", "outcome": "reached"},
    )
    assert student_try.status_code == 403


def test_xapi_export_is_for_administrators(sheet, client, bearer):
    day = sheet.lesson.starts_at.date().isoformat()
    url = f"/api/v1/xapi/statements?from={day}&to={day}"
    answer = client.get(url, headers=bearer(sheet.admin))
    assert answer.status_code == 200 and answer.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in answer.get_data(as_text=True).splitlines()]
    assert any(item["verb"]["id"].endswith("/attended") for item in lines)
    assert client.get(url, headers=bearer(sheet.academic_affairs)).status_code == 403
    assert client.get(url, headers=bearer(sheet.student)).status_code == 403

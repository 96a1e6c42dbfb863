"""/api/v1/sessions and /api/v1/policies: the same check as the pages, 422 with violations,
scoping, and who may do what."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.schedule.models import LiveSession
from tests.app.schedule.conftest import MONDAY, local


def body(t, clock="09:00", minutes=30, **extra):
    return {"course": t.maths.id, "starts_at": local(MONDAY, clock).isoformat(), "minutes": minutes, **extra}


def test_creating_a_session_answers_201_with_it_and_its_warnings(client, timetable, bearer):
    response = client.post(
        "/api/v1/sessions", json=body(timetable, join_url="https://zoom.us/j/1"), headers=bearer(timetable.teacher)
    )
    assert response.status_code == 201
    data = response.get_json()
    [session] = data["sessions"]
    assert session["starts_at"] == "2030-03-04T01:00:00+00:00"
    assert session["join_url"] == "https://zoom.us/j/1"
    assert "allowed_hours_abroad" in {w["rule"] for w in data["warnings"]}


def test_a_blocked_session_answers_422_with_the_engines_violations_and_stores_nothing(client, timetable, bearer):
    response = client.post("/api/v1/sessions", json=body(timetable, minutes=45), headers=bearer(timetable.teacher))
    assert response.status_code == 422
    data = response.get_json()
    [violation] = [v for v in data["violations"] if v["severity"] == "block"]
    assert violation["rule"] == "max_lesson_minutes" and violation["limit"] == 30 and violation["value"] == 45
    assert violation["day"] == "2030-03-04" and violation["students"]["count"] == 6
    assert data["code"] == "policy_violation"
    assert db.session.query(LiveSession).count() == 0


def test_check_says_blocked_without_storing(client, timetable, bearer):
    response = client.post(
        "/api/v1/sessions/check", json=body(timetable, minutes=45), headers=bearer(timetable.teacher)
    )
    assert response.status_code == 200 and response.get_json()["blocked"] is True
    assert db.session.query(LiveSession).count() == 0


def test_a_weekly_series_through_the_api_stores_every_occurrence(client, timetable, bearer):
    data = body(timetable, repeat={"weekdays": [0, 3], "count": 6})
    response = client.post("/api/v1/sessions", json=data, headers=bearer(timetable.teacher))
    assert response.status_code == 201
    assert len(response.get_json()["sessions"]) == 6 and response.get_json()["series"]


def test_list_patch_and_delete_a_session(client, timetable, bearer):
    headers = bearer(timetable.teacher)
    created = client.post("/api/v1/sessions", json=body(timetable), headers=headers).get_json()["sessions"][0]
    moved = client.patch(
        f"/api/v1/sessions/{created['id']}", json={"starts_at": local(MONDAY, "14:00").isoformat()}, headers=headers
    )
    assert moved.status_code == 200 and moved.get_json()["sequence"] == 1
    week = {"from": local(MONDAY, "00:00").isoformat(), "to": local(MONDAY + timedelta(days=7), "00:00").isoformat()}
    listed = client.get("/api/v1/sessions", query_string=week, headers=bearer(timetable.students_a[0])).get_json()
    assert [item["id"] for item in listed["items"]] == [created["id"]] and listed["total"] == 1
    assert client.delete(f"/api/v1/sessions/{created['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/sessions", query_string=week, headers=headers).get_json()["total"] == 0


def test_a_move_onto_another_lesson_answers_422_with_the_conflict(client, timetable, bearer):
    headers = bearer(timetable.teacher)
    first = client.post("/api/v1/sessions", json=body(timetable, "09:00"), headers=headers).get_json()["sessions"][0]
    client.post("/api/v1/sessions", json=body(timetable, "11:00"), headers=headers)
    response = client.patch(
        f"/api/v1/sessions/{first['id']}", json={"starts_at": local(MONDAY, "11:10").isoformat()}, headers=headers
    )
    assert response.status_code == 422
    assert {c["rule"] for c in response.get_json()["conflicts"]} == {"class_double_booked", "teacher_double_booked"}


def test_suggestions_break_nothing(client, timetable, bearer):
    response = client.get(
        "/api/v1/sessions/suggest",
        query_string={"course": timetable.maths.id, "around": local(MONDAY, "09:00").isoformat(), "minutes": 30},
        headers=bearer(timetable.teacher),
    )
    slots = response.get_json()["items"]
    assert len(slots) == 5 and slots[0]["start"] == "2030-03-04T01:00:00+00:00"


def test_policies_read_and_set_from_a_preset(client, timetable, bearer):
    headers = bearer(timetable.academic_affairs)
    response = client.put("/api/v1/policies", json={"stage": "junior", "preset": "anhui_2020_02_22"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["rules"]["max_daily_minutes"] == 150
    policies = client.get("/api/v1/policies", headers=bearer(timetable.teacher)).get_json()
    junior = next(item for item in policies["items"] if item["stage"] == "junior")
    assert junior["preset"] == "anhui_2020_02_22"
    assert {p["key"] for p in policies["presets"]} >= {"nhc_2020", "university"}


def test_an_invalid_join_link_is_a_field_error(client, timetable, bearer):
    response = client.post(
        "/api/v1/sessions", json=body(timetable, join_url="javascript:x"), headers=bearer(timetable.teacher)
    )
    assert response.status_code == 422 and "join_url" in response.get_json()["errors"]


# --- authorization matrix ---------------------------------------------------------------------

ROLES = (
    "student",
    "teacher",
    "other_teacher",
    "class_teacher",
    "academic_affairs",
    "admin",
    "foreign_admin",
    "anonymous",
)
#                                                           stud tea  oth  ct   aa   adm  for  anon
CASES = [
    ("POST", "/api/v1/sessions", (403, 201, 403, 403, 201, 403, 404, 401)),
    ("POST", "/api/v1/sessions/check", (403, 200, 403, 403, 200, 403, 404, 401)),
    ("GET", "/api/v1/sessions", (200, 200, 200, 200, 200, 200, 200, 401)),
    ("PATCH", "/api/v1/sessions/<int:session_id>", (403, 200, 403, 403, 200, 403, 404, 401)),
    ("DELETE", "/api/v1/sessions/<int:session_id>", (403, 204, 403, 403, 204, 403, 404, 401)),
    ("GET", "/api/v1/sessions/suggest", (403, 200, 403, 403, 200, 403, 404, 401)),
    ("GET", "/api/v1/policies", (200, 200, 200, 200, 200, 200, 200, 401)),
    ("PUT", "/api/v1/policies", (403, 403, 403, 403, 200, 200, 200, 401)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case[0]} {case[1]}")
def test_authorization_matrix(client, people, bearer, case, role):
    method, rule, statuses = case
    session = LiveSession(
        school_id=people.school.id,
        course_id=people.course.id,
        title="t",
        starts_at=local(MONDAY, "09:00"),
        ends_at=local(MONDAY, "09:20"),
        original_starts_at=local(MONDAY, "09:00"),
    )
    session.classes = [people.klass]
    db.session.add(session)
    db.session.commit()
    caller = getattr(people, role, None)
    headers = bearer(caller) if caller else {}
    start = local(MONDAY, "15:00").isoformat()
    payloads = {
        "/api/v1/sessions": {"course": people.course.id, "starts_at": start, "minutes": 20},
        "/api/v1/sessions/check": {"course": people.course.id, "starts_at": start, "minutes": 20},
        "/api/v1/policies": {"stage": "junior", "preset": "nhc_2020"},
    }
    url = re.sub(r"<int:\w+>", str(session.id), rule)
    json = {"starts_at": start} if method == "PATCH" else payloads.get(rule) if method in ("POST", "PUT") else None
    query = {"course": people.course.id, "around": start, "minutes": 20} if rule.endswith("suggest") else None
    response = client.open(url, method=method, headers=headers, json=json, query_string=query)
    assert response.status_code == statuses[ROLES.index(role)], response.get_json()


def test_matrix_covers_every_schedule_operation(app):
    found = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] == "api-schedule"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert found == {(method, rule) for method, rule, _ in CASES}

"""/api/v1/resources and /api/v1/courses/{id}/resources: who gets what, and what they see."""

import re
from dataclasses import dataclass

import pytest

from app.auth import operations
from app.catalog.models import LessonPlanItem
from app.extensions import db
from tests.app.catalog.factories import create_plan_item, create_resource

ROLES = ("student", "teacher", "class_teacher", "academic_affairs", "admin", "foreign_admin", "anonymous")


@dataclass(frozen=True)
class Case:
    method: str
    rule: str
    target: str
    statuses: tuple[int, ...]  # in the order of ROLES


#                                                                                  stud tea  ct   aa   adm  for  anon
CASES = [
    Case("GET", "/api/v1/resources", "", (403, 200, 200, 200, 200, 200, 401)),
    Case("GET", "/api/v1/resources/<int:resource_id>", "resource", (200, 200, 200, 200, 200, 404, 401)),
    Case("GET", "/api/v1/courses/<int:course_id>/resources", "course", (200, 200, 200, 200, 200, 404, 401)),
    Case("GET", "/api/v1/courses/<int:course_id>/resources", "other course", (403, 403, 403, 200, 200, 404, 401)),
    Case("POST", "/api/v1/courses/<int:course_id>/resources", "course", (403, 201, 403, 201, 201, 404, 401)),
    Case("DELETE", "/api/v1/courses/<int:course_id>/resources/<int:resource_id>", "item",
         (403, 204, 403, 204, 204, 404, 401)),
]  # fmt: skip


def _request(case, people):
    """(url, json body) with fresh objects, so every role acts on its own."""
    resource = create_resource(people.school.id)
    if case.target == "item":
        create_plan_item(people.course, resource)
    ids = {"course_id": people.other_course.id if case.target == "other course" else people.course.id,
           "resource_id": resource.id}  # fmt: skip
    url = re.sub(r"<int:(\w+)>", lambda match: str(ids[match.group(1)]), case.rule)
    return url, ({"resource_id": resource.id, "note": "预习"} if case.method == "POST" else None)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.method} {case.rule} {case.target}".strip())
def test_authorization_matrix(client, people, case, role):
    caller = getattr(people, role, None)
    headers = {}
    if caller is not None:
        _token, secret = operations.issue_token(caller, "matrix")
        db.session.commit()
        headers = {"Authorization": f"Bearer {secret}"}
    url, body = _request(case, people)
    response = client.open(url, method=case.method, headers=headers, json=body)
    assert response.status_code == case.statuses[ROLES.index(role)], response.get_json()
    if response.status_code >= 400:
        assert set(response.get_json()) == {"code", "message", "errors"}


def test_matrix_covers_every_operation_of_the_catalog_blueprint(app):
    operations_in_app = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] == "api-catalog"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert operations_in_app == {(case.method, case.rule) for case in CASES}


def test_search_takes_the_page_filters_and_pages(client, people, bearer):
    for number in range(3):
        create_resource(people.school.id, title=f"二次函数 第{number}课", grades=[9])
    create_resource(people.school.id, title="静夜思", subject="chinese", grades=[1], stages=["primary"])
    create_resource(people.other_school.id, title="二次函数 别校")
    headers = bearer(people.teacher)
    body = client.get("/api/v1/resources?q=函数&grade=9&per_page=2", headers=headers).get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (3, 2, 2)
    assert all("别校" not in item["title"] for item in body["items"])
    body = client.get("/api/v1/resources?subject=chinese", headers=headers).get_json()
    assert [item["title"] for item in body["items"]] == ["静夜思"]
    body = client.get("/api/v1/resources?q=%25%25%25", headers=headers).get_json()
    assert body["notice"] == "no_terms" and body["message"]
    refused = client.get("/api/v1/resources?grade=13&level=galactic", headers=headers)
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"grade", "level"}


def test_resource_answers_with_its_origins_and_why_they_merged(client, people, bearer):
    resource = create_resource(people.school.id, origins=2)
    body = client.get(f"/api/v1/resources/{resource.id}", headers=bearer(people.student)).get_json()
    assert [origin["merge_reason"] for origin in body["origins"]] == ["first", "url"]
    assert body["origins"][1]["merge_explanation"].startswith("Same address as another copy")
    assert body["download_url"] is None


def test_course_plan_in_order_and_a_withdrawn_resource_is_refused(client, people, bearer):
    first = create_plan_item(people.course, create_resource(people.school.id, title="甲"))
    create_plan_item(people.course, create_resource(people.school.id, title="乙"))
    headers = bearer(people.teacher)
    body = client.get(f"/api/v1/courses/{people.course.id}/resources", headers=headers).get_json()
    assert [item["resource"]["title"] for item in body["items"]] == ["甲", "乙"]
    withdrawn = create_resource(people.school.id, withdrawn=True)
    refused = client.post(
        f"/api/v1/courses/{people.course.id}/resources", json={"resource_id": withdrawn.id}, headers=headers
    )
    assert refused.status_code == 422 and "resource_id" in refused.get_json()["errors"]
    again = client.post(
        f"/api/v1/courses/{people.course.id}/resources", json={"resource_id": first.resource_id}, headers=headers
    )
    assert again.status_code == 422 and "already in the plan" in again.get_json()["message"]
    added = client.post(
        f"/api/v1/courses/{people.course.id}/resources",
        json={"resource_id": create_resource(people.school.id, title="丙").id, "position": 0,
              "planned_on": "2026-03-02", "estimated_minutes": 30},
        headers=headers,
    ).get_json()  # fmt: skip
    assert (added["position"], added["planned_on"], added["estimated_minutes"]) == (0, "2026-03-02", 30)
    db.session.expire_all()
    titles = [item.resource.title for item in db.session.query(LessonPlanItem).order_by(LessonPlanItem.position)]
    assert titles == ["丙", "甲", "乙"]
    foreign = create_resource(people.other_school.id)
    missing = client.post(
        f"/api/v1/courses/{people.course.id}/resources", json={"resource_id": foreign.id}, headers=headers
    )
    assert missing.status_code == 422 and "resource_id" in missing.get_json()["errors"]
    gone = client.delete(f"/api/v1/courses/{people.course.id}/resources/{foreign.id}", headers=headers)
    assert gone.status_code == 404

"""Who gets which status from every API operation: one row per operation and target, one column per role."""

import re
from dataclasses import dataclass

import pytest

from app.auth import operations
from app.extensions import db
from tests.factories import PASSWORD

ROLES = ("student", "teacher", "class_teacher", "academic_affairs", "admin", "foreign_admin", "anonymous")
# The blueprints this matrix answers for; each domain's API tests cover its own blueprints.
BLUEPRINTS = {"api-auth", "api-people", "api-orgs"}


@dataclass(frozen=True)
class Case:
    method: str
    rule: str
    target: str  # which object fills the URL's id: see _url
    statuses: tuple[int, ...]  # in the order of ROLES

    def expected(self, role: str) -> int:
        return self.statuses[ROLES.index(role)]


#                                                               stud tea  ct   aa   adm  for  anon
CASES = [
    Case("POST", "/api/v1/auth/token", "", (201, 201, 201, 201, 201, 201, 401)),
    Case("GET", "/api/v1/auth/tokens", "", (200, 200, 200, 200, 200, 200, 401)),
    Case("DELETE", "/api/v1/auth/tokens/<int:token_id>", "own token", (204, 204, 204, 204, 204, 204, 401)),
    Case("DELETE", "/api/v1/auth/tokens/<int:token_id>", "another's token", (404, 404, 404, 404, 404, 404, 401)),
    Case("GET", "/api/v1/me", "", (200, 200, 200, 200, 200, 200, 401)),
    Case("GET", "/api/v1/org-units", "", (200, 200, 200, 200, 200, 200, 401)),
    Case("GET", "/api/v1/courses", "", (200, 200, 200, 200, 200, 200, 401)),
    Case("GET", "/api/v1/courses/<int:course_id>", "student's course", (200, 200, 200, 200, 200, 404, 401)),
    Case("GET", "/api/v1/courses/<int:course_id>", "other class's course", (403, 403, 403, 200, 200, 404, 401)),
    Case("GET", "/api/v1/courses/<int:course_id>", "missing course", (404, 404, 404, 404, 404, 404, 401)),
]


def _url(case: Case, people, own_token_id: int, others_token_id: int) -> str:
    ids = {
        "own token": own_token_id,
        "another's token": others_token_id,
        "student's course": people.course.id,
        "other class's course": people.other_course.id,
        "missing course": people.other_course.id + 1000,
    }
    return re.sub(r"<int:\w+>", str(ids.get(case.target)), case.rule)


def _issue(user):
    token, secret = operations.issue_token(user, "matrix")
    db.session.commit()
    return token.id, secret


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.method} {case.rule} {case.target}".strip())
def test_authorization_matrix(client, people, case, role):
    others_token_id, _secret = _issue(people.other_student)
    caller = getattr(people, role, None)
    headers, body = {}, None
    if caller is not None:
        own_token_id, secret = _issue(caller)
        headers = {"Authorization": f"Bearer {secret}"}
        body = {"username": caller.username, "password": PASSWORD}
    else:
        own_token_id = others_token_id
        body = {"username": people.student.username, "password": "a guess"}
    url = _url(case, people, own_token_id, others_token_id)
    response = client.open(url, method=case.method, headers=headers, json=body if case.method == "POST" else None)
    assert response.status_code == case.expected(role), response.get_json()
    if response.status_code >= 400:
        assert set(response.get_json()) == {"code", "message", "errors"}


def test_matrix_covers_every_operation_of_these_blueprints(app):
    operations_in_app = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in BLUEPRINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert operations_in_app == {(case.method, case.rule) for case in CASES}

"""What every API answer shares: the error shape, the list envelope, the OpenAPI document, the docs page."""

import json
import re

import pytest

from app.api.docs import anchor_for
from tests.factories import PASSWORD

ERROR_KEYS = {"code", "message", "errors"}


def _error(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == ERROR_KEYS
    assert body["message"]
    return body


def test_missing_token_answers_401_in_the_error_shape(client):
    body = _error(client.get("/api/v1/courses"), 401)
    assert body["code"] == "unauthorized"
    assert body["errors"] == {}


def test_unknown_course_and_unknown_path_answer_404_in_the_error_shape(client, make_user, bearer):
    headers = bearer(make_user(roles=["admin"]))
    assert _error(client.get("/api/v1/courses/987654", headers=headers), 404)["code"] == "not_found"
    assert _error(client.get("/api/v1/no-such-thing", headers=headers), 404)["code"] == "not_found"


def test_wrong_method_answers_405_in_the_error_shape(client, make_user, bearer):
    body = _error(client.put("/api/v1/me", headers=bearer(make_user())), 405)
    assert body["code"] == "method_not_allowed"


def test_invalid_body_answers_422_with_messages_per_field(client):
    body = _error(client.post("/api/v1/auth/token", json={"username": "", "colour": "blue"}), 422)
    assert body["code"] == "unprocessable_entity"
    assert set(body["errors"]) == {"username", "password", "colour"}
    assert all(isinstance(messages, list) and messages for messages in body["errors"].values())


@pytest.mark.parametrize(
    ("query", "field"), [("?per_page=0", "per_page"), ("?per_page=500", "per_page"), ("?page=first", "page")]
)
def test_invalid_page_arguments_answer_422_naming_the_field(client, make_user, bearer, query, field):
    body = _error(client.get(f"/api/v1/courses{query}", headers=bearer(make_user())), 422)
    assert list(body["errors"]) == [field]


def test_unknown_filter_value_answers_422(client, make_user, bearer):
    body = _error(client.get("/api/v1/org-units?kind=planet", headers=bearer(make_user())), 422)
    assert list(body["errors"]) == ["kind"]


def test_too_many_attempts_answer_429_in_the_error_shape(make_app, make_user):
    client = make_app(RATELIMIT_ENABLED=True, KEXU_LOGIN_LIMIT_PER_ACCOUNT="1 per minute").test_client()
    user = make_user()
    client.post("/api/v1/auth/token", json={"username": user.username, "password": "wrong"})
    response = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert _error(response, 429)["code"] == "too_many_requests"


def test_lists_answer_the_page_envelope(client, make_user, make_course, bearer):
    admin = make_user(roles=["admin"])
    courses = [make_course(name=f"Course {n}") for n in range(5)]
    headers = bearer(admin)
    first = client.get("/api/v1/courses?per_page=2", headers=headers).get_json()
    assert set(first) == {"items", "page", "per_page", "total", "pages"}
    assert (first["page"], first["per_page"], first["total"], first["pages"]) == (1, 2, 5, 3)
    last = client.get("/api/v1/courses?per_page=2&page=3", headers=headers).get_json()
    beyond = client.get("/api/v1/courses?per_page=2&page=9", headers=headers).get_json()
    seen = [item["id"] for page in (1, 2, 3) for item in _page(client, headers, page)["items"]]
    assert sorted(seen) == sorted(course.id for course in courses)
    assert len(last["items"]) == 1
    assert beyond["items"] == [] and beyond["total"] == 5


def _page(client, headers, page):
    return client.get(f"/api/v1/courses?per_page=2&page={page}", headers=headers).get_json()


@pytest.mark.parametrize("url", ["/api/v1/auth/tokens", "/api/v1/org-units", "/api/v1/courses"])
def test_every_list_uses_the_same_envelope_and_defaults(client, make_user, bearer, url):
    body = client.get(url, headers=bearer(make_user(roles=["admin"]))).get_json()
    assert set(body) == {"items", "page", "per_page", "total", "pages"}
    assert (body["page"], body["per_page"]) == (1, 50)


def _api_rules(app):
    """Every API URL, written the OpenAPI way (/courses/{course_id})."""
    return {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint.split(".")[0] not in {"api-docs", "api_docs"}
    }


def test_openapi_document_is_json_and_lists_every_path(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = json.loads(response.get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == _api_rules(app)
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    assert set(spec["components"]["schemas"]["Error"]["properties"]) == ERROR_KEYS


def test_openapi_document_passes_the_openapi_3_validator(client):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(client.get("/api/v1/openapi.json").get_json())


def test_docs_page_lists_every_operation_with_parameters_and_schemas(app, client):
    response = client.get("/api/v1/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method in item.keys() & {"get", "post", "put", "patch", "delete"}:
            assert f'id="{anchor_for(method, path)}"' in page
            assert f"<code>{method.upper()} {path}</code>" in page
    for name in ("per_page", "kind", "teacher", "course_id"):
        assert f"<code>{name}</code>" in page
    for schema in ("CoursePage", "Me", "Error", "TokenRequest"):
        assert f'id="schema-{schema.lower()}"' in page
    assert "<script>" not in page and "style=" not in page

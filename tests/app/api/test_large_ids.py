"""API ids too large for the database are not found (404 in the API's error shape), never 500."""

TOO_LARGE = 2**63


def test_an_api_id_too_large_for_the_database_is_not_found(client, people, bearer):
    response = client.get(f"/api/v1/courses/{TOO_LARGE}", headers=bearer(people.admin))
    assert response.status_code == 404
    assert set(response.get_json()) == {"code", "message", "errors"}


def test_the_largest_id_is_still_looked_up(client, people, bearer):
    response = client.get(f"/api/v1/courses/{2**31 - 1}", headers=bearer(people.admin))
    assert response.status_code == 404


def test_a_filter_id_too_large_for_the_database_is_refused_with_the_field_named(client, people, bearer):
    response = client.get("/api/v1/sessions?course=99999999999", headers=bearer(people.admin))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"course": ["Must be between 1 and 2147483647."]}

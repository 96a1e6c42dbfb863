"""The sign-in and account forms read form fields: a JSON body is an empty form, not a 500."""

import pytest


@pytest.mark.parametrize("body", ["[1, 2, 3]", '"text"', '{"username": {"nested": [1]}, "password": [1, 2]}'])
def test_sign_in_with_a_json_body_asks_for_the_fields(client, body):
    response = client.post("/login", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_changing_the_password_with_a_json_body_changes_nothing(client, people, login):
    login(people.student)
    response = client.post("/account/password", data="[1]", content_type="application/json")
    assert response.status_code < 500
    assert login(people.student).status_code == 302

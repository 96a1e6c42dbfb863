"""Text with a NUL character is refused with the field named (PostgreSQL cannot store it)."""

MESSAGE = "the text contains a NUL character, which is not allowed."


def test_a_search_with_a_nul_character_names_the_parameter(client, people, login):
    login(people.admin)
    response = client.get("/people?q=wang%00")
    assert response.status_code == 400
    assert f"q: {MESSAGE}" in response.get_data(as_text=True)


def test_a_form_field_with_a_nul_character_names_the_field(client, people):
    response = client.post("/login", data={"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert f"username: {MESSAGE}" in response.get_data(as_text=True)


def test_the_api_answers_a_nul_character_in_its_error_shape(client, people):
    from tests.app.api.test_matrix import _issue

    _token_id, secret = _issue(people.teacher)
    response = client.get("/api/v1/resources?q=%00", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"q": [f"q: {MESSAGE}"]}


def test_text_without_nul_is_untouched(client, people, login):
    login(people.admin)
    assert client.get("/people?q=wang").status_code == 200


def test_a_json_field_with_a_nul_character_names_the_field(client, people):
    response = client.post("/api/v1/auth/token", json={"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"username": [f"username: {MESSAGE}"]}

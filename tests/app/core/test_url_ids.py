"""Ids and page numbers too large for the database are answered as "not found" or clamped, never 500."""

TOO_LARGE = 2**63


def test_a_page_with_an_id_too_large_for_the_database_is_not_found(client, people, login):
    login(people.admin)
    response = client.get(f"/courses/{TOO_LARGE}")
    assert response.status_code == 404
    assert "The page you asked for does not exist." in response.get_data(as_text=True)


def test_a_page_number_past_any_offset_the_database_takes_shows_an_empty_page(client, people, login):
    login(people.admin)
    response = client.get("/courses?page=99999999999999999999&per_page=100000")
    assert response.status_code == 200
    assert people.course.name not in response.get_data(as_text=True)

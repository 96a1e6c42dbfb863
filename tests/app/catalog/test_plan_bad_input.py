"""Adding a resource to a plan with a course id no course can have names the field."""

from tests.app.catalog.factories import create_resource


def test_a_course_id_too_large_for_the_database_is_refused_with_the_field_named(client, people, login):
    resource = create_resource(people.school.id)
    login(people.teacher)
    response = client.post(f"/catalog/resources/{resource.id}/plan", data={"course_id": "9223372036854775808"})
    assert response.status_code == 422
    assert "Course: choose one of your courses." in response.get_data(as_text=True)


def test_a_harvest_history_page_past_the_end_still_shows_the_source(client, people, login):
    from tests.app.test_page_permissions import _source

    source = _source(people)
    login(people.academic_affairs)
    response = client.get(f"/catalog/sources/{source.id}?page=99999999999999999999")
    assert response.status_code == 200
    assert source.name in response.get_data(as_text=True)

"""Each caller sees only what their role allows: /me, /org-units and /courses."""

import pytest

from app.extensions import db
from app.orgs.models import UnitKind


def _get(client, headers, url):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _course_ids(client, headers, query=""):
    return {item["id"] for item in _get(client, headers, f"/api/v1/courses{query}")["items"]}


def _unit_ids(client, headers, query=""):
    return {item["id"] for item in _get(client, headers, f"/api/v1/org-units{query}")["items"]}


def test_me_describes_only_the_caller(client, people, bearer):
    body = _get(client, bearer(people.student), "/api/v1/me")
    assert body["id"] == people.student.id
    assert body["username"] == people.student.username
    assert body["roles"] == [{"role": "student", "unit": None}]
    assert body["school"]["id"] == people.school.id
    assert body["classes"] == [{"id": people.klass.id, "name": people.klass.name, "kind": "class"}]
    assert body["timezone"] == "Asia/Shanghai"
    assert people.other_student.username not in str(body)


def test_me_shows_the_scope_of_a_class_teacher(client, people, bearer):
    body = _get(client, bearer(people.class_teacher), "/api/v1/me")
    assert {"role": "teacher", "unit": None} in body["roles"]
    assert {"role": "class_teacher", "unit": {"id": people.klass.id, "name": people.klass.name, "kind": "class"}} in (
        body["roles"]
    )


def test_student_sees_their_class_course_but_never_another_class(client, people, bearer):
    headers = bearer(people.student)
    assert _course_ids(client, headers) == {people.course.id}
    assert client.get(f"/api/v1/courses/{people.course.id}", headers=headers).status_code == 200
    refused = client.get(f"/api/v1/courses/{people.other_course.id}", headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "forbidden"


def test_student_sees_the_school_tree_but_only_their_own_class(client, people, bearer):
    ids = _unit_ids(client, bearer(people.student))
    assert {people.school.id, people.klass.id, people.klass.parent_id} <= ids
    assert people.other_class.id not in ids
    assert people.other_school.id not in ids


def test_course_does_not_list_its_students(client, people, bearer):
    body = _get(client, bearer(people.student), f"/api/v1/courses/{people.course.id}")
    assert body["teachers"] == [{"id": people.teacher.id, "name": people.teacher.name}]
    assert "students" not in body
    assert people.student.username not in str(body)


def test_teacher_sees_only_the_courses_they_teach(client, people, bearer):
    assert _course_ids(client, bearer(people.teacher)) == {people.course.id}
    assert _course_ids(client, bearer(people.other_teacher)) == {people.other_course.id}


def test_class_teacher_sees_the_courses_of_their_class(client, people, bearer):
    headers = bearer(people.class_teacher)
    assert _course_ids(client, headers) == {people.course.id}
    assert client.get(f"/api/v1/courses/{people.other_course.id}", headers=headers).status_code == 403


@pytest.mark.parametrize("role", ["academic_affairs", "admin"])
def test_school_staff_see_every_course_and_unit_of_their_school(client, people, bearer, make_course, role):
    extra = make_course(subject="英语")
    headers = bearer(getattr(people, role))
    assert _course_ids(client, headers) == {people.course.id, people.other_course.id, extra.id}
    assert {people.klass.id, people.other_class.id} <= _unit_ids(client, headers)
    assert people.other_school.id not in _unit_ids(client, headers)


def test_another_schools_admin_sees_nothing_of_this_school(client, people, bearer):
    headers = bearer(people.foreign_admin)
    assert _course_ids(client, headers) == set()
    assert _unit_ids(client, headers) == {people.other_school.id}
    for course in (people.course, people.other_course):
        response = client.get(f"/api/v1/courses/{course.id}", headers=headers)
        assert response.status_code == 404
        assert response.get_json()["code"] == "not_found"


def test_courses_filter_by_term_class_and_teacher(client, people, bearer, make_term, make_course):
    term = make_term()
    in_term = make_course(term=term, teachers=[people.other_teacher], classes=[people.klass])
    headers = bearer(people.admin)
    assert _course_ids(client, headers, f"?term={term.id}") == {in_term.id}
    assert _course_ids(client, headers, f"?class={people.klass.id}") == {people.course.id, in_term.id}
    assert _course_ids(client, headers, f"?teacher={people.other_teacher.id}") == {people.other_course.id, in_term.id}
    combined = f"?class={people.klass.id}&teacher={people.other_teacher.id}"
    assert _course_ids(client, headers, combined) == {in_term.id}
    detail = _get(client, headers, f"/api/v1/courses/{in_term.id}")
    assert detail["term"]["name"] == term.name
    assert detail["term"]["starts_on"] == term.starts_on.isoformat()


def test_filters_never_widen_what_a_student_sees(client, people, bearer):
    query = f"?class={people.other_class.id}&teacher={people.other_teacher.id}"
    assert _course_ids(client, bearer(people.student), query) == set()
    # The other class's grade holds only the other class, which a student may not see.
    assert _unit_ids(client, bearer(people.student), f"?parent={people.other_class.parent_id}") == set()


def test_org_units_filter_by_kind_and_parent(client, people, bearer):
    headers = bearer(people.teacher)
    classes = _get(client, headers, "/api/v1/org-units?kind=class")["items"]
    assert {unit["id"] for unit in classes} == {people.klass.id, people.other_class.id}
    assert all(unit["kind"] == UnitKind.CLASS for unit in classes)
    children = _unit_ids(client, headers, f"?parent={people.klass.parent_id}")
    assert children == {people.klass.id}


def test_account_without_a_school_sees_no_school(client, people, make_user, bearer):
    drifter = make_user(roles=["teacher"])
    drifter.school_id = None
    db.session.commit()
    headers = bearer(drifter)
    assert _unit_ids(client, headers) == set()
    assert _course_ids(client, headers) == set()
    assert client.get(f"/api/v1/courses/{people.course.id}", headers=headers).status_code == 404

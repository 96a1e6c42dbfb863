"""A student opening a planned resource from their pages goes through the progress record."""

# ruff: noqa: F811  (fixtures imported, then named as arguments)

import re

from sqlalchemy import select

from app.extensions import db
from app.participation.models import ResourceProgress
from tests.app.catalog.factories import create_plan_item, make_resource  # noqa: F401 (fixture)


def _open_links(page: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'data-testid="open-resource"\s+href="([^"]+)"', page)]


def _progress_rows():
    db.session.expire_all()  # the requests wrote through their own sessions
    return db.session.scalars(select(ResourceProgress)).all()


def test_opening_from_my_resources_records_the_opening_for_the_course(client, people, login, make_resource):
    resource = make_resource(title="二次函数复习", url="https://lessons.example.cn/quadratic")
    create_plan_item(people.course, resource)
    login(people.student)
    links = _open_links(client.get("/my/resources").get_data(as_text=True))
    assert links == [f"/participation/resources/{resource.id}/open?course={people.course.id}"]
    response = client.get(links[0])
    assert response.status_code == 302 and response.headers["Location"] == "https://lessons.example.cn/quadratic"
    [progress] = _progress_rows()
    assert (progress.student_id, progress.resource_id, progress.course_id) == (
        people.student.id, resource.id, people.course.id
    )  # fmt: skip


def test_the_course_plan_and_resource_page_open_through_the_progress_record(client, people, login, make_resource):
    resource = make_resource(title="古诗二首", url="https://lessons.example.cn/poems")
    create_plan_item(people.course, resource)
    login(people.student)
    plan = client.get(f"/courses/{people.course.id}/plan").get_data(as_text=True)
    assert _open_links(plan) == [f"/participation/resources/{resource.id}/open?course={people.course.id}"]
    detail = client.get(f"/catalog/resources/{resource.id}?course={people.course.id}").get_data(as_text=True)
    assert f'href="/participation/resources/{resource.id}/open?course={people.course.id}"' in detail
    client.get(f"/participation/resources/{resource.id}/open?course={people.course.id}")
    assert [(row.resource_id, row.course_id) for row in _progress_rows()] == [(resource.id, people.course.id)]


def test_a_teacher_opening_a_resource_records_no_student_progress(client, people, login, make_resource):
    resource = make_resource(title="教师预览", url="https://lessons.example.cn/preview")
    login(people.teacher)
    page = client.get(f"/catalog/resources/{resource.id}").get_data(as_text=True)
    assert f'href="/participation/resources/{resource.id}/open"' in page
    assert client.get(f"/participation/resources/{resource.id}/open").status_code == 302
    assert _progress_rows() == []

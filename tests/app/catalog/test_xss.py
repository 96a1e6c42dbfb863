"""Every rich or user-written catalog field, fed known XSS payloads: stored and rendered safely.

Fields: an upload's description (rich) and title (plain text, escaped), a plan note (rich,
through the page and the API), and a split reason (shown in the merge explanation).
"""

import io
import re

import pytest

from app.catalog.models import LessonPlanItem, Resource, ResourceOrigin
from app.extensions import db
from tests.app.catalog.factories import create_plan_item, create_resource
from tests.app.catalog.upload_files import PDF
from tests.app.core.test_sanitizer import XSS_PAYLOADS, executable_parts


def _section(page: str, testid: str) -> str:
    """The inner HTML of the element marked data-testid (rich text never holds a div)."""
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert match, testid
    return match.group(1)


@pytest.fixture
def teacher_client(client, people, login):
    login(people.teacher)
    return client


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_upload_description_and_title_are_safe_stored_and_shown(teacher_client, people, payload):
    response = teacher_client.post(
        "/catalog/upload",
        data={"title": "讲义 " + payload, "description": payload, "file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    resource = db.session.query(Resource).one()
    assert executable_parts(resource.description, "rich") == []
    page = teacher_client.get(f"/catalog/resources/{resource.id}").get_data(as_text=True)
    if resource.description:
        assert executable_parts(_section(page, "description"), "rich") == []
    heading = re.search(r'<h1 class="h3 text-break mt-1">(.*?)</h1>', page, re.DOTALL).group(1)
    assert executable_parts(heading, "plain") == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_plan_note_is_safe_stored_and_shown_to_students(client, people, login, payload):
    resource = create_resource(people.school.id)
    login(people.teacher)
    response = client.post(
        f"/catalog/resources/{resource.id}/plan", data={"course_id": people.course.id, "note": payload}
    )
    assert response.status_code == 302
    item = db.session.query(LessonPlanItem).one()
    assert executable_parts(item.note, "rich") == []
    client.post("/logout")
    login(people.student)
    page = client.get(f"/courses/{people.course.id}/plan").get_data(as_text=True)
    if item.note:
        assert executable_parts(_section(page, "plan-note"), "rich") == []
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:12])
def test_plan_note_edited_later_is_sanitized_too(client, people, login, payload):
    item = create_plan_item(people.course)
    login(people.teacher)
    client.post(f"/courses/{people.course.id}/plan/{item.id}", data={"note": payload})
    db.session.refresh(item)
    assert executable_parts(item.note, "rich") == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:12])
def test_plan_note_through_the_api_is_sanitized(client, people, payload):
    from app.auth import operations

    _token, secret = operations.issue_token(people.teacher, "xss")
    db.session.commit()
    resource = create_resource(people.school.id)
    response = client.post(
        f"/api/v1/courses/{people.course.id}/resources",
        json={"resource_id": resource.id, "note": payload},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201
    assert executable_parts(response.get_json()["note"], "rich") == []


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:12])
def test_split_reason_is_shown_as_text(client, people, login, payload):
    resource = create_resource(people.school.id, origins=2)
    origin_id = resource.origins[1].id
    login(people.academic_affairs)
    client.post(f"/catalog/origins/{origin_id}/split", data={"reason": payload})
    moved = db.session.get(ResourceOrigin, origin_id)
    page = client.get(f"/catalog/resources/{moved.resource_id}").get_data(as_text=True)
    explanation = re.search(r'data-testid="merge-explanation">(.*?)</span>', page, re.DOTALL).group(1)
    assert executable_parts(explanation, "plain") == []

"""The audit log page: a school's admin reads their own school's entries, nobody else does."""

import pytest

from app.core.audit import record
from app.extensions import db


@pytest.fixture
def entries(people):
    """Entries in the admin's school and in the foreign school, each with a recognisable marker."""
    record(people.teacher, "course.renamed", people.course, marker="own-course-renamed")
    record(people.admin, "roster.imported", school_id=people.admin.school_id, marker="own-roster-imported")
    record(people.foreign_admin, "course.renamed", marker="foreign-course-renamed")
    db.session.commit()
    return people


def test_admin_sees_the_entries_of_their_school(client, login, entries):
    login(entries.admin)
    page = client.get("/audit")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "own-course-renamed" in text and "own-roster-imported" in text
    assert entries.teacher.name in text


def test_admin_does_not_see_another_schools_entries(client, login, entries):
    login(entries.admin)
    assert "foreign-course-renamed" not in client.get("/audit").get_data(as_text=True)


def test_other_schools_admin_sees_only_their_own(client, login, entries):
    login(entries.foreign_admin)
    text = client.get("/audit").get_data(as_text=True)
    assert "foreign-course-renamed" in text
    assert "own-course-renamed" not in text and "own-roster-imported" not in text


def test_filter_by_action_prefix_shows_only_matching_entries(client, login, entries):
    login(entries.admin)
    text = client.get("/audit", query_string={"action": "course."}).get_data(as_text=True)
    assert "own-course-renamed" in text
    assert "own-roster-imported" not in text
    # Signing in was recorded too, and is filtered out.
    assert "auth.login" not in text
    assert "auth.login" in client.get("/audit", query_string={"action": "auth."}).get_data(as_text=True)


def test_filter_without_matches_says_so(client, login, entries):
    login(entries.admin)
    assert "No entries." in client.get("/audit", query_string={"action": "nothing."}).get_data(as_text=True)


def test_filter_is_kept_when_paging(client, login, entries):
    for number in range(55):
        record(entries.admin, "course.renamed", entries.course, marker=f"bulk-{number}")
    db.session.commit()
    login(entries.admin)
    text = client.get("/audit", query_string={"action": "course."}).get_data(as_text=True)
    assert "action=course." in text and "page=2" in text
    second = client.get("/audit", query_string={"action": "course.", "page": 2}).get_data(as_text=True)
    assert "own-course-renamed" in second
    assert "auth.login" not in second


@pytest.mark.parametrize("role", ["student", "teacher", "class_teacher", "academic_affairs"])
def test_other_roles_are_refused(client, login, entries, role):
    login(getattr(entries, role))
    assert client.get("/audit").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client, entries):
    response = client.get("/audit")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]

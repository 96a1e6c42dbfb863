"""Every role signs in through the real page and lands on its own home page."""

import pytest

from tests.e2e.pages import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

SECTIONS = ("home-admin", "home-academic-affairs", "home-class-teacher", "home-courses")


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("student", {"home-courses"}),
        ("teacher", {"home-courses"}),
        ("class_teacher", {"home-class-teacher", "home-courses"}),
        ("academic_affairs", {"home-academic-affairs", "home-courses"}),
        ("admin", {"home-admin", "home-academic-affairs", "home-courses"}),
    ],
)
def test_each_role_signs_in_and_sees_its_home_page(open_page, people, person, expected):
    page = open_page()
    user = getattr(people, person)

    sign_in(page, user.username, PASSWORD)

    assert page.url.endswith("/")
    assert {testid for testid in SECTIONS if page.get_by_test_id(testid).is_visible()} == expected
    assert page.locator("h1").inner_text() == f"Hello, {user.name}"
    if person in ("student", "teacher"):
        assert page.get_by_test_id("home-courses").get_by_role("link", name=people.course.name).is_visible()


def test_a_wrong_password_is_refused_on_the_page(open_page, people):
    page = open_page()

    sign_in(page, people.student.username, "not the password")

    assert page.url.endswith("/login")
    error = page.locator("#password-error")
    assert error.is_visible() and "Wrong username or password" in error.inner_text()
    assert page.locator("#password").get_attribute("aria-describedby") == "password-error"
    assert page.locator("#username").input_value() == people.student.username


def test_signing_out_returns_to_the_login_page(open_page, people):
    page = open_page()
    sign_in(page, people.teacher.username, PASSWORD)

    with page.expect_navigation():
        page.locator('form[action="/logout"] button').click()

    assert page.url.endswith("/login")
    page.goto("/")
    assert page.url.endswith("/login")

"""Pages fit a 375 px phone screen and break no Content-Security-Policy rule, with real data."""

import pytest

from app.extensions import db
from app.orgs.demo import DEMO_PASSWORD, seed_demo_school
from tests.e2e.pages import horizontal_overflow, sign_in

pytestmark = pytest.mark.e2e

PHONE_WIDTH = 375


@pytest.fixture
def demo_school(app):
    seed_demo_school()
    db.session.commit()


def _pages_of(page) -> list[str]:
    """Home, every navbar entry, and the first class and course linked from home."""
    paths = ["/"]
    paths += [link.get_attribute("href") for link in page.locator("#main-nav a.nav-link").all()]
    for selector in ('[data-testid="home-class-teacher"] a', '[data-testid="home-courses"] a'):
        links = page.locator(selector)
        if links.count():
            paths.append(links.first.get_attribute("href"))
    return list(dict.fromkeys(paths))


def test_the_login_page_fits_a_phone(open_page, console):
    page = open_page(locale="zh-CN", width=PHONE_WIDTH)
    page.goto("/login")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert page.locator("#submit").is_visible()
    assert console.csp_violations == []


@pytest.mark.parametrize("username", ["admin", "jiaowu", "t001", "s070101"])
def test_every_page_of_a_demo_account_fits_a_phone_without_csp_errors(open_page, console, demo_school, username):
    page = open_page(locale="zh-CN", width=PHONE_WIDTH)
    sign_in(page, username, DEMO_PASSWORD)

    too_wide = {}
    for path in _pages_of(page):
        response = page.goto(path)
        assert response.status == 200, path
        if horizontal_overflow(page) > 0:
            too_wide[path] = page.evaluate("document.documentElement.scrollWidth")
    assert too_wide == {}, f"wider than {PHONE_WIDTH} px"
    assert console.csp_violations == []


def test_the_phone_menu_opens_with_the_page_script(open_page, people):
    # The navbar toggler needs Bootstrap's script, which the CSP must let through.
    page = open_page(width=PHONE_WIDTH)
    sign_in(page, people.admin.username, "correct horse 42")
    menu = page.locator("#main-nav")
    assert not menu.is_visible()

    page.locator(".navbar-toggler").click()

    menu.get_by_role("link", name="People").wait_for(state="visible")
    assert horizontal_overflow(page) == 0

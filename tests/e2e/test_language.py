"""The navbar's 简体中文 / English buttons switch the language, and the choice sticks.

The Chinese text comes from the message catalog; the tests compare with whatever the
catalog says, so they check the switching itself even before every string is translated.
"""

import pytest
from flask_babel import force_locale, gettext

from tests.e2e.pages import choose_language, html_lang, pressed_language, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def _in_chinese(message: str) -> str:
    with force_locale("zh_Hans_CN"):
        return gettext(message)


def _login_page_text(page) -> tuple[str, str]:
    return page.locator("h1").inner_text(), page.locator("#submit").get_attribute("value")


def test_a_chinese_browser_gets_chinese_and_can_switch_to_english(open_page):
    page = open_page(locale="zh-CN")
    page.goto("/login")
    assert (html_lang(page), pressed_language(page)) == ("zh-CN", "zh_Hans_CN")
    assert _login_page_text(page) == (_in_chinese("Sign in to Kexu"), _in_chinese("Sign in"))

    choose_language(page, "en")

    assert page.url.endswith("/login")
    assert (html_lang(page), pressed_language(page)) == ("en", "en")
    assert _login_page_text(page) == ("Sign in to Kexu", "Sign in")


def test_the_chosen_language_sticks_across_pages_and_through_signing_in_and_out(open_page, people):
    page = open_page(locale="zh-CN")
    page.goto("/login")
    choose_language(page, "en")
    page.goto("/no-such-page")
    assert html_lang(page) == "en"  # even the error page

    sign_in(page, people.student.username, PASSWORD)
    assert (html_lang(page), pressed_language(page)) == ("en", "en")
    assert page.get_by_test_id("home-courses").locator("h2").inner_text() == "My courses"

    choose_language(page, "zh_Hans_CN")
    assert page.url.endswith("/")
    page.goto("/courses")
    assert (html_lang(page), pressed_language(page)) == ("zh-CN", "zh_Hans_CN")

    with page.expect_navigation():
        page.locator('form[action="/logout"] button').click()
    assert page.url.endswith("/login") and html_lang(page) == "zh-CN"
    assert _login_page_text(page) == (_in_chinese("Sign in to Kexu"), _in_chinese("Sign in"))


def test_a_signed_in_users_choice_follows_them_to_another_browser(open_page, people):
    first = open_page(locale="zh-CN")
    sign_in(first, people.teacher.username, PASSWORD)
    choose_language(first, "en")

    second = open_page(locale="zh-CN")
    sign_in(second, people.teacher.username, PASSWORD)
    assert (html_lang(second), pressed_language(second)) == ("en", "en")

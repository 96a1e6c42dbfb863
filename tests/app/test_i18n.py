"""Two languages: 简体中文 and English, chosen per user, per session or by the browser."""

import pytest

from app.core.translations import missing_translations
from app.extensions import db


@pytest.fixture
def zh_app(make_app):
    # The shipped default: Chinese unless the browser or the user asks otherwise.
    return make_app(BABEL_DEFAULT_LOCALE="zh_Hans_CN")


def test_no_string_is_left_untranslated_in_either_catalog():
    assert missing_translations() == {"zh_Hans_CN": [], "en": []}


def test_a_chinese_browser_gets_the_chinese_login_page(zh_app):
    page = zh_app.test_client().get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="zh-CN">' in text and "登录课续" in text


def test_a_chinese_browser_gets_chinese_where_english_is_the_default(make_app):
    english_default = make_app(BABEL_DEFAULT_LOCALE="en")
    page = english_default.test_client().get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录课续" in page.get_data(as_text=True)


def test_an_english_browser_gets_the_english_login_page(zh_app):
    page = zh_app.test_client().get("/login", headers={"Accept-Language": "en-US,en;q=0.8"})
    text = page.get_data(as_text=True)
    assert '<html lang="en">' in text and "Sign in to Kexu" in text


def test_switching_language_sticks_for_the_visitor(zh_app):
    client = zh_app.test_client()
    client.post("/language", data={"locale": "en", "next": "/login"})
    assert "Sign in to Kexu" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "zh_Hans_CN", "next": "/login"})
    assert "登录课续" in client.get("/login").get_data(as_text=True)


def test_a_signed_in_users_choice_is_saved_and_follows_them(zh_app, make_user, login):
    user = make_user()
    client = zh_app.test_client()
    login(user, test_client=client)
    client.post("/language", data={"locale": "en", "next": "/"})
    db.session.refresh(user)
    assert user.locale == "en"
    other_browser = zh_app.test_client()
    login(user, test_client=other_browser)
    assert "Courses" in other_browser.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_error_pages_are_translated(zh_app):
    page = zh_app.test_client().get("/no-such-page", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 404
    assert "您访问的页面不存在" in page.get_data(as_text=True)


def test_unknown_language_is_ignored(zh_app):
    client = zh_app.test_client()
    response = client.post("/language", data={"locale": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"

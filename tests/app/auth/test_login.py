"""Signing in and out through the login page."""

from app.core.audit import AuditEntry
from app.extensions import db


def test_login_with_good_password_lands_on_home_page(client, make_user, login):
    user = make_user(name="王小明")
    response = login(user)
    assert response.status_code == 302
    page = client.get("/")
    assert "王小明" in page.get_data(as_text=True)


def test_login_with_bad_password_shows_error_and_is_audited(client, make_user, login):
    user = make_user()
    response = login(user, password="wrong password")
    assert response.status_code == 401
    assert "Wrong username or password" in response.get_data(as_text=True) or "用户名或密码错误" in response.get_data(
        as_text=True
    )
    assert db.session.query(AuditEntry).filter_by(action="auth.login_failed").count() == 1


def test_disabled_account_cannot_sign_in(make_user, login):
    user = make_user(disabled=True)
    assert login(user).status_code == 401


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/courses")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]

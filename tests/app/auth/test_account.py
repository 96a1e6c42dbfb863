"""The account page: passwords, preferences, API tokens; admin resets and disables."""

from app.auth.models import ApiToken
from app.core.audit import AuditEntry
from app.extensions import db
from tests.factories import PASSWORD


def test_user_changes_password_and_signs_in_with_the_new_one(app, client, make_user, login):
    user = make_user()
    login(user)
    response = client.post(
        "/account/password", data={"pw-current_password": PASSWORD, "pw-new_password": "a brand new secret"}
    )
    assert response.status_code == 302
    client.post("/logout")
    assert login(user, password=PASSWORD).status_code == 401
    assert login(user, password="a brand new secret").status_code == 302


def test_change_password_with_wrong_current_password_names_the_field(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/password", data={"pw-current_password": "nope", "pw-new_password": "long enough!"})
    assert response.status_code == 422
    assert "The current password is not correct." in response.get_data(as_text=True)


def test_too_short_new_password_is_refused(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/password", data={"pw-current_password": PASSWORD, "pw-new_password": "short"})
    assert response.status_code == 422
    assert "at least 8 characters" in response.get_data(as_text=True)


def test_preferences_save_language_and_time_zone(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/preferences", data={"prefs-locale": "en", "prefs-timezone": "Europe/London"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.locale, user.timezone) == ("en", "Europe/London")


def test_unknown_time_zone_is_refused_with_its_name(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/preferences", data={"prefs-locale": "en", "prefs-timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Unknown time zone: Mars/Olympus" in response.get_data(as_text=True)


def test_token_is_shown_once_listed_and_revocable(client, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/account/tokens", data={"token-name": "timetable sync"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    token = db.session.query(ApiToken).one()
    assert "kx_" in page and token.prefix in page and "timetable sync" in page
    client.post(f"/account/tokens/{token.id}/revoke")
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert "Revoked" in client.get("/account").get_data(as_text=True)


def test_user_cannot_revoke_someone_elses_token(client, make_user, login):
    owner, intruder = make_user(), make_user()
    from app.auth.operations import issue_token

    token, _secret = issue_token(owner, "mine")
    db.session.commit()
    login(intruder)
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_admin_resets_a_password_and_the_user_must_change_it(client, people, login):
    login(people.admin)
    response = client.post(f"/people/{people.student.id}/reset-password", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Temporary password for" in page
    temporary = page.split("Temporary password for")[1].split(":")[1].split("<")[0].strip()
    client.post("/logout")
    response = login(people.student, password=temporary)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert db.session.query(AuditEntry).filter_by(action="auth.password_reset").count() == 1


def test_admin_disables_an_account_which_then_cannot_sign_in(client, people, login):
    login(people.admin)
    client.post(f"/people/{people.teacher.id}/disable", data={"disabled": "1"})
    client.post("/logout")
    assert login(people.teacher).status_code == 401


def test_disabling_an_account_signs_it_out_of_open_sessions(app, people, login):
    teacher_browser = app.test_client()
    login(people.teacher, test_client=teacher_browser)
    assert teacher_browser.get("/courses").status_code == 200
    admin_browser = app.test_client()
    login(people.admin, test_client=admin_browser)
    admin_browser.post(f"/people/{people.teacher.id}/disable", data={"disabled": "1"})
    assert teacher_browser.get("/courses").status_code == 302


def test_admin_cannot_disable_their_own_account(client, people, login):
    login(people.admin)
    response = client.post(f"/people/{people.admin.id}/disable", data={"disabled": "1"}, follow_redirects=True)
    assert "You cannot disable your own account." in response.get_data(as_text=True)
    db.session.refresh(people.admin)
    assert not people.admin.disabled


def test_admin_of_another_school_cannot_reset_or_disable(client, people, login):
    login(people.foreign_admin)
    assert client.post(f"/people/{people.student.id}/reset-password").status_code == 403
    assert client.post(f"/people/{people.student.id}/disable", data={"disabled": "1"}).status_code == 403

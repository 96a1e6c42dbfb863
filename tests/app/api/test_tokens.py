"""Getting, using, listing and revoking API tokens; what the API refuses."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import ApiToken
from app.core.audit import AuditEntry
from app.core.models import utcnow
from app.extensions import db
from tests.factories import PASSWORD


def _issue(client, username, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password, **extra})


def test_good_password_gets_a_token_that_opens_the_api(client, make_user):
    user = make_user(name="王小明")
    response = _issue(client, user.username, name="timetable sync")
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("kx_")
    assert body["name"] == "timetable sync"
    assert body["expires_at"].endswith("+00:00")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["name"] == "王小明"


def test_token_secret_is_stored_only_as_a_digest(client, make_user):
    user = make_user()
    body = _issue(client, user.username).get_json()
    stored = db.session.get(ApiToken, body["id"])
    assert stored.token_digest != body["token"]
    assert body["token"] not in (stored.token_digest, stored.prefix)


def test_wrong_password_is_refused_and_the_attempt_audited(client, make_user):
    user = make_user()
    response = _issue(client, user.username, password="not the password")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"
    assert "WWW-Authenticate" in response.headers
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None
    failures = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).all()
    assert len(failures) == 1


def test_disabled_account_gets_no_token(client, make_user):
    user = make_user(disabled=True)
    assert _issue(client, user.username).status_code == 401


def test_expired_token_is_refused(client, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert response.get_json()["message"] == "The API token is unknown, expired or revoked."


def test_revoked_token_no_longer_works(client, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    headers = {"Authorization": f"Bearer {secret}"}
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    assert client.delete(f"/api/v1/auth/tokens/{token_id}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_revoking_with_another_token_of_the_same_user_works_and_is_repeatable(client, make_user, token_for):
    user = make_user()
    first, second = token_for(user, "first"), token_for(user, "second")
    first_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "first"))
    headers = {"Authorization": f"Bearer {second}"}
    assert client.delete(f"/api/v1/auth/tokens/{first_id}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/auth/tokens/{first_id}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_nobody_can_revoke_another_users_token(client, make_user, token_for, bearer):
    owner, intruder = make_user(), make_user(roles=["admin"])
    secret = token_for(owner)
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))
    response = client.delete(f"/api/v1/auth/tokens/{token_id}", headers=bearer(intruder))
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_token_list_shows_only_my_tokens_and_never_a_secret(client, make_user, token_for):
    me, other = make_user(), make_user()
    token_for(other, "theirs")
    token_for(me, "old")
    secret = token_for(me, "new")
    response = client.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {secret}"})
    body = response.get_json()
    assert response.status_code == 200
    assert [item["name"] for item in body["items"]] == ["new", "old"]
    assert all(item["active"] for item in body["items"])
    assert secret not in response.get_data(as_text=True)
    assert not {"token", "token_digest"} & set(body["items"][0])
    assert body["items"][0]["prefix"] == secret[:10]
    assert body["items"][0]["last_used_at"] is not None


def test_browser_session_cookie_is_not_accepted(client, make_user, login):
    user = make_user(roles=["admin"])
    assert login(user).status_code == 302
    assert client.get("/").status_code == 200
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="Kexu API"'
    assert client.get("/api/v1/auth/tokens").status_code == 401


def test_other_authorization_schemes_are_not_accepted(client, make_user, token_for):
    secret = token_for(make_user())
    for value in (secret, f"Basic {secret}", "Bearer ", "Bearer kx_made_up"):
        assert client.get("/api/v1/me", headers={"Authorization": value}).status_code == 401


def test_disabled_users_token_is_refused(client, make_user, token_for):
    user = make_user()
    secret = token_for(user)
    user.disabled = True
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def _limited_client(make_app, **limits):
    return make_app(RATELIMIT_ENABLED=True, **limits).test_client()


def test_failed_attempts_are_limited_per_account(make_app, make_user):
    client = _limited_client(
        make_app, KEXU_LOGIN_LIMIT_PER_ACCOUNT="2 per minute", KEXU_LOGIN_LIMIT_PER_ADDRESS="50 per minute"
    )
    user, bystander = make_user(), make_user()
    assert _issue(client, user.username, "wrong").status_code == 401
    assert _issue(client, user.username.upper(), "wrong").status_code == 401
    # Even the right password waits now: the account is being guessed at.
    refused = _issue(client, user.username)
    assert refused.status_code == 429
    assert refused.get_json()["code"] == "too_many_requests"
    assert _issue(client, bystander.username).status_code == 201


def test_failed_attempts_are_limited_per_address(make_app, make_user):
    client = _limited_client(
        make_app, KEXU_LOGIN_LIMIT_PER_ACCOUNT="50 per minute", KEXU_LOGIN_LIMIT_PER_ADDRESS="3 per minute"
    )
    user = make_user()
    for guess in ("alice", "bob", "carol"):
        assert _issue(client, guess, "wrong").status_code == 401
    assert _issue(client, user.username).status_code == 429


def test_successful_token_requests_do_not_use_up_the_limit(make_app, make_user):
    client = _limited_client(
        make_app, KEXU_LOGIN_LIMIT_PER_ACCOUNT="2 per minute", KEXU_LOGIN_LIMIT_PER_ADDRESS="2 per minute"
    )
    user = make_user()
    assert [_issue(client, user.username).status_code for _ in range(4)] == [201] * 4

"""Login attempts are limited per account and per address; only failures count."""

import uuid

import pytest

from tests.factories import PASSWORD

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "KEXU_LOGIN_LIMIT_PER_ACCOUNT": "3 per minute",
    "KEXU_LOGIN_LIMIT_PER_ADDRESS": "6 per minute",
}


@pytest.fixture(params=["memory", "redis"])
def limited_app(request, app, make_app):
    # Flask-Limiter keeps its settings on the one global limiter, so the limited app must be
    # created after the default `app` fixture (one app per process in production).
    storage = "memory://" if request.param == "memory" else "redis://127.0.0.1:6379/0"
    # A fresh key prefix keeps runs (and the two databases' suites) from sharing counters.
    return make_app(**LIMITS, RATELIMIT_STORAGE_URI=storage)


def _address() -> str:
    """A fresh client address: Redis keeps counters between tests and runs."""
    number = uuid.uuid4().int
    return f"10.{number % 250}.{number // 250 % 250}.{number // 62500 % 250 + 1}"


def _unique_name() -> str:
    return f"rl-{uuid.uuid4().hex[:12]}"


def _attempt(client, username, password, address=None):
    address = address or client.address
    return client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_an_account_is_locked_for_a_while_after_repeated_failures(limited_app, make_user):
    user = make_user(username=_unique_name())
    client = limited_app.test_client()
    client.address = _address()
    for _ in range(3):
        assert _attempt(client, user.username, "wrong").status_code == 401
    # Even the right password is refused now, from any address.
    response = _attempt(client, user.username, PASSWORD, address=_address())
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_one_address_trying_many_accounts_is_limited(limited_app, make_user):
    users = [make_user(username=_unique_name()) for _ in range(7)]
    client = limited_app.test_client()
    client.address = _address()
    statuses = [_attempt(client, user.username, "wrong").status_code for user in users]
    assert statuses[:6] == [401] * 6
    assert statuses[6] == 429
    assert _attempt(client, users[0].username, "wrong", address=_address()).status_code == 401


def test_successful_sign_ins_do_not_count_towards_the_limit(limited_app, make_user):
    user = make_user(username=_unique_name())
    for _ in range(5):
        client = limited_app.test_client()
        client.address = _address()
        assert _attempt(client, user.username, PASSWORD).status_code == 302


def test_failures_on_the_login_page_and_the_api_share_one_allowance(limited_app, make_user):
    user = make_user(username=_unique_name())
    client = limited_app.test_client()
    client.address = _address()
    assert _attempt(client, user.username, "wrong").status_code == 401
    for _ in range(2):
        response = client.post(
            "/api/v1/auth/token",
            json={"username": user.username, "password": "wrong"},
            environ_base={"REMOTE_ADDR": _address()},
        )
        assert response.status_code == 401
    assert _attempt(client, user.username, PASSWORD, address=_address()).status_code == 429
    response = client.post(
        "/api/v1/auth/token",
        json={"username": user.username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": _address()},
    )
    assert response.status_code == 429
    assert response.headers.get("Retry-After")

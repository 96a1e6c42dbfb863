"""Every response carries the security headers; cookies are locked down; HTTPS adds HSTS."""

import pytest

RESPONSES = {
    "page": ("/login", 200),
    "missing page": ("/no-such-page", 404),
    "api document": ("/api/v1/openapi.json", 200),
    "missing api resource": ("/api/v1/no-such-resource", 404),
}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def cookie_flags(cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}


@pytest.mark.parametrize(("path", "status"), RESPONSES.values(), ids=RESPONSES.keys())
def test_response_carries_a_strict_content_security_policy(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    directives = csp_directives(response.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


@pytest.mark.parametrize(("path", "status"), RESPONSES.values(), ids=RESPONSES.keys())
def test_response_forbids_sniffing_framing_and_leaky_referrers(client, path, status):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_plain_http_deployment_sends_no_hsts_and_no_secure_cookie(client, make_user, login):
    response = login(make_user())
    assert response.status_code == 302
    assert "Strict-Transport-Security" not in response.headers
    assert "secure" not in cookie_flags(session_cookie(response))


def test_session_cookie_is_http_only_and_same_site_lax(client, make_user, login):
    cookie = session_cookie(login(make_user()))
    assert "httponly" in cookie_flags(cookie)
    assert "SameSite=Lax" in cookie


def test_kexu_https_turns_on_hsts_and_secure_cookies(monkeypatch, make_app, make_user, login):
    user = make_user()
    monkeypatch.setenv("KEXU_HTTPS", "1")
    https_client = make_app().test_client()
    response = login(user, test_client=https_client)
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert https_client.get("/no-such-page").headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = session_cookie(response)
    assert {"secure", "httponly"} <= cookie_flags(cookie)
    assert "SameSite=Lax" in cookie


def test_secure_cookie_setting_alone_also_turns_on_hsts(make_app, make_user, login):
    user = make_user()
    https_client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    response = login(user, test_client=https_client)
    assert "Strict-Transport-Security" in response.headers
    assert "secure" in cookie_flags(session_cookie(response))

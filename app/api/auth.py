"""Bearer-token authentication for the JSON API.

The API accepts only `Authorization: Bearer kx_...`. The browser's session cookie is ignored
on API endpoints, so a page on another site cannot make a signed-in browser call the API
(which is why the API blueprints can be exempt from CSRF). Every operation of every blueprint
registered through `register_api` needs a token unless its view is marked `@public`.
"""

from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _

from app.api.base import PUBLIC_DOC_KEY
from app.auth.models import User
from app.auth.operations import user_for_token
from app.core.errors import error_payload
from app.extensions import login

REALM = "Kexu API"
SECURITY_SCHEME = "bearerAuth"


def public(view):
    """Let anonymous callers reach `view` (and say so in the OpenAPI document)."""
    view._apidoc = {**getattr(view, "_apidoc", {}), PUBLIC_DOC_KEY: True}
    view.kexu_public = True
    return view


def current_api_user() -> User | None:
    """The user whose token authenticated this API request (None on public operations)."""
    return g.get("kexu_api_user")


def bearer_secret() -> str | None:
    scheme, _sep, secret = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def unauthorized(message: str, invalid_token: bool = False):
    """A 401 answer in the API error shape, with the RFC 6750 challenge."""
    challenge = f'Bearer realm="{REALM}"' + (', error="invalid_token"' if invalid_token else "")
    response = jsonify(error_payload(401, message))
    response.status_code = 401
    response.headers["WWW-Authenticate"] = challenge
    return response


def _is_api_endpoint() -> bool:
    api_blueprints = current_app.extensions.get("flask-smorest", {}).get("blp_name_to_api", {})
    return any(name in api_blueprints for name in request.blueprints)


def _is_public_endpoint() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, request.method.lower(), None)
    return bool(getattr(view, "kexu_public", False))


def authenticate_api_request():
    """before_request: resolve the bearer token, or answer 401 before the view runs."""
    if request.endpoint is None or not _is_api_endpoint():
        return None
    # Flask-Login would load the user from the session cookie; pin current_user instead so
    # nothing on an API request (locale, templates, rules) sees the browser's session.
    g._login_user = login.anonymous_user()
    if request.method == "OPTIONS" or _is_public_endpoint():
        return None
    secret = bearer_secret()
    if secret is None:
        return unauthorized(_("Send an API token in the Authorization header: Bearer <token>."))
    user = user_for_token(secret)
    if user is None:
        return unauthorized(_("The API token is unknown, expired or revoked."), invalid_token=True)
    g.kexu_api_user = user
    g._login_user = user
    return None


def init_app(app, api) -> None:
    app.before_request(authenticate_api_request)
    api.spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (kx_...) from POST /api/v1/auth/token or the account page.",
        },
    )
    # Required everywhere; public operations override it with an empty list.
    api.spec.options["security"] = [{SECURITY_SCHEME: []}]

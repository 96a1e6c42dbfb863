"""/api/v1/auth: exchange a username and password for a bearer token; list and revoke tokens."""

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy import select

from app.api.auth import current_api_user, public, unauthorized
from app.api.base import ApiBlueprint, paginated
from app.api.schemas import IssuedTokenSchema, PageArgsSchema, TokenRequestSchema, TokenSchema, page_of
from app.auth import operations
from app.auth.limits import limit_sign_in_attempts
from app.auth.models import ApiToken
from app.extensions import db

blp = ApiBlueprint("api-auth", __name__, url_prefix="/auth", description="API tokens")


def _username_of_request() -> str:
    body = request.get_json(silent=True)
    username = body.get("username") if isinstance(body, dict) else None
    return username if isinstance(username, str) else ""


def _issue_failed(response) -> bool:
    return response.status_code != 201


@blp.route("/token", methods=["POST"])
@limit_sign_in_attempts(_username_of_request, failed=_issue_failed)
@public
@blp.arguments(TokenRequestSchema)
@blp.response(201, IssuedTokenSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(429, response="TOO_MANY_REQUESTS")
def issue_token(data):
    """Get a bearer token

    Trades a username and password for an API token. The secret is in this answer only.
    Failed attempts are limited per address and per account, like the sign-in page.
    """
    user = operations.authenticate(data["username"], data["password"])
    if user is None:
        # Keep the failed-attempt audit entry although the answer is an error (which rolls back).
        db.session.commit()
        return unauthorized(_("Wrong username or password, or the account is disabled."))
    token, secret = operations.issue_token(user, data.get("name", ""))
    body = {"token": secret, "expires_at": token.expires_at, "id": token.id, "name": token.name}
    # A secret must not linger in caches (RFC 6749 section 5.1 asks the same of token answers).
    return body, 201, {"Cache-Control": "no-store"}


@blp.route("/tokens")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(TokenSchema))
def list_tokens(args):
    """List my tokens

    The caller's own tokens, newest first, including expired and revoked ones. Never the secret.
    """
    query = (
        select(ApiToken)
        .where(ApiToken.user_id == current_api_user().id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return paginated(query, args)


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def revoke_token(token_id: int):
    """Revoke one of my tokens

    Revoking an already revoked token succeeds again. Another user's token is "not found".
    """
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_api_user().id:
        abort(404)
    operations.revoke_token(current_api_user(), token)

"""What every API blueprint shares: argument errors in the Kexu shape, auth in the docs, pagination.

A domain's API module does::

    blp = ApiBlueprint("api-things", __name__, url_prefix="/things", description="...")

    @blp.route("")
    @blp.arguments(ThingListArgs, location="query")   # ThingListArgs extends PageArgsSchema
    @blp.response(200, page_of(ThingSchema))
    def list_things(args):
        return paginated(visible_things(current_api_user()), args)

and adds `blp` to `app.api.resources.BLUEPRINTS`. Its schemas derive from
`app.api.validation.ApiSchema` (never marshmallow's Schema) so bad input is answered in the
caller's language. Every operation needs a bearer token unless
it is marked `@public` (see app/api/auth.py). Lists use `page_of`/`paginated`, not smorest's
`@blp.paginate` (its X-Pagination header is not our convention).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import Select
from webargs.flaskparser import FlaskParser, abort

from app.api.validation import render_messages
from app.core.pagination import page_args, paginate
from app.extensions import db

PUBLIC_DOC_KEY = "kexu_public"


def flatten_locations(messages):
    """webargs files field errors under the location ({"json": {"name": [...]}}); clients want
    the fields themselves under "errors", so drop that level."""
    if not isinstance(messages, dict):
        return {"_schema": messages}
    flat = {}
    for value in messages.values():
        if isinstance(value, dict):
            flat.update(value)
        else:
            flat.setdefault("_schema", []).extend(value if isinstance(value, list) else [value])
    return flat


class ApiArgumentsParser(FlaskParser):
    """Aborts with 422 and the field messages, which app/core/errors.py puts under "errors".

    The messages come from `app.api.validation.ApiSchema` and are translated here, in the
    request's language, before anything serializes them.
    """

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        abort(
            error_status_code or self.DEFAULT_VALIDATION_STATUS,
            exc=error,
            messages=render_messages(flatten_locations(error.messages)),
            schema=schema,
            headers=error_headers,
        )

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, exc=error, messages={"json": [_("The request body is not valid JSON.")]})


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose operations document their bearer auth and error answers."""

    ARGUMENTS_PARSER = ApiArgumentsParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_auth_doc)

    @staticmethod
    def _prepare_auth_doc(doc, doc_info, **kwargs):
        responses = doc.setdefault("responses", {})
        if doc_info.get(PUBLIC_DOC_KEY):
            # The spec requires the bearer scheme globally; a public operation opts out.
            doc["security"] = []
        else:
            responses.setdefault("401", "UNAUTHORIZED")
        return doc


def paginated(query: Select, args: dict) -> dict:
    """The list envelope every list endpoint answers: items plus page, per_page, total, pages."""
    page, per_page = page_args(args.get("page"), args.get("per_page"))
    result = paginate(db.session, query, page, per_page)
    return {"items": result.items, **result.meta()}

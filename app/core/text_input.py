"""Checks every request's text once, before any handler reads it."""

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

NUL = "\x00"


def _first_with_nul(pairs) -> str | None:
    for key, value in pairs:
        if NUL in key or (isinstance(value, str) and NUL in value):
            return key.replace(NUL, "")
    return None


def _json_pairs(value, field=""):
    """(field, text) for every key and string of a JSON body; nested fields are named a.b."""
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            yield name, ""
            yield from _json_pairs(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _json_pairs(item, field)
    elif isinstance(value, str):
        yield field or "body", value


def tolerates_nul_in_query(view):
    """For a view that cleans its own query text: a search box answers an absurd query with a
    helpful page (the catalog drops control characters), not an error."""
    view.tolerates_nul_in_query = True
    return view


def reject_nul_characters() -> None:
    """Refuse text holding a NUL character, naming the field.

    No field of the app means a NUL, and PostgreSQL cannot store one in a text column: letting it
    through ends in a database error (a 500) wherever the text reaches a query.
    """
    view = current_app.view_functions.get(request.endpoint)
    pairs = [] if getattr(view, "tolerates_nul_in_query", False) else list(request.args.items(multi=True))
    pairs += list((request.view_args or {}).items())
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        pairs += list(request.form.items(multi=True))
    elif request.is_json:
        pairs += list(_json_pairs(request.get_json(silent=True)))
    field = _first_with_nul(pairs)
    if field is None:
        return None
    message = _("%(field)s: the text contains a NUL character, which is not allowed.", field=field)
    error = BadRequest(message)
    error.data = {"message": message, "errors": {field: [message]}}
    raise error


def init_app(app) -> None:
    app.before_request(reject_nul_characters)

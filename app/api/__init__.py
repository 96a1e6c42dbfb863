"""The JSON API (flask-smorest), mounted at /api/v1 with its OpenAPI document and a docs page."""

from flask import Blueprint, render_template

from app.extensions import api, csrf

docs_bp = Blueprint("api_docs", __name__, template_folder="templates")

API_DESCRIPTION = (
    "Authenticate with `Authorization: Bearer <token>`; get a token from POST /api/v1/auth/token. "
    'Errors answer {"code", "message", "errors"}; lists answer {"items", "page", "per_page", "total", "pages"} '
    "and take ?page= and ?per_page=."
)


@docs_bp.route("/api/v1/docs")
def docs():
    """Every operation with its parameters and answers, rendered on the server (no script)."""
    from app.api.docs import describe

    return render_template("api/docs.html", doc=describe(api.spec.to_dict()))


def _document_conventions(spec) -> None:
    from app.api.schemas import ErrorSchema

    spec.options.setdefault("info", {})["description"] = API_DESCRIPTION
    # flask-smorest documents its own error payload ({"code": int, "status", ...}); ours is
    # rendered by app/core/errors.py, so the "Error" schema every error response points at is ours.
    spec.components.schemas["Error"] = api.ma_plugin.converter.schema2jsonschema(ErrorSchema)
    # Lists carry their page numbers in the body (app.api.base.paginated), not in a header.
    spec.components.schemas.pop("PaginationMetadata", None)


def register_api(app) -> None:
    from app.api import auth, resources

    auth.init_app(app, api)
    _document_conventions(api.spec)
    for blueprint in resources.BLUEPRINTS:
        # Bearer tokens only (the session cookie is ignored), so there is no CSRF to guard against.
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix="/api/v1" + (blueprint.url_prefix or ""))
    app.register_blueprint(docs_bp)

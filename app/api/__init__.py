"""The JSON API (flask-smorest), mounted at /api/v1 with its OpenAPI document."""

from flask import Blueprint, render_template

from app.extensions import api, csrf

docs_bp = Blueprint("api_docs", __name__, template_folder="templates")


@docs_bp.route("/api/v1/docs")
def docs():
    return render_template("api/docs.html", spec=api.spec.to_dict())


def register_api(app) -> None:
    from app.api import resources

    for blueprint in resources.BLUEPRINTS:
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix="/api/v1" + (blueprint.url_prefix or ""))
    app.register_blueprint(docs_bp)

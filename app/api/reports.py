"""/api/v1/reports: the six reports (delivery, attendance, at-risk, study-time, resources,
teachers) for a scope and local days, as JSON or as a CSV/XLSX download. The same permission rule
as the pages ("reports.view"): academic affairs everything in their school, a teacher their own
courses, a class teacher their class, students nothing."""

from __future__ import annotations

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_smorest import abort as abort_with_messages
from marshmallow import fields

from app.api.auth import current_api_user
from app.api.base import ApiBlueprint
from app.api.validation import ApiSchema
from app.core.permissions import can
from app.reports.exports import FORMATS, as_json, export
from app.reports.report import REPORT_NAMES, ReportError, Scope, build_report
from app.reports.serializers import download_response

blp = ApiBlueprint("api-reports", __name__, url_prefix="/reports", description="Academic affairs reports")


class ReportArgsSchema(ApiSchema):
    # Strings on purpose: Scope.parse checks them and answers translated messages per field.
    scope = fields.String(metadata={"description": "school, stage, grade, class, course, teacher or student"})
    id = fields.String(metadata={"description": "The scope's id (the school's own id by default)"})
    from_ = fields.String(data_key="from", metadata={"description": "First local day, YYYY-MM-DD"})
    to = fields.String(metadata={"description": "Last local day, inclusive (default today; at most 366 days)"})
    format = fields.String(metadata={"description": "json (default), csv or xlsx"})
    table = fields.String(metadata={"description": "csv: which table (default the first); xlsx: only this one"})


def _answer(name: str, args: dict):
    user = current_api_user()
    if not can(user, "reports.view", None):
        abort(403)
    query = {key: args.get(attr) for key, attr in (("scope", "scope"), ("id", "id"), ("from", "from_"), ("to", "to"))}
    fmt = (args.get("format") or "json").strip().lower()
    try:
        if fmt not in FORMATS:
            raise ReportError("format", _("Choose json, csv or xlsx."))
        scope = Scope.parse(query, user)
        if not can(user, "reports.view", scope):
            abort(403)
        report = build_report(name, scope)
        if fmt == "json":
            return jsonify(as_json(report))
        data, filename, mimetype = export(report, fmt, args.get("table"))
    except ReportError as error:
        abort_with_messages(422, messages={error.field: [error.message]})
    return download_response(data, filename, mimetype)


def _register(name: str) -> None:
    def view(args):
        return _answer(name, args)

    view.__name__ = "report_" + name.replace("-", "_")
    view.__doc__ = f"""The {name} report

    Figures, tables (rows carry `_drill`: the scope one level below) and charts for `scope`/`id`
    over the local days `from`..`to`; `format=csv|xlsx` downloads the tables instead.
    """
    blp.route(f"/{name}")(blp.arguments(ReportArgsSchema, location="query")(blp.response(200)(view)))


for _name in REPORT_NAMES:
    _register(_name)

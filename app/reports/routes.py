"""Report pages: the dashboard and its drill-downs, with CSV/XLSX downloads, and the list of
stored daily reports. Handlers parse the filters, ask permission and render; the numbers come
from app/reports/report.py, the files from app/reports/serializers.py."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.permissions import require
from app.core.storage import ObjectNotFound
from app.extensions import db
from app.reports import bp, exports, serializers
from app.reports.daily import daily_report_file, daily_reports
from app.reports.models import DailyReport
from app.reports.page_parts import (
    breadcrumbs,
    field_label,
    figure_url,
    install_template_helpers,
    may_see_daily,
    paginate,
    scope_choices,
)
from app.reports.permissions import visible_scopes
from app.reports.report import REPORT_NAMES, REPORT_TITLES, ReportError, Scope, build_report, dashboard
from app.reports.report import scope_label as label_of_scope

install_template_helpers(bp)

FILTER_ARGS = ("from", "to")  # kept when the picked scope replaces `scope` and `id`
DAILY_LISTED = 120  # about four months of school days


def _canonical_filters():
    """The filter form sends one `pick` ("kind:id"); the shareable address has scope and id."""
    pick = request.args.get("pick")
    if pick is None:
        return None
    kind, _sep, ident = pick.partition(":")
    args = {key: request.args[key] for key in FILTER_ARGS if request.args.get(key)}
    args.update(scope=kind, id=ident)
    return redirect(url_for(request.endpoint, **(request.view_args or {}), **args))


def _error_status(error: ReportError) -> int:
    """A well-formed id that is not in the user's school is "not found", as elsewhere on the
    site; any other bad filter is a bad request."""
    raw_id = (request.args.get("id") or "").strip()
    return 404 if error.field == "id" and raw_id.isdigit() else 400


def _scope_or_error():
    """(scope, None) or (None, error); the scope is one the user may see (403 otherwise)."""
    require(current_user, "reports.view", None)
    try:
        scope = Scope.parse(request.args, current_user)
    except ReportError as error:
        return None, error
    require(current_user, "reports.view", scope)
    return scope, None


def _error_page(template: str, error: ReportError, **context):
    form = {
        "key": f"{request.args.get('scope', '')}:{request.args.get('id', '')}",
        "first": request.args.get("from", ""),
        "last": request.args.get("to", ""),
    }
    page = render_template(
        template,
        error={"field": error.field, "field_label": field_label(error.field), "message": error.message},
        form=form,
        choices=scope_choices(visible_scopes(current_user), None),
        **context,
    )
    return page, _error_status(error)


def _form_of(scope: Scope) -> dict:
    return {"key": f"{scope.kind}:{scope.id}", "first": scope.first.isoformat(), "last": scope.last.isoformat()}


@bp.route("/")
@login_required
def dashboard_page():
    redirect_to = _canonical_filters()
    if redirect_to:
        return redirect_to
    scope, error = _scope_or_error()
    if error:
        return _error_page("reports/dashboard.html", error, report=None, names=REPORT_NAMES, titles=REPORT_TITLES)
    report = dashboard(scope)
    return render_template(
        "reports/dashboard.html",
        report=report,
        scope=scope,
        scope_name=label_of_scope(scope),
        form=_form_of(scope),
        choices=scope_choices(visible_scopes(current_user), scope),
        crumbs=breadcrumbs(current_user, scope, "reports.dashboard_page"),
        figure_links={figure.key: figure_url(figure, scope) for figure in report.figures},
        names=REPORT_NAMES,
        titles=REPORT_TITLES,
        error=None,
    )


def _known(name: str) -> str:
    if name not in REPORT_NAMES:
        abort(404)
    return name


@bp.route("/<name>")
@login_required
def report_page(name: str):
    _known(name)
    redirect_to = _canonical_filters()
    if redirect_to:
        return redirect_to
    scope, error = _scope_or_error()
    title = str(REPORT_TITLES[name])
    if error:
        return _error_page("reports/report.html", error, report=None, name=name, title=title, names=REPORT_NAMES,
                           titles=REPORT_TITLES)  # fmt: skip
    report = build_report(name, scope)
    shown, paging = [], {}
    for table in report.tables:
        page, paging[table.name] = paginate(table, request.args.get(f"{table.name}_page"))
        shown.append(page)
    return render_template(
        "reports/report.html",
        report=report,
        shown_tables=shown,
        paging=paging,
        name=name,
        title=title,
        scope=scope,
        scope_name=label_of_scope(scope),
        form=_form_of(scope),
        choices=scope_choices(visible_scopes(current_user), scope),
        crumbs=breadcrumbs(current_user, scope, "reports.report_page", name=name),
        names=REPORT_NAMES,
        titles=REPORT_TITLES,
        error=None,
    )


@bp.route("/<name>.<any(csv, xlsx):fmt>")
@login_required
def download(name: str, fmt: str):
    """One table (`table=`) as CSV or XLSX, or every table of the report as one XLSX; the
    filters are written above the table, the file name is in the user's language."""
    _known(name)
    scope, error = _scope_or_error()
    if error:
        abort(_error_status(error))
    report = build_report(name, scope)
    try:
        data, filename, mimetype = exports.export(report, fmt, request.args.get("table") or None)
    except ReportError:
        abort(404)  # no such table in this report
    return serializers.download_response(data, filename, mimetype)


@bp.route("/daily")
@login_required
def daily():
    """Stored daily reports of the school, newest first (academic affairs and administrators)."""
    if not may_see_daily(current_user):
        abort(403)
    return render_template("reports/daily.html", reports=daily_reports(current_user.school_id, DAILY_LISTED))


@bp.route("/daily/<int:report_id>.xlsx")
@login_required
def daily_download(report_id: int):
    if not may_see_daily(current_user):
        abort(403)
    stored = db.get_or_404(DailyReport, report_id)
    if stored.school_id != current_user.school_id:
        abort(404)
    try:
        data, filename, mimetype = daily_report_file(stored)
    except ObjectNotFound:
        abort(404)  # the row outlived its file (storage emptied by hand)
    return serializers.download_response(data, filename, mimetype)

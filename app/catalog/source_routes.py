"""Academic affairs' catalog source pages: list, add/edit, test, harvest now, run history."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.catalog import bp
from app.catalog.harvest import harvest_source
from app.catalog.models import CatalogSource, HarvestRun, ResourceOrigin, RunStatus
from app.catalog.sources_ops import (
    SourceInvalid,
    config_fields,
    create_source,
    delete_source,
    test_source,
    update_source,
)
from app.core.pagination import page_args, paginate
from app.core.permissions import require
from app.extensions import db
from app.orgs.current import current_school
from courses.sources import available_types, get_source_class

LEVEL_LABELS = {
    "national": _l("National"),
    "provincial": _l("Provincial"),
    "municipal": _l("Municipal"),
    "school": _l("School"),
}
STATUS_LABELS = {
    RunStatus.RUNNING: _l("Running"),
    RunStatus.SUCCEEDED: _l("Succeeded"),
    RunStatus.PARTIAL: _l("Some records skipped"),
    RunStatus.FAILED: _l("Failed"),
}


def _school():
    school = current_school()
    require(current_user, "catalog.source.manage", school)
    return school


def _source(source_id: int) -> CatalogSource:
    source = db.session.get(CatalogSource, source_id)
    if source is None or source.school_id != current_user.school_id:
        abort(404)
    require(current_user, "catalog.source.manage", source)
    return source


def _context(**extra) -> dict:
    return {"level_labels": LEVEL_LABELS, "status_labels": STATUS_LABELS, **extra}


@bp.route("/catalog/sources")
@login_required
def sources():
    school = _school()
    rows = db.session.scalars(
        select(CatalogSource).where(CatalogSource.school_id == school.id).order_by(CatalogSource.name)
    ).all()
    counts = dict(
        db.session.execute(
            select(ResourceOrigin.source_id, func.count())
            .where(ResourceOrigin.source_id.in_([s.id for s in rows]), ResourceOrigin.withdrawn_at.is_(None))
            .group_by(ResourceOrigin.source_id)
        ).all()
    )
    last_runs = {source.id: (source.runs[0] if source.runs else None) for source in rows}
    types = {name: get_source_class(name).name for name in available_types()}
    return render_template(
        "catalog/sources.html", **_context(sources=rows, counts=counts, last_runs=last_runs, types=types)
    )


def _form_data(type_name: str) -> dict:
    data = {key: value for key, value in request.form.items() if key != "csrf_token"}
    # An unticked checkbox sends nothing: it says "no", not "unchanged".
    data["enabled"] = "enabled" in request.form
    for field in config_fields(type_name):
        if field["kind"] == "boolean":
            data[field["name"]] = field["name"] in request.form
    return data


def _render_form(source, type_name, values, errors, status=200):
    fields = config_fields(type_name)
    title = _("Edit source") if source else _("Add a source")
    context = _context(
        source=source,
        type_name=type_name,
        type_label=get_source_class(type_name).name,
        fields=fields,
        values=values,
        errors=errors,
        title=title,
    )
    return render_template("catalog/sources_form.html", **context), status


@bp.route("/catalog/sources/new", methods=["GET", "POST"])
@login_required
def source_new():
    school = _school()
    type_name = request.values.get("type")
    if type_name not in available_types():
        types = {name: get_source_class(name).name for name in available_types()}
        return render_template("catalog/sources_type.html", types=types)
    if request.method == "GET":
        defaults = {f["name"]: f["default"] for f in config_fields(type_name) if f["default"] is not None}
        return _render_form(
            None, type_name, {"level": "national", "interval_hours": 24, "enabled": True, **defaults}, {}
        )
    try:
        source = create_source(current_user, school, {**_form_data(type_name), "type": type_name})
    except SourceInvalid as invalid:
        return _render_form(None, type_name, _form_data(type_name), invalid.errors, 422)
    flash(_("Source added. Test it, then harvest."), "success")
    return redirect(url_for("catalog.source_detail", source_id=source.id))


@bp.route("/catalog/sources/<int:source_id>/edit", methods=["GET", "POST"])
@login_required
def source_edit(source_id: int):
    source = _source(source_id)
    if request.method == "GET":
        values = {
            "name": source.name,
            "level": source.level.value,
            "provider": source.provider or "",
            "interval_hours": source.interval_hours,
            "enabled": source.enabled,
            **(source.config or {}),
        }
        return _render_form(source, source.type, values, {})
    try:
        update_source(current_user, source, {**_form_data(source.type), "type": source.type})
    except SourceInvalid as invalid:
        return _render_form(source, source.type, _form_data(source.type), invalid.errors, 422)
    flash(_("Source saved."), "success")
    return redirect(url_for("catalog.source_detail", source_id=source.id))


@bp.route("/catalog/sources/<int:source_id>")
@login_required
def source_detail(source_id: int):
    source = _source(source_id)
    query = select(HarvestRun).where(HarvestRun.source_id == source.id).order_by(HarvestRun.id.desc())
    runs = paginate(db.session, query, page_args(per_page=20)[0], 20)
    return render_template("catalog/sources_detail.html", **_context(source=source, runs=runs))


@bp.route("/catalog/sources/<int:source_id>/test", methods=["POST"])
@login_required
def source_test(source_id: int):
    source = _source(source_id)
    ok, message = test_source(source)
    flash(
        (_("Test passed: %(message)s", message=message) if ok else _("Test failed: %(message)s", message=message)),
        "success" if ok else "danger",
    )
    return redirect(url_for("catalog.source_detail", source_id=source.id))


@bp.route("/catalog/sources/<int:source_id>/harvest", methods=["POST"])
@login_required
def source_harvest(source_id: int):
    """Harvest now, in the request: a failed run is still recorded (the response is a redirect)."""
    source = _source(source_id)
    run = harvest_source(source, full=request.form.get("full") == "1")
    if run.status == RunStatus.FAILED:
        flash(_("Harvest failed: %(reason)s", reason=run.message), "danger")
    else:
        flash(
            _(
                "Harvest finished: %(added)d added, %(updated)d updated, %(withdrawn)d withdrawn, %(errors)d skipped.",
                added=run.added,
                updated=run.updated,
                withdrawn=run.withdrawn,
                errors=len(run.errors),
            ),
            "success",
        )
    return redirect(url_for("catalog.source_run", source_id=source.id, run_id=run.id))


@bp.route("/catalog/sources/<int:source_id>/runs/<int:run_id>")
@login_required
def source_run(source_id: int, run_id: int):
    source = _source(source_id)
    run = db.session.get(HarvestRun, run_id)
    if run is None or run.source_id != source.id:
        abort(404)
    return render_template("catalog/sources_run.html", **_context(source=source, run=run))


@bp.route("/catalog/sources/<int:source_id>/delete", methods=["POST"])
@login_required
def source_delete(source_id: int):
    source = _source(source_id)
    name = source.name
    delete_source(current_user, source)
    flash(_("Source %(name)s deleted.", name=name), "success")
    return redirect(url_for("catalog.sources"))

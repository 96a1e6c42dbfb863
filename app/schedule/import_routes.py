"""Academic affairs' timetable import page: upload, preview, confirm, and the templates.

Upload checks the whole file (a dry run of the import operation `flask schedule import` also
calls) and lists every problem; a clean file is kept server-side (app.schedule.import_stash)
and previewed. Nothing is written until the user confirms, and the confirmation runs the import
again against the timetable as it is then, all or nothing.
"""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import require
from app.extensions import db
from app.orgs.current import current_school
from app.schedule import bp
from app.schedule.display import weekday_choices
from app.schedule.import_stash import drop, stash, unstash
from app.schedule.loading import school_timezone
from app.schedule.timetable_file import COLUMNS, FORMATS, REQUIRED, column_label, file_format, template_file
from app.schedule.timetable_import import TimetableFileError, import_timetable, read_rows

DEFAULT_MAX_KB = 2048  # a term's timetable of a large school is well under 1 MB as CSV


def _max_bytes() -> int:
    return int(current_app.config.get("KEXU_TIMETABLE_MAX_KB", DEFAULT_MAX_KB)) * 1024


def _page(template: str, status: int = 200, **context):
    school = context.setdefault("school", current_school())
    context.update(
        column_label=column_label,
        columns=list(COLUMNS),
        required=REQUIRED,
        day_names=dict(weekday_choices()),
        school_tz=school_timezone(school.id),
        max_kb=_max_bytes() // 1024,
    )
    return render_template(template, **context), status


def _school():
    school = current_school()
    require(current_user, "timetable.import", school)
    return school


def _uploaded() -> tuple[str, bytes]:
    """The uploaded file's name and content; TimetableFileError when there is none or it is too large."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise TimetableFileError(_("Choose a CSV or XLSX file to upload."))
    if file_format(upload.filename) is None:
        raise TimetableFileError(_("Upload a CSV or XLSX file (a name ending in .csv or .xlsx)."))
    limit = _max_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise TimetableFileError(
            _("The file is larger than %(size)d KB; split the timetable into several files.", size=limit // 1024)
        )
    return upload.filename, data


@bp.route("/schedule/import", methods=["GET", "POST"])
@login_required
def timetable_import():
    """Upload a timetable; every problem is listed, a clean file goes on to its preview."""
    school = _school()
    if request.method == "GET":
        return _page("schedule/import.html", school=school)
    try:
        name, data = _uploaded()
        rows = read_rows(name, data)
    except TimetableFileError as error:
        return _page("schedule/import.html", 422, school=school, upload_error=str(error))
    report = import_timetable(current_user, school, rows, dry_run=True)
    if not report.ok:
        return _page("schedule/import.html", 422, school=school, report=report, filename=name)
    token = stash(current_user, name, file_format(name), data)
    return redirect(url_for("schedule.timetable_preview", token=token), 303)


def _stashed_rows(token: str):
    stashed = unstash(current_user, token)
    if stashed is None:
        abort(404)
    return stashed, read_rows(stashed.name, stashed.data)


@bp.route("/schedule/import/<token>")
@login_required
def timetable_preview(token: str):
    """What the import would store (checked again now), with the button that stores it."""
    school = _school()
    stashed, rows = _stashed_rows(token)
    report = import_timetable(current_user, school, rows, dry_run=True)
    return _page(
        "schedule/import_preview.html", 200 if report.ok else 422, school=school, report=report, stashed=stashed
    )


@bp.route("/schedule/import/<token>/confirm", methods=["POST"])
@login_required
def timetable_confirm(token: str):
    """Store the previewed timetable if it still passes every check; otherwise store nothing."""
    school = _school()
    stashed, rows = _stashed_rows(token)
    report = import_timetable(current_user, school, rows)
    drop(current_user, token)  # imported, or refused for good: the file must be fixed and uploaded again
    if not report.ok:
        db.session.rollback()
        return _page("schedule/import_preview.html", 409, school=school, report=report, stashed=stashed, changed=True)
    return _page("schedule/import_done.html", school=school, report=report, filename=stashed.name)


@bp.route("/schedule/import/template.<kind>")
@login_required
def timetable_template(kind: str):
    """The template in the viewer's language: its header row and one example row."""
    _school()
    if kind not in FORMATS:
        abort(404)
    content, mimetype = template_file(kind)
    disposition = f"attachment; filename=timetable-template.{kind}"
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": disposition})

"""The admin's roster import page: upload, dry-run preview, import, and the template downloads.

A preview keeps the uploaded files in the instance directory under a random token, so the
admin confirms the import without uploading again; the files go once they are imported.
"""

import json
import re
import secrets
import shutil
import time
from pathlib import Path

from flask import Response, abort, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import require
from app.orgs import bp
from app.orgs.roster import import_roster, read_roster
from app.orgs.roster.messages import KIND_LABELS
from app.orgs.roster.samples import TEMPLATE_NAMES, template_file

STASH_HOURS = 24


def _stash_root() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "roster-uploads" / str(current_user.id)


def _stash(files: list[tuple[str, bytes]]) -> str:
    root = _stash_root()
    if root.exists():  # forget previews nobody confirmed
        for old in root.iterdir():
            if old.stat().st_mtime < time.time() - STASH_HOURS * 3600:
                shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_hex(16)
    folder = root / token
    folder.mkdir(parents=True)
    for index, (_name, data) in enumerate(files):
        (folder / f"{index}.bin").write_bytes(data)
    (folder / "names.json").write_text(json.dumps([name for name, _data in files]), encoding="utf-8")
    return token


def _unstash(token: str) -> list[tuple[str, bytes]] | None:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    folder = _stash_root() / token
    if not folder.is_dir():
        return None
    names = json.loads((folder / "names.json").read_text(encoding="utf-8"))
    return [(name, (folder / f"{index}.bin").read_bytes()) for index, name in enumerate(names)]


def _drop_stash(token: str) -> None:
    shutil.rmtree(_stash_root() / token, ignore_errors=True)


def _uploaded_files() -> list[tuple[str, bytes]]:
    return [(f.filename, f.read()) for f in request.files.getlist("files") if f and f.filename]


@bp.route("/roster/import", methods=["GET", "POST"])
@login_required
def roster_import():
    school = current_user.school
    require(current_user, "roster.import", school)
    context = {"templates": TEMPLATE_NAMES, "kind_labels": KIND_LABELS}
    if request.method == "GET":
        return render_template("orgs/roster_import.html", **context)
    token = request.form.get("token")
    files = _unstash(token) if token else _uploaded_files()
    if not files:
        message = _("The preview has expired; upload the file again.") if token else _("Choose a file to upload.")
        return render_template("orgs/roster_import.html", upload_error=message, **context), 422
    dry_run = request.form.get("action") == "preview"
    result = import_roster(current_user, school, read_roster(files, school_code=school.code), dry_run=dry_run)
    context.update(result=result, filenames=[name for name, _data in files])
    if not result.ok:
        if token:
            _drop_stash(token)
        return render_template("orgs/roster_import.html", **context), 422
    if dry_run:
        context["token"] = token or _stash(files)
    elif token:
        _drop_stash(token)
    return render_template("orgs/roster_import.html", **context)


@bp.route("/roster/templates/<name>")
@login_required
def roster_template(name: str):
    require(current_user, "roster.import", current_user.school)
    if name not in TEMPLATE_NAMES:
        abort(404)
    content, mimetype = template_file(name, str(get_locale()))
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})

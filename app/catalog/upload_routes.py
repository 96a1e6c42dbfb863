"""Teachers' uploads: the upload form and deleting an upload."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.catalog import bp, vocab_labels
from app.catalog.filetypes import ALLOWED_EXTENSIONS
from app.catalog.models import Resource
from app.catalog.uploads import (
    UploadError,
    delete_uploaded_resource,
    max_upload_bytes,
    upload_data_from_form,
    upload_resource,
)
from app.core.permissions import require
from app.extensions import db
from app.orgs.current import current_school
from courses import vocab


def _render_form(errors: dict | None = None, form=None, status: int = 200):
    return render_template(
        "catalog/upload.html",
        errors=errors or {},
        form=form or {},
        accept=",".join("." + extension for extension in ALLOWED_EXTENSIONS),
        extensions=", ".join(ALLOWED_EXTENSIONS),
        max_mb=max_upload_bytes() // (1024 * 1024),
        subjects=[(code, vocab_labels.SUBJECT_LABELS.get(code, code)) for code in vocab.SUBJECTS],
        stages=list(vocab_labels.CATALOG_STAGE_LABELS.items()),
        grades=[(str(number), vocab_labels.grade_label(number)) for number in range(1, 13)],
    ), status


@bp.route("/catalog/upload", methods=["GET", "POST"])
@login_required
def upload():
    school = current_school()
    require(current_user, "resource.upload", school)
    if request.method == "GET":
        return _render_form()
    try:
        data = upload_data_from_form(request.form)
        resource = upload_resource(current_user, school, request.files.get("file"), data)
    except UploadError as error:
        return _render_form(error.errors, request.form, error.status)
    flash(_("Uploaded. %(title)s is now in the school's catalog.", title=resource.title), "success")
    return redirect(url_for("catalog.resource", resource_id=resource.id))


@bp.route("/catalog/resources/<int:resource_id>/delete", methods=["POST"])
@login_required
def delete_resource(resource_id: int):
    resource = db.get_or_404(Resource, resource_id)
    require(current_user, "resource.upload.manage", resource)
    title = resource.title
    delete_uploaded_resource(current_user, resource)
    flash(_("Deleted %(title)s and its file.", title=title), "success")
    return redirect(url_for("catalog.my_resources"))

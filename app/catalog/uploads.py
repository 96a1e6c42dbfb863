"""Teachers' own materials as school resources, kept in the storage service.

Nothing is left orphaned: a file is stored before its row is written, and if the row (or
anything later in the same transaction) fails, the stored object is deleted again; if storing
fails, no row is written. Deleting an upload removes its object only once the deletion is
committed, so a rolled-back request never leaves a row pointing at a missing file.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, event
from sqlalchemy.orm import Session

from app.catalog.filetypes import ALLOWED_EXTENSIONS, ALLOWED_TYPES, extension_of, sniff
from app.catalog.models import LessonPlanItem, Resource
from app.catalog.search_index import index_resource
from app.core.audit import record
from app.core.sanitizer import sanitize
from app.core.storage import get_storage
from app.extensions import db
from courses import normalize, vocab
from courses.records import Level

TITLE_MAX = 500
DESCRIPTION_MAX = 20000
MAX_MINUTES = 600
# session.info keys: objects stored in this transaction, and objects to delete once it commits.
_STORED = "kexu_catalog_stored_objects"
_DELETE_ON_COMMIT = "kexu_catalog_objects_to_delete"


class UploadError(ValueError):
    """An upload refused: field name -> messages, shown beside the form fields (or in the API)."""

    status = 422

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


class StorageUnavailable(UploadError):
    status = 503


def max_upload_bytes() -> int:
    megabytes = current_app.config.get("KEXU_UPLOAD_MAX_MB")
    if megabytes:
        return int(megabytes) * 1024 * 1024
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 200 * 1024 * 1024)


def _int_or_none(value, field: str, errors: dict, low: int, high: int, message: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        errors.setdefault(field, []).append(message)
        return None
    return number


def upload_data_from_form(form) -> dict:
    """The typed upload fields from a submitted form (the page and the API both send multipart)."""
    errors: dict[str, list[str]] = {}
    grades = []
    for raw in form.getlist("grades"):
        grade = _int_or_none(raw, "grades", errors, 1, 12, _("Grades must be numbers from 1 to 12."))
        if grade is not None:
            grades.append(grade)
    minutes_message = _("Length in minutes must be a whole number from 1 to %(most)d.", most=MAX_MINUTES)
    data = {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "subject": form.get("subject") or None,
        "stages": [stage for stage in form.getlist("stages") if stage],
        "grades": grades,
        "edition": form.get("edition", ""),
        "chapter": form.get("chapter", ""),
        "duration_minutes": _int_or_none(
            form.get("duration_minutes"), "duration_minutes", errors, 1, MAX_MINUTES, minutes_message
        ),
    }
    if errors:
        raise UploadError(errors)
    return data


def _clean_metadata(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    title = normalize.clean_text(data.get("title"))
    if not title:
        errors["title"] = [_("Title: enter a title for the resource.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Title: at most %(count)d characters.", count=TITLE_MAX)]
    description = data.get("description") or ""
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("Description: at most %(count)d characters.", count=DESCRIPTION_MAX)]
    subject = data.get("subject")
    if subject and subject not in vocab.SUBJECTS:
        errors["subject"] = [_("Subject: choose a subject from the list.")]
    stages = list(data.get("stages") or [])
    if any(stage not in vocab.STAGES for stage in stages):
        errors["stages"] = [_("Stage: choose stages from the list.")]
    duration = data.get("duration_minutes")
    if duration is not None and not (isinstance(duration, int) and 1 <= duration <= MAX_MINUTES):
        errors["duration_minutes"] = [
            _("Length in minutes must be a whole number from 1 to %(most)d.", most=MAX_MINUTES)
        ]
    if errors:
        raise UploadError(errors)
    found_stages, grades, _unknown = normalize.parse_stages_and_grades(stages + list(data.get("grades") or []))
    return {
        "title": title,
        "description": str(sanitize(description, "rich")),
        "subject": subject or None,
        "stages": list(found_stages),
        "grades": list(grades),
        "edition": normalize.clean_text(data.get("edition"))[:80] or None,
        "chapter": normalize.clean_text(data.get("chapter"))[:200] or None,
        "duration_minutes": duration,
    }


def _display_name(filename: str) -> str:
    """The name as the teacher gave it, without any folder part or control characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return name[-255:]


def _stream_size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _check_file(file) -> tuple[str, str, IO[bytes]]:
    """(display name, extension, stream) of an acceptable file; UploadError naming "file" otherwise."""
    if file is None or not getattr(file, "filename", ""):
        raise UploadError({"file": [_("File: choose a file to upload.")]})
    name = _display_name(file.filename)
    extension = extension_of(name)
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    if extension not in ALLOWED_TYPES:
        message = _("File: %(name)s is not a type you can upload. Allowed: %(allowed)s.", name=name, allowed=allowed)
        raise UploadError({"file": [message]})
    stream = file.stream
    size = _stream_size(stream)
    if size == 0:
        raise UploadError({"file": [_("File: %(name)s is empty.", name=name)]})
    limit = max_upload_bytes()
    if size > limit:
        message = _("File: %(name)s is larger than %(limit)d MB.", name=name, limit=limit // (1024 * 1024))
        raise UploadError({"file": [message]})
    if not sniff(stream, extension):
        label = ALLOWED_TYPES[extension].label
        message = _(
            "File: the content of %(name)s is not a %(label)s file, although its name ends in .%(ext)s.",
            name=name,
            label=label,
            ext=extension,
        )
        raise UploadError({"file": [message]})
    return name, extension, stream


def upload_resource(actor, school, file, data: dict) -> Resource:
    """Store `file` and add it to `school`'s catalog as a school-level resource."""
    errors: dict[str, list[str]] = {}
    metadata = checked = None
    try:
        metadata = _clean_metadata(data)
    except UploadError as error:
        errors.update(error.errors)
    try:
        checked = _check_file(file)
    except UploadError as error:
        errors.update(error.errors)
    if errors:
        raise UploadError(errors)
    name, extension, stream = checked
    file_type = ALLOWED_TYPES[extension]
    key = f"resources/{school.effective_school_id}/{uuid.uuid4().hex}.{extension}"
    storage = get_storage()
    try:
        stored = storage.put(key, stream, file_type.content_type)
    except Exception as error:
        current_app.logger.exception("Storing upload %s failed", key)
        raise StorageUnavailable(
            {"file": [_("File: it could not be stored just now; nothing was saved. Try again.")]}
        ) from error
    resource = Resource(
        school_id=school.effective_school_id,
        level=Level.SCHOOL,
        provider=school.name,
        media_type=file_type.media_type,
        storage_key=stored.key,
        file_name=name,
        file_size=stored.size,
        file_sha256=stored.sha256,
        content_type=stored.content_type,
        uploaded_by_id=actor.id,
        **metadata,
    )
    index_resource(resource)
    try:
        db.session.add(resource)
        db.session.flush()
    except Exception:
        _delete_quietly(storage, stored.key)
        raise
    db.session.info.setdefault(_STORED, []).append((storage, stored.key))
    record(actor, "resource.upload", resource, file_name=name, size=stored.size, sha256=stored.sha256)
    return resource


def delete_uploaded_resource(actor, resource: Resource) -> None:
    """Remove an uploaded resource, its place in lesson plans, and (after commit) its stored file."""
    if resource.storage_key is None:
        raise ValueError("only uploaded resources are deleted this way")
    key = resource.storage_key
    db.session.execute(delete(LessonPlanItem).where(LessonPlanItem.resource_id == resource.id))
    record(actor, "resource.delete", resource, title=resource.title, file_name=resource.file_name)
    db.session.delete(resource)
    db.session.flush()
    db.session.info.setdefault(_DELETE_ON_COMMIT, []).append((get_storage(), key))


def download_url(resource: Resource) -> str | None:
    """A signed, expiring link to the uploaded file (presigned on S3), named as it was uploaded."""
    if resource.storage_key is None:
        return None
    return get_storage().url(resource.storage_key, filename=resource.file_name)


def _delete_quietly(storage, key: str) -> None:
    try:
        storage.delete(key)
    except Exception:  # a leftover object is logged, never turned into a failed request
        current_app.logger.exception("Could not delete stored object %s", key)


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    session.info.pop(_STORED, None)
    for storage, key in session.info.pop(_DELETE_ON_COMMIT, []):
        _delete_quietly(storage, key)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint: the outer transaction goes on
        return
    session.info.pop(_DELETE_ON_COMMIT, None)
    for storage, key in session.info.pop(_STORED, []):
        _delete_quietly(storage, key)

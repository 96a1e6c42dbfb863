"""Teachers upload their own materials: allowed types only, checked by content; nothing orphaned.

Tests that call the operations directly list `people` before `storage_app`, so the storage app's
context is the current one (the one whose storage the operation uses).
"""

# ruff: noqa: F811  (the storage fixtures are imported, then named as arguments)

import hashlib
import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.catalog.models import LessonPlanItem, Resource
from app.catalog.uploads import UploadError, upload_resource
from app.extensions import db
from tests.app.catalog.factories import create_plan_item
from tests.app.catalog.upload_files import GOOD_FILES, PDF, PNG, office_package
from tests.app.core.conftest import download, storage, storage_app  # noqa: F401 (fixtures)
from tests.s3server import s3_server, s3_settings  # noqa: F401 (fixtures)


class Upload:
    """What a browser sends: a file name and its bytes."""

    def __init__(self, filename, data):
        self.filename = filename
        self.stream = io.BytesIO(data)


def _resource_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Resource))


def _post(client, filename, data, **fields):
    form = {"title": "二次函数的图像", "subject": "math", "grades": ["9"], **fields}
    if filename is not None:
        form["file"] = (io.BytesIO(data), filename)
    return client.post("/catalog/upload", data=form, content_type="multipart/form-data")


@pytest.fixture
def teacher_client(storage_app, people, login):
    client = storage_app.test_client()
    login(people.teacher, test_client=client)
    return client


def test_teacher_uploads_a_pdf_and_opens_it_through_a_signed_link(teacher_client, people, storage, download):
    response = _post(teacher_client, "第三章 讲义.pdf", PDF, description="<p>课前<strong>预习</strong></p>")
    assert response.status_code == 302
    resource = db.session.scalar(select(Resource))
    assert (resource.title, resource.level, resource.media_type) == ("二次函数的图像", "school", "document")
    assert (resource.file_name, resource.file_size, resource.content_type) == (
        "第三章 讲义.pdf",
        len(PDF),
        "application/pdf",
    )
    assert resource.file_sha256 == hashlib.sha256(PDF).hexdigest()
    assert resource.uploaded_by_id == people.teacher.id and resource.school_id == people.school.id
    assert storage.read(resource.storage_key) == PDF
    page = teacher_client.get(f"/catalog/resources/{resource.id}").get_data(as_text=True)
    assert "第三章 讲义.pdf" in page and "<strong>预习</strong>" in page
    link = teacher_client.get(f"/catalog/resources/{resource.id}/file")
    assert link.status_code == 302
    status, body, _headers = download(link.headers["Location"])
    assert (status, body) == (200, PDF)


def test_every_allowed_type_is_accepted(people, storage_app, storage):
    for name, data in GOOD_FILES.items():
        resource = upload_resource(people.teacher, people.school, Upload(name, data), {"title": name})
        assert storage.read(resource.storage_key) == data, name
    db.session.commit()
    assert _resource_count() == len(GOOD_FILES)


@pytest.mark.parametrize(
    "filename, data, expected",
    [
        ("run.exe", b"MZ\x90\x00", "run.exe is not a type you can upload"),
        ("page.html", b"<script>alert(1)</script>", "Allowed: pdf, pptx"),
        ("noextension", PDF, "is not a type you can upload"),
        ("fake.pdf", PNG, "the content of fake.pdf is not a PDF file"),
        ("fake.png", b"<svg onload=alert(1)>", "is not a PNG file"),
        ("fake.docx", office_package("ppt/"), "is not a Word file"),
        ("fake.pptx", b"PK\x03\x04 not really a zip", "is not a PowerPoint file"),
        ("empty.pdf", b"", "empty.pdf is empty"),
    ],
)
def test_wrong_files_are_refused_with_a_message_naming_the_file_field(
    teacher_client, storage, filename, data, expected
):
    response = _post(teacher_client, filename, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "File: " in page and expected in page
    assert 'id="upload-file-error"' in page
    assert _resource_count() == 0


def test_a_file_over_the_catalog_limit_is_refused_before_it_is_stored(make_app, people, login, tmp_path):
    app = make_app(KEXU_UPLOAD_MAX_MB=1, STORAGE_LOCAL_DIR=str(tmp_path / "files"))
    client = app.test_client()
    login(people.teacher, test_client=client)
    response = _post(client, "big.pdf", PDF + b"0" * (1024 * 1024))
    assert response.status_code == 422
    assert "big.pdf is larger than 1 MB" in response.get_data(as_text=True)
    assert not (tmp_path / "files" / "resources").exists()


def test_a_request_over_the_site_limit_is_refused_whole(make_app, people, login):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    login(people.teacher, test_client=client)
    assert _post(client, "big.pdf", PDF + b"0" * 4096).status_code == 413
    assert _resource_count() == 0


def test_missing_title_and_bad_minutes_are_named_and_nothing_is_stored(teacher_client, storage, storage_app):
    response = _post(teacher_client, "a.pdf", PDF, title="  ", duration_minutes="九十")
    assert response.status_code == 422
    assert "Length in minutes must be a whole number" in response.get_data(as_text=True)
    response = _post(teacher_client, "a.pdf", PDF, title="")
    assert "Title: enter a title" in response.get_data(as_text=True)
    assert _resource_count() == 0
    assert _stored_keys(storage) == set()


def test_when_storage_fails_no_row_is_written(make_app, people, login, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the storage directory should be")
    client = make_app(STORAGE_LOCAL_DIR=str(blocker)).test_client()
    login(people.teacher, test_client=client)
    response = _post(client, "a.pdf", PDF)
    assert response.status_code == 503
    assert "could not be stored just now; nothing was saved" in response.get_data(as_text=True)
    assert _resource_count() == 0


def test_when_storage_fails_on_s3_no_row_is_written(make_app, people, login, s3_settings):
    client = make_app(**{**s3_settings, "S3_BUCKET": "kexu-no-such-bucket"}).test_client()
    login(people.teacher, test_client=client)
    assert _post(client, "a.pdf", PDF).status_code == 503
    assert _resource_count() == 0


def test_when_the_row_cannot_be_written_the_stored_object_is_deleted(people, storage_app, storage):
    keys_before = _stored_keys(storage)
    db.session.add(LessonPlanItem(course_id=None, resource_id=None))  # a row the database refuses
    with pytest.raises(IntegrityError):
        upload_resource(people.teacher, people.school, Upload("a.pdf", PDF), {"title": "讲义"})
    db.session.rollback()
    assert _stored_keys(storage) == keys_before
    assert _resource_count() == 0


def test_when_the_request_rolls_back_after_the_upload_its_object_goes_too(people, storage_app, storage):
    resource = upload_resource(people.teacher, people.school, Upload("a.pdf", PDF), {"title": "讲义"})
    key = resource.storage_key
    assert storage.exists(key)
    db.session.rollback()
    assert not storage.exists(key)


def test_deleting_an_upload_removes_its_object_and_its_plan_entries_once_committed(teacher_client, people, storage):
    _post(teacher_client, "a.pdf", PDF)
    resource = db.session.scalar(select(Resource))
    create_plan_item(people.course, resource)
    key = resource.storage_key
    response = teacher_client.post(f"/catalog/resources/{resource.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert _resource_count() == 0
    assert db.session.scalar(select(func.count()).select_from(LessonPlanItem)) == 0
    assert not storage.exists(key)


def test_an_upload_delete_that_rolls_back_keeps_the_object(people, storage_app, storage):
    from app.catalog.uploads import delete_uploaded_resource

    resource = upload_resource(people.teacher, people.school, Upload("a.pdf", PDF), {"title": "讲义"})
    db.session.commit()
    delete_uploaded_resource(people.teacher, resource)
    db.session.rollback()
    assert storage.exists(resource.storage_key)


def test_upload_errors_raise_with_every_field_at_fault(app, people):
    with pytest.raises(UploadError) as error:
        upload_resource(people.teacher, people.school, None, {"title": "", "subject": "alchemy"})
    assert set(error.value.errors) == {"title", "subject", "file"}


def _stored_keys(storage) -> set:
    if hasattr(storage, "root"):
        root = storage.root / "resources"
        return {str(path) for path in root.rglob("*") if path.is_file()} if root.exists() else set()
    listing = storage.client.list_objects_v2(Bucket=storage.bucket)
    return {item["Key"] for item in listing.get("Contents", [])}

"""Timetable previews nobody confirmed are deleted after PREVIEW_HOURS, by `flask schedule
purge-previews` and by the serving process's periodic job, on a local directory and on S3."""

import io
import secrets
import time
from types import SimpleNamespace

import pytest

from app.core.periodic import JOBS_KEY
from app.core.storage import get_storage
from app.schedule.import_stash import stash, unstash
from tests.s3server import s3_server, s3_settings  # noqa: F401  (fixtures)

ACADEMIC_AFFAIRS = SimpleNamespace(id=7, school_id=3)
# Not previews, though kept near them: none may ever be deleted, however old their names look.
OTHER_KEYS = [
    "resources/3/1000000000-000000000000000000000000.csv",
    "timetable-imports/notes.txt",
    "timetable-imports/3/7/readme.csv",
    "timetable-imports/3/7/1000000000-000000000000000000000000.pdf",
    "timetable-imports/3/1000000000-000000000000000000000000.csv",
]


@pytest.fixture(params=["local", "s3"])
def storage_app(request, make_app, tmp_path):
    if request.param == "s3":
        return make_app(**request.getfixturevalue("s3_settings"))
    return make_app(STORAGE_BACKEND="local", STORAGE_LOCAL_DIR=str(tmp_path / "files"))


def _put(key: str) -> str:
    get_storage().put(key, io.BytesIO(b"class,day\n"), "application/octet-stream")
    return key


def _preview(hours_ago: float, kind: str = "csv", user=ACADEMIC_AFFAIRS) -> str:
    """A preview's file as `stash` names it, uploaded `hours_ago`."""
    token = f"{int(time.time() - hours_ago * 3600):010d}-{secrets.token_hex(12)}"
    return _put(f"timetable-imports/{user.school_id}/{user.id}/{token}.{kind}")


def _stored() -> set[str]:
    return set(get_storage().keys_under("timetable-imports")) | set(get_storage().keys_under("resources"))


def _purge_job(app):
    return next(job for job in app.extensions[JOBS_KEY] if job.name == "timetable preview purge")


def test_the_command_deletes_only_previews_older_than_a_day(storage_app):
    expired = [_preview(24.1), _preview(30, "xlsx"), _preview(24 * 9, user=SimpleNamespace(id=8, school_id=4))]
    young = [_preview(23.9), _preview(1, "xlsx"), _preview(0)]
    others = [_put(key) for key in OTHER_KEYS]

    result = storage_app.test_cli_runner().invoke(args=["schedule", "purge-previews"])

    assert result.exit_code == 0, result.output
    assert "3 expired timetable previews deleted" in result.output
    assert _stored() == set(young + others)
    for key in expired:
        assert not get_storage().exists(key)


def test_a_fresh_preview_still_opens_after_the_purge(storage_app):
    with storage_app.test_request_context():
        token = stash(ACADEMIC_AFFAIRS, "timetable.csv", "csv", b"class,day\n")
        _preview(25)
        assert storage_app.test_cli_runner().invoke(args=["schedule", "purge-previews"]).exit_code == 0
        stashed = unstash(ACADEMIC_AFFAIRS, token)
    assert stashed is not None and stashed.data == b"class,day\n"


def test_the_command_with_nothing_expired_deletes_nothing(storage_app):
    kept = [_preview(2), *(_put(key) for key in OTHER_KEYS)]

    result = storage_app.test_cli_runner().invoke(args=["schedule", "purge-previews"])

    assert "0 expired timetable previews deleted" in result.output
    assert _stored() == set(kept)


def test_the_serving_process_purges_in_a_periodic_job(storage_app):
    job = _purge_job(storage_app)
    expired, young, other = _preview(48), _preview(12), _put(OTHER_KEYS[2])

    assert job.enabled()
    assert job.every_seconds() == 3600
    job.run()

    assert _stored() == {young, other}
    assert not get_storage().exists(expired)


def test_the_periodic_purge_can_be_left_to_cron(make_app, tmp_path):
    app = make_app(SCHEDULE_PREVIEW_PURGE_IN_PROCESS="0", STORAGE_LOCAL_DIR=str(tmp_path / "files"))

    assert not _purge_job(app).enabled()

"""The roster import page, the template downloads, and the `flask roster import` command."""

import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.orgs.models import OrgUnit

PEOPLE = "学号,姓名,角色,年级,班级\n20260101,张三,学生,七年级,1班\n20260102,李四,学生,七年级,2班\n"


def upload(client, action="import", files=(("people.csv", PEOPLE),)):
    data = {"action": action, "files": [(io.BytesIO(content.encode()), name) for name, content in files]}
    return client.post("/roster/import", data=data, content_type="multipart/form-data")


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_admin_uploads_a_file_and_sees_the_counts(client, login, people):
    login(people.admin)

    response = upload(client)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The roster was imported." in page
    assert "5 created, 0 updated, 0 unchanged" in page  # a grade, two classes, two students
    assert db.session.scalar(select(User).where(User.username == "20260101")).school_id == people.admin.school_id
    again = upload(client).get_data(as_text=True)
    assert "0 created, 0 updated, 5 unchanged" in again


@pytest.mark.parametrize("role", ["student", "teacher", "class_teacher", "academic_affairs"])
def test_other_roles_may_not_import(client, login, people, role):
    login(getattr(people, role))

    assert client.get("/roster/import").status_code == 403
    assert upload(client).status_code == 403
    assert client.get("/roster/templates/people.csv").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, people):
    assert client.get("/roster/import").status_code in (302, 401)


def test_preview_writes_nothing_until_confirmed(client, login, people):
    login(people.admin)
    before = count_users()

    response = upload(client, action="preview")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Preview: nothing has been written yet." in page and "5 created" in page
    assert count_users() == before
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    confirmed = client.post("/roster/import", data={"token": token, "action": "import"})
    assert "The roster was imported." in confirmed.get_data(as_text=True)
    assert count_users() == before + 2
    expired = client.post("/roster/import", data={"token": token, "action": "import"})
    assert expired.status_code == 422


def test_bad_rows_are_listed_with_file_row_and_column(client, login, people):
    login(people.admin)
    before = count_users()

    response = upload(client, files=[("people.csv", "学号,姓名,角色\n,张三,学生\ns2,李四,巫师\n")])

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2 problems found; nothing was imported." in page
    assert "学号" in page and "Unknown role: 巫师" in page
    assert count_users() == before


def test_submitting_without_a_file_asks_for_one(client, login, people):
    login(people.admin)

    response = client.post("/roster/import", data={"action": "import"}, content_type="multipart/form-data")

    assert response.status_code == 422 and "Choose a file to upload." in response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_downloaded_templates_are_valid_and_import_cleanly(client, login, people, language):
    login(people.admin)
    headers = {"Accept-Language": language}
    people_csv = client.get("/roster/templates/people.csv", headers=headers)
    courses_csv = client.get("/roster/templates/courses.csv", headers=headers)
    workbook = client.get("/roster/templates/roster.xlsx", headers=headers)
    assert people_csv.mimetype == "text/csv" and people_csv.data.startswith(b"\xef\xbb\xbf")
    book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    assert len(book.sheetnames) == 2 and book.worksheets[0]["A2"].value == "T001"

    files = [(io.BytesIO(people_csv.data), "people.csv"), (io.BytesIO(courses_csv.data), "courses.csv")]
    from_csv = client.post("/roster/import", data={"action": "import", "files": files})
    from_xlsx = client.post(
        "/roster/import", data={"action": "import", "files": [(io.BytesIO(workbook.data), "r.xlsx")]}
    )

    assert "The roster was imported." in from_csv.get_data(as_text=True)
    assert "0 created, 0 updated, 10 unchanged" in from_xlsx.get_data(as_text=True)


def test_unknown_template_names_are_not_found(client, login, people):
    login(people.admin)
    assert client.get("/roster/templates/secrets.txt").status_code == 404


def test_cli_imports_a_file_and_reports_counts(app, school, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(PEOPLE.encode("gbk"))
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["roster", "import", str(path), "--dry-run", "--school", school.code])
    assert dry.exit_code == 0, dry.output
    assert "5 created" in dry.output and count_users() == 0

    done = runner.invoke(args=["roster", "import", str(path)])
    assert done.exit_code == 0, done.output
    assert "Imported: 5 created, 0 updated, 0 unchanged." in done.output
    db.session.expire_all()
    assert count_users() == 2
    again = runner.invoke(args=["roster", "import", str(path)])
    assert "0 created, 0 updated, 5 unchanged" in again.output


def test_cli_reports_every_bad_row_and_exits_with_an_error(app, school, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("username,name\n,无名\nok1,\n", encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["roster", "import", str(path)])

    assert result.exit_code == 1
    assert "people.csv, row 2, column username: This value is required." in result.output
    assert "people.csv, row 3, column name: This value is required." in result.output
    assert "2 problems found; nothing was imported." in result.output
    assert count_users() == 0


def test_cli_creates_the_school_of_a_oneroster_file(app, tmp_path):
    from tests.app.orgs.test_roster_oneroster import ORGS, oneroster_zip

    path = tmp_path / "oneroster.zip"
    path.write_bytes(oneroster_zip(**{"orgs.csv": ORGS.replace("s2,active,2026-08-01,别的学校,school,,d1\n", "")}))

    result = app.test_cli_runner().invoke(args=["roster", "import", str(path)])

    assert result.exit_code == 0, result.output
    school = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == "school"))
    assert (school.code, school.name) == ("s1", "示例中学")
    assert db.session.scalar(select(User).where(User.username == "20260101")).school_id == school.id

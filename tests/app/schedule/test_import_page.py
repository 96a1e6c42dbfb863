"""The timetable import page: upload, a preview listing every problem, confirm, templates."""

import io
import re

import openpyxl
from sqlalchemy import func, select

from app.core.audit import AuditEntry
from app.extensions import db
from app.schedule import operations as ops
from app.schedule.models import LiveSeries, LiveSession
from tests.app.schedule.conftest import MONDAY, local

HEADER = "course,title,date,start,minutes,classes,weekdays,count,join_url\n"
GOOD = HEADER + "Maths 7,Algebra,2030-03-04,09:00,30,,Mon;Wed,4,\nChinese 7,,2030-03-05,10:00,20,,,,\n"


def stored() -> int:
    return db.session.scalar(select(func.count(LiveSession.id)))


def upload(client, content, name="timetable.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post("/schedule/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def preview_url(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_clean_file_is_previewed_then_stored_only_when_confirmed(client, login, timetable):
    login(timetable.academic_affairs)
    preview = client.get(preview_url(upload(client, GOOD)))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "5 lessons will be created" in page and "1 weekly series" in page
    assert "Monday, Wednesday" in page and stored() == 0
    token = re.search(r"/schedule/import/([^/\"]+)/confirm", page)[1]
    done = client.post(f"/schedule/import/{token}/confirm")
    assert done.status_code == 200 and "5 lessons created" in done.get_data(as_text=True)
    db.session.expire_all()
    assert stored() == 5 and db.session.scalar(select(func.count(LiveSeries.id))) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "timetable.import"))
    assert entry is not None and entry.actor_id == timetable.academic_affairs.id
    # The same confirmation again finds nothing to import: no second copy.
    assert client.post(f"/schedule/import/{token}/confirm").status_code == 404
    db.session.expire_all()
    assert stored() == 5


def test_every_bad_row_is_listed_with_its_column_and_nothing_is_stored(client, login, timetable):
    login(timetable.academic_affairs)
    content = (
        HEADER + "Maths 7,,2030-03-04,09:00,30,,,,\n"  # row 2: fine
        "\n"  # row 3: blank, skipped
        "Physics,,2030-03-04,11:00,30,,,,\n"  # row 4: no such course
        "Maths 7,,5 March,11:00,thirty,,,,\n"  # row 5: bad date and minutes
        "Maths 7,,2030-03-05,09:00,45,,,,\n"  # row 6: longer than the policy allows
        "Maths 7,,2030-03-04,09:00,30,,,,\n"  # row 7: a copy of row 2
        "Maths 7,,2030-03-06,11:00,30,7Z,Funday,,ftp://x\n"  # row 8: class, days and link
    )
    response = upload(client, content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and stored() == 0
    table = page.split('id="import-problems"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", table)
    found = {(int(row), column) for row, column, _reason in rows}
    assert {(4, "course"), (5, "date"), (5, "minutes"), (6, "—"), (7, "—")} <= found
    assert {(8, "classes"), (8, "weekdays"), (8, "join_url")} <= found
    assert 2 not in {row for row, _column in found} and 3 not in {row for row, _column in found}
    reasons = " ".join(reason for _row, _column, reason in rows)
    assert "No course of this school has this code or name." in reasons
    assert "Longest lesson: limit 30 min, reached 45 min" in reasons and "This row repeats row 2." in reasons
    assert "confirm-import" not in page


def test_policy_warnings_are_shown_per_row_in_the_preview(client, login, timetable):
    login(timetable.academic_affairs)
    content = HEADER + "Maths 7,,2030-03-04,09:00,30,,,,\nChinese 7,,2030-03-04,09:40,30,,,,\n"
    page = client.get(preview_url(upload(client, content))).get_data(as_text=True)
    warnings = page.split('id="import-warnings"', 1)[1].split("</table>", 1)[0]
    assert "<td>3</td>" in warnings and "Shortest break between lessons" in warnings
    assert 'id="confirm-import"' in page


def test_file_problems_are_told_before_any_row(client, login, timetable, make_app):
    login(timetable.academic_affairs)
    cases = {
        ("", "t.csv"): "The file is empty.",
        (HEADER, "t.csv"): "The file has a header row but no lessons below it.",
        (GOOD, "timetable.txt"): "Upload a CSV or XLSX file",
        ("not a workbook", "t.xlsx"): "The file is not a readable XLSX workbook.",
        ("course,date,start\nMaths 7,2030-03-04,09:00\n", "t.csv"): "The header row lacks the columns: minutes.",
        ("course,date,start,minutes,weekday\n", "t.csv"): "The header row has unknown columns: weekday.",
    }
    for (content, name), message in cases.items():
        response = upload(client, content, name)
        assert response.status_code == 422 and message in response.get_data(as_text=True), name
    assert client.post("/schedule/import", data={}).status_code == 422
    assert stored() == 0


def test_a_file_over_the_size_limit_is_refused_with_the_limit(login, timetable, make_app):
    app = make_app(KEXU_TIMETABLE_MAX_KB=1)
    client = app.test_client()
    login(timetable.academic_affairs, test_client=client)
    response = upload(client, HEADER + "Maths 7,,2030-03-04,09:00,30,,,,\n" * 40)
    assert response.status_code == 422 and "larger than 1 KB" in response.get_data(as_text=True)


def test_an_xlsx_file_with_chinese_headers_and_days(client, login, timetable):
    login(timetable.academic_affairs)
    book = openpyxl.Workbook()
    book.active.append(["课程", "日期", "开始时间", "时长(分钟)", "星期", "次数"])
    book.active.append(["Maths 7", MONDAY, "09:00", 30, "周一、周三", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    page = client.get(preview_url(upload(client, buffer.getvalue(), "课表.xlsx"))).get_data(as_text=True)
    assert "2 lessons will be created" in page and "课表.xlsx" in page


def test_the_confirmation_checks_again_and_stores_nothing_when_the_timetable_changed(client, login, timetable):
    t = timetable
    login(t.academic_affairs)
    url = preview_url(upload(client, HEADER + "Chinese 7,,2030-03-04,09:00,30,,,,\n"))
    ops.create_session(t.teacher, t.maths, {"starts_at": local(MONDAY, "09:00"), "minutes": 30})  # 7A is now busy
    db.session.commit()
    response = client.post(url + "/confirm")
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "nothing was stored" in page
    assert "Class already has a lesson at this time" in page
    db.session.expire_all()
    assert stored() == 1


def test_nobody_else_sees_or_confirms_a_preview(app, client, login, timetable, make_school, make_user):
    t = timetable
    login(t.academic_affairs)
    url = preview_url(upload(client, GOOD))
    elsewhere = make_user(roles=["academic_affairs"], school_unit=make_school())
    for other, status in ((t.admin, 404), (elsewhere, 404), (t.teacher, 403)):
        other_client = app.test_client()
        login(other, test_client=other_client)
        assert other_client.get(url).status_code == status
        assert other_client.post(url + "/confirm").status_code == status
    db.session.expire_all()
    assert stored() == 0
    assert client.get(url).status_code == 200


def test_templates_in_the_viewers_language_are_read_back_by_the_importer(client, login, timetable):
    from app.schedule.timetable_file import read_rows

    t = timetable
    login(t.academic_affairs)
    english = client.get("/schedule/import/template.csv")
    assert english.status_code == 200 and "attachment" in english.headers["Content-Disposition"]
    assert english.get_data(as_text=True).lstrip("\ufeff").startswith("course,title,date,start,minutes")
    t.academic_affairs.locale = "zh_Hans_CN"
    db.session.commit()
    chinese = client.get("/schedule/import/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(chinese.data)).active
    assert [cell.value for cell in sheet[1]][:3] == ["课程", "标题", "日期"]
    rows = read_rows("t.xlsx", chinese.data)
    assert len(rows) == 1 and rows[0]["weekdays"] == "周一;周三" and rows[0]["minutes"] == "30"
    assert client.get("/schedule/import/template.pdf").status_code == 404


def test_the_week_overview_links_the_import_for_academic_affairs(client, login, timetable):
    login(timetable.academic_affairs)
    page = client.get("/schedule/overview").get_data(as_text=True)
    assert 'id="timetable-import-link"' in page

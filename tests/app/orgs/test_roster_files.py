"""Roster files as schools really send them: GBK, BOMs, full-width input, and bad rows."""

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.orgs.models import OrgUnit
from app.orgs.roster import import_roster, read_roster

HEADER = "学号,姓名,角色,年级,班级\n"


def run(actor, school, name, data, dry_run=False):
    result = import_roster(actor, school, read_roster([(name, data)]), dry_run=dry_run)
    db.session.commit()
    return result


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_gbk_csv_as_excel_in_china_saves_it_is_read(school, make_user):
    admin = make_user(roles=["admin"])
    data = (HEADER + "20260101,欧阳娜娜,学生,七年级,1班\n").encode("gbk")

    result = run(admin, school, "名单.csv", data)

    assert result.ok, result.errors
    student = db.session.scalar(select(User).where(User.username == "20260101"))
    assert student.name == "欧阳娜娜" and student.classes[0].name == "1班"


def test_utf8_csv_with_bom_keeps_its_first_header(school, make_user):
    admin = make_user(roles=["admin"])
    data = (HEADER + "20260101,张三,学生,七年级,1班\n").encode("utf-8-sig")

    result = run(admin, school, "people.csv", data)

    assert result.ok, result.errors
    assert db.session.scalar(select(User).where(User.username == "20260101")).name == "张三"


def test_full_width_usernames_codes_and_roles_are_normalised(school, make_user):
    admin = make_user(roles=["admin"])
    data = (
        "学号,姓名,角色,年级,班级代码,班级\n"
        "２０２６０１０１,张三,学生,七年级,Ｃ７－１,１班\n"
        "Ｔ００１,王芳,教师；班主任,七年级,Ｃ７－１,１班\n"
    )

    result = run(admin, school, "people.csv", data.encode())

    assert result.ok, result.errors
    student = db.session.scalar(select(User).where(User.username == "20260101"))
    assert student.classes[0].code == "C7-1"
    teacher = db.session.scalar(select(User).where(User.username == "T001"))
    assert teacher.has_role("class_teacher")
    assert run(admin, school, "people.csv", data.encode()).unchanged == 4  # grade, class, two people


def test_every_bad_row_is_reported_and_nothing_is_written(school, make_user):
    admin = make_user(roles=["admin"])
    before = count_users()
    data = (
        "username,name,roles,grade,class,email,timezone,grade_number\n"
        "s1,学生一,student,七年级,1班,,,\n"
        ",没有学号,student,七年级,1班,,,\n"
        "s3,,student,七年级,1班,,,\n"
        "s4,学生四,wizard,七年级,1班,,,\n"
        "s5,学生五,student,七年级,1班,not-an-email,,\n"
        "s6,学生六,student,七年级,1班,,Mars/Olympus,\n"
        "s1,学生一again,student,七年级,1班,,,\n"
        "t1,教师一,class_teacher,,,,,\n"
        "s9,学生九,student,七年级,1班,,,13\n"
    )

    result = run(admin, school, "people.csv", data.encode())

    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "username"),
        (4, "name"),
        (5, "roles"),
        (6, "email"),
        (7, "timezone"),
        (8, "username"),
        (9, "class"),
        (10, "grade_number"),
    }
    assert all(e.file == "people.csv" for e in result.errors)
    messages = {e.row: e.message for e in result.errors}
    assert messages[5] == "Unknown role: wizard"
    assert messages[8] == "s1 is also on row 2."
    assert count_users() == before
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 1  # only the school


def test_problems_found_against_the_database_also_write_nothing(school, make_school, make_user):
    admin = make_user(roles=["admin"])
    make_user(username="taken", school_unit=make_school())
    before = count_users()
    data = "username,name,class_code\nnew1,新同学,\ntaken,重名,\nnew2,新同学二,NOPE\n"

    result = run(admin, school, "people.csv", data.encode())

    assert [(e.row, e.column) for e in result.errors] == [(3, "username"), (4, "class_code")]
    assert "another school" in result.errors[0].message
    assert count_users() == before


def test_an_admin_cannot_import_away_their_own_admin_role(school, make_user):
    admin = make_user(roles=["admin"], username="boss")

    result = run(admin, school, "people.csv", b"username,name,roles\nboss,Boss,teacher\n")

    assert not result.ok and result.errors[0].column == "roles"


def test_dry_run_counts_the_changes_but_writes_nothing(school, make_user):
    admin = make_user(roles=["admin"])
    before = count_users()

    result = run(admin, school, "people.csv", (HEADER + "20260101,张三,学生,七年级,1班\n").encode(), dry_run=True)

    assert result.ok and result.dry_run
    assert (result.created, result.updated) == (3, 0)
    assert count_users() == before


def test_a_file_that_is_not_a_roster_is_refused(school, make_user):
    admin = make_user(roles=["admin"])

    assert not run(admin, school, "notes.csv", b"foo,bar\n1,2\n").ok
    assert not run(admin, school, "broken.xlsx", b"not a workbook").ok
    assert not run(admin, school, "photo.png", b"\x89PNG").ok

"""Importing Kexu's own CSV and XLSX roster templates."""

import io

import openpyxl
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.core.audit import AuditEntry
from app.extensions import db
from app.orgs.models import Course, OrgUnit, Term, UnitKind
from app.orgs.roster import import_roster, read_roster

PEOPLE = """username,name,roles,grade,grade_number,class,email
T001,王芳,teacher;class_teacher,七年级,7,1班,wang@example.edu.cn
T002,李强,teacher,,,,
20260101,张三,student,七年级,7,1班,
20260102,欧阳娜娜,student,七年级,7,2班,
"""
COURSES = """course_code,course_name,subject,term,term_starts_on,term_ends_on,classes,teachers
MATH7,七年级数学,数学,2026秋季学期,2026-09-01,2027-01-20,七年级1班;七年级2班,T001
CHN7-1,七年级1班语文,语文,2026秋季学期,2026-09-01,2027-01-20,七年级1班,T002
"""


def run(actor, school, files, dry_run=False):
    parsed = read_roster([(name, data.encode() if isinstance(data, str) else data) for name, data in files])
    result = import_roster(actor, school, parsed, dry_run=dry_run)
    db.session.commit()
    return result


def user(username) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_people_and_courses_csv_create_classes_accounts_and_courses(school, make_user):
    admin = make_user(roles=["admin"])
    result = run(admin, school, [("people.csv", PEOPLE), ("courses.csv", COURSES)])

    assert result.ok, result.errors
    assert result.counts["people"]["created"] == 4
    wang = user("T001")
    assert wang.roles == {Role.TEACHER, Role.CLASS_TEACHER}
    klass = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "七年级1班"))
    assert klass.kind == UnitKind.CLASS and klass.name == "1班" and klass.parent.name == "七年级"
    assert klass.stage == "junior" and klass.grade_number == 7
    assert wang.scoped_unit_ids(Role.CLASS_TEACHER) == {klass.id}
    assert [c.code for c in user("20260101").classes] == ["七年级1班"]
    math = db.session.scalar(select(Course).where(Course.code == "MATH7"))
    assert math.teachers == [wang]
    assert sorted(c.code for c in math.classes) == ["七年级1班", "七年级2班"]
    assert math.term.name == "2026秋季学期" and str(math.term.starts_on) == "2026-09-01"
    assert user("20260101").password_hash is None  # no usable password until an admin resets it


def test_reimporting_the_same_files_changes_nothing(school, make_user):
    admin = make_user(roles=["admin"])
    run(admin, school, [("people.csv", PEOPLE), ("courses.csv", COURSES)])
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))

    again = run(admin, school, [("people.csv", PEOPLE), ("courses.csv", COURSES)])

    assert (again.created, again.updated) == (0, 0)
    assert again.unchanged == 1 + 3 + 4 + 2  # term, grade and two classes, people, courses
    assert db.session.scalar(select(func.count()).select_from(User)) == 5
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_updated_file_renames_moves_and_adds_roles_in_place(school, make_user):
    admin = make_user(roles=["admin"])
    run(admin, school, [("people.csv", PEOPLE)])
    changed = PEOPLE.replace("20260101,张三,student,七年级,7,1班", "20260101,张小三,student,七年级,7,2班").replace(
        "T002,李强,teacher,,,,", "T002,李强,teacher;academic_affairs,,,,"
    )

    result = run(admin, school, [("people.csv", changed)])

    assert result.counts["people"] == {"created": 0, "updated": 2, "unchanged": 2}
    student = user("20260101")
    assert student.name == "张小三"
    assert [c.code for c in student.classes] == ["七年级2班"]
    assert user("T002").roles == {Role.TEACHER, Role.ACADEMIC_AFFAIRS}
    assert db.session.scalar(select(func.count()).select_from(User).where(User.username == "20260101")) == 1


def test_existing_units_are_matched_by_name_not_duplicated(school, make_grade, make_class, make_user):
    grade = make_grade(number=7, name="七年级")
    klass = make_class(grade=grade, name="1班")
    admin = make_user(roles=["admin"])

    result = run(admin, school, [("people.csv", "username,name,grade,class\n20260101,张三,七年级,1班\n")])

    assert result.ok, result.errors
    assert result.counts["units"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert user("20260101").classes == [klass]


def test_a_course_taught_by_someone_who_is_not_a_teacher_is_refused(school, make_user):
    admin = make_user(roles=["admin"])
    book = openpyxl.Workbook()
    book.active.append(["学号", "姓名", "角色", "年级", "班级"])
    book.active.append([20260101, "张三", "学生", "高一", "3班"])
    courses = book.create_sheet("课程")
    courses.append(["课程代码", "课程名称", "学科", "授课班级", "任课教师"])
    courses.append(["PHY10", "高一物理", "物理", "高一3班", admin.username])
    out = io.BytesIO()
    book.save(out)

    result = run(admin, school, [("roster.xlsx", out.getvalue())])

    assert [(e.file, e.row, e.column) for e in result.errors] == [("roster.xlsx:课程", 2, "任课教师")]
    assert result.errors[0].message == f"{admin.username} is not a teacher."
    assert user("20260101") is None


def test_xlsx_import_reads_numbers_as_usernames_and_grade_names(school, make_user):
    admin = make_user(roles=["admin"])
    make_user(roles=["teacher"], username="phy")
    book = openpyxl.Workbook()
    book.active.append(["学号", "姓名", "角色", "年级", "班级"])
    book.active.append([20260101, "张三", "学生", "高一", "3班"])
    courses = book.create_sheet("课程")
    courses.append(["课程代码", "课程名称", "学科", "授课班级", "任课教师"])
    courses.append(["PHY10", "高一物理", "物理", "高一3班", "phy"])
    out = io.BytesIO()
    book.save(out)

    result = run(admin, school, [("roster.xlsx", out.getvalue())])

    assert result.ok, result.errors
    klass = user("20260101").classes[0]
    assert (klass.name, klass.parent.name, klass.grade_number, klass.stage) == ("3班", "高一", 10, "senior")
    assert db.session.scalar(select(Course).where(Course.code == "PHY10")).teachers[0].username == "phy"
    assert db.session.scalar(select(func.count()).select_from(Term)) == 0


def test_one_audit_entry_records_the_counts(school, make_user):
    admin = make_user(roles=["admin"])
    run(admin, school, [("people.csv", PEOPLE)])

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "roster.import")).all()

    assert len(entries) == 1
    assert entries[0].actor_id == admin.id and entries[0].school_id == school.id
    assert entries[0].details["created"] == 7 and entries[0].details["counts"]["people"]["created"] == 4


def test_password_column_sets_a_password_that_must_be_changed(school, make_user):
    admin = make_user(roles=["admin"])
    run(admin, school, [("p.csv", "username,name,password\ns1,学生一,Start-2026!\n")])

    student = user("s1")

    assert student.check_password("Start-2026!") and student.must_change_password


def test_a_new_account_takes_the_time_zone_its_row_gives(school, make_user):
    admin = make_user(roles=["admin"])
    people = "username,name,roles,grade,grade_number,class,timezone\n20260103,林一,student,七年级,7,1班,Europe/London\n"
    result = run(admin, school, [("people.csv", people)])
    assert not result.errors
    assert user("20260103").timezone == "Europe/London"

"""Importing an IMS OneRoster 1.1 CSV zip."""

import io
import zipfile

from sqlalchemy import func, select

from app.auth.models import Role, User
from app.extensions import db
from app.orgs.models import Course, OrgUnit, UnitKind
from app.orgs.roster import import_roster, read_roster

MANIFEST = (
    "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,bulk\nfile.demographics,absent\n"
)
ORGS = """sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
d1,active,2026-08-01,示例区教育局,district,,
s1,active,2026-08-01,示例中学,school,,d1
s2,active,2026-08-01,别的学校,school,,d1
"""
SESSIONS = """sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear
y2026,active,,2026学年,schoolYear,2026-09-01,2027-07-10,,2027
t1,active,,2026秋季学期,semester,2026-09-01,2027-01-20,y2026,2027
"""
COURSES = (
    "sourcedId,status,dateLastModified,schoolYearSourcedId,title,"
    "courseCode,grades,orgSourcedId,subjects,subjectCodes"
    """
c-math,active,,y2026,七年级数学,MATH7,07,s1,数学,
"""
)
CLASSES = (
    "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
    """
hr-7-1,active,,七年级1班,07,c-math,,homeroom,,s1,t1,,,
hr-7-2,active,,七年级2班,07,c-math,,homeroom,,s1,t1,,,
sec-math,active,,七年级数学A,07,c-math,,scheduled,,s1,t1,,,
sec-other,active,,别校数学,07,c-math,,scheduled,,s2,t1,,,
"""
)
USERS = (
    "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,"
    "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
    """
u-s1,active,,true,s1,student,２０２６０１０１,,三,张,,,,,,,07,
u-s2,active,,true,s1,student,20260102,,娜娜,欧阳,,,,,,,07,
u-t1,active,,true,s1,teacher,wangfang,,芳,王,,,wang@example.edu.cn,,,,,
u-a1,active,,true,s1,administrator,admin2,,Ada,Lovelace,,,,,,,,
u-p1,active,,true,s1,parent,parent1,,父,张,,,,,,,,
u-x1,active,,true,s2,student,elsewhere,,外,校,,,,,,,07,
"""
)
ENROLLMENTS = (
    "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate"
    """
e1,active,,hr-7-1,s1,u-s1,student,false,,
e2,active,,hr-7-2,s1,u-s2,student,false,,
e3,active,,hr-7-1,s1,u-t1,teacher,true,,
e4,active,,sec-math,s1,u-s1,student,false,,
e5,active,,sec-math,s1,u-s2,student,false,,
e6,active,,sec-math,s1,u-t1,teacher,true,,
e7,active,,sec-other,s2,u-x1,student,false,,
"""
)
FILES = {
    "manifest.csv": MANIFEST,
    "orgs.csv": ORGS,
    "academicSessions.csv": SESSIONS,
    "courses.csv": COURSES,
    "classes.csv": CLASSES,
    "users.csv": USERS,
    "enrollments.csv": ENROLLMENTS,
}


def oneroster_zip(**replace) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in {**FILES, **replace}.items():
            archive.writestr(f"export/{name}", content)
    return out.getvalue()


def run(actor, school, data, dry_run=False, school_code=None):
    result = import_roster(actor, school, read_roster([("oneroster.zip", data)], school_code=school_code), dry_run)
    db.session.commit()
    return result


def user(username) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_homerooms_become_classes_and_scheduled_classes_courses(school, make_user):
    admin = make_user(roles=["admin"])

    result = run(admin, school, oneroster_zip(), school_code="s1")

    assert result.ok, result.errors
    assert result.counts["people"]["created"] == 4  # the parent and the other school's student are skipped
    student = user("20260101")
    assert (student.name, student.external_id, student.roles) == ("张三", "u-s1", {Role.STUDENT})
    homeroom = student.classes[0]
    assert (homeroom.code, homeroom.name, homeroom.kind, homeroom.grade_number) == ("hr-7-1", "七年级1班", "class", 7)
    assert homeroom.parent.kind == UnitKind.GRADE and homeroom.stage == "junior"
    teacher = user("wangfang")
    assert teacher.roles == {Role.TEACHER, Role.CLASS_TEACHER}
    assert teacher.scoped_unit_ids(Role.CLASS_TEACHER) == {homeroom.id}
    assert user("admin2").roles == {Role.ADMIN} and user("admin2").name == "Ada Lovelace"
    assert user("parent1") is None and user("elsewhere") is None
    course = db.session.scalar(select(Course).where(Course.code == "sec-math"))
    assert (course.name, course.subject, course.term.name) == ("七年级数学A", "数学", "2026秋季学期")
    assert sorted(c.code for c in course.classes) == ["hr-7-1", "hr-7-2"]
    assert course.teachers == [teacher]
    assert db.session.scalar(select(func.count()).select_from(Course).where(Course.code == "sec-other")) == 0


def test_reimport_is_idempotent_and_updates_move_students(school, make_user):
    admin = make_user(roles=["admin"])
    run(admin, school, oneroster_zip(), school_code="s1")

    again = run(admin, school, oneroster_zip(), school_code="s1")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1 + 3 + 4 + 1)

    moved = ENROLLMENTS.replace("e1,active,,hr-7-1,s1,u-s1", "e1,active,,hr-7-2,s1,u-s1")
    renamed = USERS.replace(
        "u-s1,active,,true,s1,student,２０２６０１０１,,三,张", "u-s1,active,,true,s1,student,20260101,,小三,张"
    )
    result = run(admin, school, oneroster_zip(**{"enrollments.csv": moved, "users.csv": renamed}), school_code="s1")

    assert result.counts["people"] == {"created": 0, "updated": 1, "unchanged": 3}
    student = user("20260101")
    assert student.name == "张小三" and [c.code for c in student.classes] == ["hr-7-2"]
    # the section now reaches only hr-7-2: both of its students sit there
    assert result.counts["courses"]["updated"] == 1
    assert [c.code for c in db.session.scalar(select(Course).where(Course.code == "sec-math")).classes] == ["hr-7-2"]


def test_references_to_unknown_rows_are_reported_and_nothing_written(school, make_user):
    admin = make_user(roles=["admin"])
    bad = ENROLLMENTS + "e8,active,,sec-math,s1,u-ghost,student,false,,\ne9,active,,nope,s1,u-s1,student,false,,\n"

    result = run(admin, school, oneroster_zip(**{"enrollments.csv": bad}), school_code="s1")

    assert [(e.file, e.row, e.column) for e in result.errors] == [
        ("enrollments.csv", 9, "userSourcedId"),
        ("enrollments.csv", 10, "classSourcedId"),
    ]
    assert user("20260101") is None


def test_delta_files_and_zips_without_manifest_are_refused(school, make_user):
    admin = make_user(roles=["admin"])
    delta = MANIFEST.replace("file.users,bulk", "file.users,delta")

    assert "Delta" in run(admin, school, oneroster_zip(**{"manifest.csv": delta})).errors[0].message
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("users.csv", USERS)
    assert "manifest.csv" in run(admin, school, out.getvalue()).errors[0].message


def test_several_schools_need_a_code_and_the_only_school_is_mapped_to_mine(school, make_user):
    admin = make_user(roles=["admin"])
    assert not run(admin, school, oneroster_zip()).ok  # s1 and s2: which one?

    single = ORGS.replace("s2,active,2026-08-01,别的学校,school,,d1\n", "")
    result = run(admin, school, oneroster_zip(**{"orgs.csv": single}))

    assert result.ok, result.errors
    assert user("20260101").school_id == school.id
    assert db.session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.kind == "school")) == 1

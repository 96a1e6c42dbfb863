"""A small school timetable for the schedule tests: a junior grade with two classes, their
students (one abroad), two teachers, a course per teacher, a term."""

from datetime import date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2030-03-04 is a Monday inside the test term (in the future, so suggestions offer it).
MONDAY = date(2030, 3, 4)


def local(day: date, clock: str, tz=SHANGHAI) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=tz)


@pytest.fixture
def timetable(make_grade, make_class, make_user, make_course, make_term, school):
    grade = make_grade(7)
    class_a, class_b = make_class(grade, name="7A"), make_class(grade, name="7B")
    students_a = [make_user(classes=[class_a], name=f"Student A{n}") for n in range(3)]
    students_b = [make_user(classes=[class_b], name=f"Student B{n}") for n in range(2)]
    abroad = make_user(classes=[class_a], name="Student Abroad", timezone="Europe/London")
    teacher = make_user(roles=["teacher"], name="Teacher Maths")
    other_teacher = make_user(roles=["teacher"], name="Teacher Chinese")
    academic_affairs = make_user(roles=["academic_affairs"])
    admin = make_user(roles=["admin"])
    term = make_term(starts_on=date(2030, 2, 25), ends_on=date(2030, 7, 12))
    maths = make_course(name="Maths 7", teachers=[teacher], classes=[class_a, class_b], term=term)
    chinese = make_course(name="Chinese 7", subject="语文", teachers=[other_teacher], classes=[class_a], term=term)
    return SimpleNamespace(**locals())

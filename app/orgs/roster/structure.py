"""Terms, grades, classes and courses of a roster, matched to the school's existing ones."""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import Role
from app.orgs.models import Course, OrgUnit, Term, UnitKind
from app.orgs.roster.records import CourseRow, TermRow, UnitRow
from app.orgs.roster.state import ImportState
from app.orgs.roster.text import stage_for


def _status(created: bool, changed: bool) -> str:
    return "created" if created else ("updated" if changed else "unchanged")


def sync_term(st: ImportState, row: TermRow) -> None:
    term = next((t for t in st.school_terms if t.code == row.code), None)
    term = term or next((t for t in st.school_terms if t.name == row.name), None)
    wanted = {"name": row.name, "starts_on": row.starts_on, "ends_on": row.ends_on}
    changed = term is not None and any(getattr(term, k) != v for k, v in wanted.items())
    st.count("terms", _status(term is None, changed))
    if st.apply and term is None:
        term = Term(school_id=st.school_id, code=row.code, **wanted)
        st.add(term)
    elif st.apply and changed:
        for key, value in wanted.items():
            setattr(term, key, value)
    st.terms[row.code] = term


def resolve_unit(st: ImportState, row: UnitRow) -> OrgUnit | None:
    """The existing unit a row describes: by code, else by name (and grade), else by grade number."""
    by_code = next((u for u in st.school_units if u.code == row.code), None)
    if by_code is not None:
        return by_code
    if row.kind == "grade":
        named = [u for u in st.grades() if u.name == row.name]
        if not named and row.grade_number is not None:
            named = [u for u in st.grades() if u.grade_number == row.grade_number]
        return named[0] if len(named) == 1 else None
    parent = st.units.get(row.parent_code) if row.parent_code else None
    parent_id = parent.id if parent is not None else (None if row.parent_code else st.school_id)
    named = [u for u in st.classes() if u.name == row.name and (parent_id is None or u.parent_id == parent_id)]
    if row.parent_code and parent is None:
        named = []  # the grade is new, so the class must be too
    return named[0] if len(named) == 1 else None


def sync_unit(st: ImportState, row: UnitRow) -> None:
    unit = resolve_unit(st, row)
    kind = UnitKind.GRADE if row.kind == "grade" else UnitKind.CLASS
    if unit is not None and unit.kind != kind:
        st.error(row.source, row.column, _("The code %(code)s belongs to a unit of another kind.", code=row.code))
        return
    parent_row = st.unit_rows.get(row.parent_code) if row.parent_code else None
    number = row.grade_number if row.grade_number is not None else getattr(parent_row, "grade_number", None)
    wanted = {
        "name": row.name,
        "grade_number": number,
        "stage": row.stage or getattr(parent_row, "stage", None) or stage_for(number, None),
    }
    if unit is not None and unit.code is None:
        wanted["code"] = row.code
    parent_changed = False
    if row.parent_code:
        parent_changed = unit is None or st.unit_key(row.parent_code) != unit.parent_id
    changed = unit is not None and (parent_changed or any(getattr(unit, k) != v for k, v in wanted.items()))
    st.count("units", _status(unit is None, changed))
    if st.apply and (unit is None or changed):
        if unit is None:
            unit = OrgUnit(kind=kind, code=row.code, school_id=st.school.id, parent=st.school)
            st.add(unit)
        for key, value in wanted.items():
            setattr(unit, key, value)
        if row.parent_code:
            unit.parent = st.units[row.parent_code]
    st.units[row.code] = unit
    st.unit_rows[row.code] = row


def unit_for_reference(st: ImportState, code: str, source, column) -> bool:
    """Make a class code named by a person or course known to the state; False (and an error) if unknown."""
    if code not in st.units:
        unit = next((u for u in st.school_units if u.code == code), None)
        if unit is None:
            st.error(source, column, _("No class %(code)s in this file or this school.", code=code))
            return False
        st.units[code] = unit
    unit = st.units[code]
    row = st.unit_rows.get(code)
    kind = row.kind if row is not None else unit.kind
    if kind != UnitKind.CLASS:
        st.error(source, column, _("%(code)s is not a class.", code=code))
        return False
    return True


def sync_course(st: ImportState, row: CourseRow) -> None:
    course = st.school_courses.get(row.code)
    term = _term_for(st, row)
    class_codes = sorted(c for c in row.class_codes if unit_for_reference(st, c, row.source, row.column("classes")))
    teachers = sorted(t for t in row.teacher_usernames if _teacher_known(st, row, t))
    wanted = {"name": row.name, "subject": row.subject}
    changed = False
    if course is not None:
        changed = any(getattr(course, k) != v for k, v in wanted.items())
        changed |= (term.id if term is not None else None) != course.term_id
        changed |= {st.unit_key(c) for c in class_codes} != {c.id for c in course.classes}
        changed |= {st.user_key(t) for t in teachers} != {t.id for t in course.teachers}
    st.count("courses", _status(course is None, changed))
    if st.apply and (course is None or changed):
        if course is None:
            course = Course(school_id=st.school.id, code=row.code, **wanted)
            st.add(course)
        for key, value in wanted.items():
            setattr(course, key, value)
        course.term = term
        course.classes = [st.units[code] for code in class_codes]
        course.teachers = [st.users[username.lower()] for username in teachers]


def _term_for(st: ImportState, row: CourseRow) -> Term | None:
    if not row.term_ref:
        return None
    if row.term_ref in st.terms:
        return st.terms[row.term_ref]
    term = next((t for t in st.school_terms if row.term_ref in (t.code, t.name)), None)
    if term is None:
        message = _("No term %(name)s in this school: give its first and last day.", name=row.term_ref)
        st.error(row.source, row.column("term"), message)
    return term


def _teacher_known(st: ImportState, row: CourseRow, username: str) -> bool:
    key = username.lower()
    person = st.person_rows.get(key)
    user = st.users.get(key) or st.school_user(key)
    if person is None and user is None:
        st.error(
            row.source, row.column("teachers"), _("No teacher %(value)s in this file or this school.", value=username)
        )
        return False
    roles = person.roles if person is not None else user.roles
    if not roles & {Role.TEACHER, Role.CLASS_TEACHER}:
        st.error(row.source, row.column("teachers"), _("%(value)s is not a teacher.", value=username))
        return False
    return True

"""IMS OneRoster 1.1 CSV (a zip with manifest.csv) read into Kexu's roster records.

OneRoster's "class" is a course section, not Kexu's class (行政班). The mapping, explained in
docs/roster-import.md: a class with classType=homeroom becomes a Kexu class under a grade taken
from its `grades`; every other class becomes a Kexu course (term from academicSessions), taught
to the homerooms of the students enrolled in it. Only bulk files are read; delta files are refused.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from flask_babel import gettext as _

from app.auth.models import Role
from app.orgs.roster import text
from app.orgs.roster.records import CourseRow, ParsedRoster, PersonRow, RowError, SchoolRow, Source, TermRow, UnitRow

REQUIRED_COLUMNS = {
    "orgs.csv": ("sourcedId", "name", "type"),
    "academicSessions.csv": ("sourcedId", "title", "startDate", "endDate"),
    "courses.csv": ("sourcedId", "title"),
    "classes.csv": ("sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"),
    "users.csv": ("sourcedId", "role", "username", "givenName", "familyName", "orgSourcedIds"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
}
ROLE_MAP = {"student": Role.STUDENT, "teacher": Role.TEACHER, "administrator": Role.ADMIN}
MANAGED_ROLES = frozenset({Role.STUDENT, Role.TEACHER, Role.ADMIN, Role.CLASS_TEACHER})


def is_oneroster(filename: str, data: bytes) -> bool:
    return filename.lower().endswith(".zip") or data[:4] == b"PK\x03\x04" and not filename.lower().endswith(".xlsx")


def _cjk(value: str) -> bool:
    return bool(re.search(r"[\u3400-\u9fff]", value))


def full_name(given: str, family: str) -> str:
    """张三 from familyName 张 + givenName 三; "Ada Lovelace" for Latin names."""
    if _cjk(given + family):
        return family + given
    return " ".join(part for part in (given, family) if part)


class _Reader:
    def __init__(self, parsed: ParsedRoster, archive: zipfile.ZipFile, label: str):
        self.parsed, self.label = parsed, label
        self.members = {posixpath.basename(n): n for n in archive.namelist() if not n.endswith("/")}
        self.archive = archive
        self.org_ids: set[str] = set()
        self.skipped_users: set[str] = set()
        self.skipped_classes: set[str] = set()
        self.section_students: dict[str, set[str]] = {}

    def rows(self, name: str) -> list[tuple[Source, dict]]:
        """The rows of one CSV as dicts keyed by OneRoster header; [] when the file is absent."""
        if name not in self.members:
            return []
        table = text.read_csv(self.archive.read(self.members[name]))
        if not table:
            return []
        header = [text.code(cell) for cell in table[0]]
        missing = [column for column in REQUIRED_COLUMNS.get(name, ()) if column not in header]
        for column in missing:
            self.error(Source(name, 1), column, _("This required column is missing."))
        if missing:
            return []
        result = []
        for number, row in enumerate(table[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            record = {column: (row[i] if i < len(row) else "") for i, column in enumerate(header)}
            if text.header_key(record.get("status")) == "tobedeleted":
                continue
            result.append((Source(name, number), record))
        return result

    def error(self, source: Source | None, column: str | None, message: str) -> None:
        if source is None:
            self.parsed.errors.append(RowError(self.label, None, column, message))
        else:
            self.parsed.errors.append(RowError.at(source, column, message))

    def required(self, source: Source, record: dict, column: str) -> str:
        value = text.code(record.get(column))
        if not value:
            self.error(source, column, _("This value is required."))
        return value


def parse_oneroster(filename: str, data: bytes, school_code: str | None = None) -> ParsedRoster:
    """Read a OneRoster zip; `school_code` picks one school when the file holds several."""
    parsed = ParsedRoster(format="oneroster", files=[filename])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        parsed.errors.append(RowError(filename, None, None, _("The file is not a valid zip archive.")))
        return parsed
    with archive:
        reader = _Reader(parsed, archive, filename)
        try:
            if _manifest_ok(reader) and _pick_school(reader, school_code):
                _read_contents(reader)
        except text.UnreadableFile as error:
            parsed.errors.append(RowError(filename, None, None, str(error)))
    return parsed


def _manifest_ok(reader: _Reader) -> bool:
    if "manifest.csv" not in reader.members:
        reader.error(None, None, _("manifest.csv is missing: this is not a OneRoster file."))
        return False
    ok = True
    for source, record in reader.rows("manifest.csv"):
        prop, value = text.code(record.get("propertyName")), text.header_key(record.get("value"))
        if prop == "oneroster.version" and value not in {"1.1", "1.0"}:
            reader.error(source, "value", _("OneRoster version %(version)s is not supported.", version=value))
            ok = False
        if prop.startswith("file.") and value == "delta":
            reader.error(source, "value", _("Delta files are not supported; export a bulk file."))
            ok = False
    return ok


def _pick_school(reader: _Reader, school_code: str | None) -> bool:
    """Choose the school org to import and the org ids that belong to it."""
    orgs = {text.code(r["sourcedId"]): (s, r) for s, r in reader.rows("orgs.csv") if text.code(r.get("sourcedId"))}
    schools = [code for code, (_s, r) in orgs.items() if text.header_key(r.get("type")) == "school"]
    chosen = school_code if school_code in schools else (schools[0] if len(schools) == 1 else None)
    if chosen is None:
        codes = ", ".join(schools) or "-"
        reader.error(None, None, _("The file describes these schools: %(codes)s. Import one by its code.", codes=codes))
        return False
    source, record = orgs[chosen]
    reader.parsed.school = SchoolRow(chosen, text.name(record.get("name")) or chosen, source)
    if school_code and chosen != school_code:
        reader.parsed.notes.append(_("School %(code)s of the file is imported into this school.", code=chosen))
    reader.org_ids = {chosen}
    changed = True
    while changed:  # departments and other orgs below the school belong to it too
        before = len(reader.org_ids)
        reader.org_ids |= {c for c, (_s, r) in orgs.items() if text.code(r.get("parentSourcedId")) in reader.org_ids}
        changed = len(reader.org_ids) != before
    return True


def _read_contents(reader: _Reader) -> None:
    parsed = reader.parsed
    sessions = {text.code(r["sourcedId"]): (s, r) for s, r in reader.rows("academicSessions.csv")}
    course_info = {text.code(r["sourcedId"]): r for _s, r in reader.rows("courses.csv")}
    people = _read_users(reader)
    homerooms, sections = _read_classes(reader, course_info)
    skipped = 0
    for source, record in reader.rows("enrollments.csv"):
        class_id, user_id = text.code(record.get("classSourcedId")), text.code(record.get("userSourcedId"))
        person = people.get(user_id)
        if class_id in reader.skipped_classes or user_id in reader.skipped_users:
            skipped += 1
            continue
        if class_id not in homerooms and class_id not in sections:
            reader.error(source, "classSourcedId", _("No class %(code)s in classes.csv.", code=class_id))
        if person is None:
            reader.error(source, "userSourcedId", _("No user %(code)s in users.csv.", code=user_id))
        if person is None or (class_id not in homerooms and class_id not in sections):
            continue
        role = text.header_key(record.get("role"))
        if class_id in homerooms:
            if role == "student":
                person.class_codes.add(class_id)
            elif role == "teacher" and text.parse_bool(record.get("primary")) is not False:
                person.class_teacher_of.add(class_id)
                person.roles.add(Role.CLASS_TEACHER)
        elif role == "teacher":
            sections[class_id].teacher_usernames.add(person.username)
        elif role == "student":
            reader.section_students.setdefault(class_id, set()).add(user_id)
    for class_id, course in sections.items():
        for user_id in reader.section_students.get(class_id, ()):
            course.class_codes |= people[user_id].class_codes
        _add_term(reader, course, sessions)
    if not homerooms:  # nobody's homeroom is known: leave memberships as they are
        for person in people.values():
            person.class_codes = None
        parsed.notes.append(_("The file has no homeroom classes, so class memberships were not changed."))
    skipped += len(reader.skipped_users) + len(reader.skipped_classes)
    if skipped:
        parsed.notes.append(_("%(count)d rows of other schools or unsupported roles were skipped.", count=skipped))


def _read_users(reader: _Reader) -> dict[str, PersonRow]:
    people, usernames = {}, {}
    for source, record in reader.rows("users.csv"):
        sourced_id = reader.required(source, record, "sourcedId")
        role = ROLE_MAP.get(text.header_key(record.get("role")))
        orgs = set(text.split_list(record.get("orgSourcedIds")))
        if role is None or not orgs & reader.org_ids:
            reader.skipped_users.add(sourced_id)
            continue
        username = text.code(record.get("username")) or text.code(record.get("identifier")) or sourced_id
        if username.casefold() in usernames:
            row = usernames[username.casefold()].row
            reader.error(source, "username", _("%(value)s is also on row %(row)d.", value=username, row=row))
        usernames.setdefault(username.casefold(), source)
        name = full_name(text.name(record.get("givenName")), text.name(record.get("familyName"))) or username
        person = PersonRow(username, name, source, roles={role}, managed_roles=MANAGED_ROLES, class_codes=set())
        person.external_id = sourced_id
        person.email = text.code(record.get("email")) or None
        password = text.cell_text(record.get("password")).strip()
        person.password = password or None
        enabled = text.parse_bool(record.get("enabledUser"))
        person.disabled = None if enabled is None else not enabled
        person.columns = {"username": "username", "name": "givenName", "roles": "role"}
        people[sourced_id] = person
        reader.parsed.people.append(person)
    return people


def _grade_number(grades: str) -> int | None:
    for value in text.split_list(grades):
        if value.isdigit() and 1 <= int(value) <= 12:
            return int(value)
    return None


def _read_classes(reader: _Reader, course_info: dict) -> tuple[dict, dict[str, CourseRow]]:
    homerooms, sections = {}, {}
    grade_units: dict[int, UnitRow] = {}
    for source, record in reader.rows("classes.csv"):
        sourced_id = reader.required(source, record, "sourcedId")
        title = text.name(record.get("title")) or sourced_id
        if text.code(record.get("schoolSourcedId")) not in reader.org_ids:
            reader.skipped_classes.add(sourced_id)
            continue
        if text.header_key(record.get("classType")) == "homeroom":
            number = _grade_number(record.get("grades"))
            parent = None
            if number is not None:
                if number not in grade_units:
                    grade = UnitRow("grade", f"grade-{number}", _("Grade %(number)d", number=number), source)
                    grade.grade_number, grade.stage = number, text.stage_for(number, None)
                    grade_units[number] = grade
                    reader.parsed.units.append(grade)
                parent = grade_units[number].code
            unit = UnitRow("class", sourced_id, title, source, parent, number, column="sourcedId")
            homerooms[sourced_id] = unit
            reader.parsed.units.append(unit)
            continue
        course = course_info.get(text.code(record.get("courseSourcedId")), {})
        subjects = text.split_list(record.get("subjects")) or text.split_list(course.get("subjects"))
        subject = subjects[0] if subjects else text.name(course.get("title")) or title
        row = CourseRow(sourced_id, title, subject[:80], source)
        row.term_ref = (text.split_list(record.get("termSourcedIds")) or [None])[0]
        row.columns = {"code": "sourcedId", "name": "title", "term": "termSourcedIds"}
        sections[sourced_id] = row
        reader.parsed.courses.append(row)
    return homerooms, sections


def _add_term(reader: _Reader, course: CourseRow, sessions: dict) -> None:
    """The course's academic session becomes a Kexu term (once)."""
    if course.term_ref is None or any(t.code == course.term_ref for t in reader.parsed.terms):
        return
    if course.term_ref not in sessions:
        reader.error(course.source, "termSourcedIds", _("No academic session %(code)s.", code=course.term_ref))
        return
    source, record = sessions[course.term_ref]
    starts_on, ends_on = text.parse_date(record.get("startDate")), text.parse_date(record.get("endDate"))
    for column, value in (("startDate", starts_on), ("endDate", ends_on)):
        if not value:
            reader.error(source, column, _("Write the date as YYYY-MM-DD."))
    if starts_on and ends_on:
        title = text.name(record.get("title")) or course.term_ref
        reader.parsed.terms.append(TermRow(course.term_ref, title, source, starts_on, ends_on))

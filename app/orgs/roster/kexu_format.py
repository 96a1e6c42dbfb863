"""Kexu's own roster templates: a people table and a courses table, as CSV files or XLSX sheets.

Headers are accepted in English or Chinese (`COLUMNS`); a table's kind is told by its headers,
so a workbook may carry both tables as sheets in any order and extra sheets are ignored.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
from flask_babel import gettext as _

from app.auth.models import Role
from app.core.i18n import is_valid_timezone
from app.orgs.roster import text
from app.orgs.roster.records import CourseRow, ParsedRoster, PersonRow, RowError, Source, TermRow, UnitRow

# field -> (English template header, Chinese template header, other accepted spellings)
PEOPLE_COLUMNS = {
    "username": ("username", "学号/工号", ("user", "login", "学号", "工号", "学工号", "账号", "用户名")),
    "name": ("name", "姓名", ("fullname", "名字")),
    "roles": ("roles", "角色", ("role", "身份")),
    "grade": ("grade", "年级", ("gradename", "年级名称")),
    "grade_number": ("grade_number", "年级号", ("年级序号", "年级数字")),
    "stage": ("stage", "学段", ()),
    "class": ("class", "班级", ("classname", "班级名称", "行政班")),
    "class_code": ("class_code", "班级代码", ("班级编号",)),
    "grade_code": ("grade_code", "年级代码", ("年级编号",)),
    "email": ("email", "邮箱", ("e-mail", "电子邮箱", "电子邮件")),
    "timezone": ("timezone", "时区", ("time zone",)),
    "password": ("password", "初始密码", ("密码",)),
    "external_id": ("external_id", "外部编号", ("sourcedid", "externalid")),
}
COURSE_COLUMNS = {
    "code": ("course_code", "课程代码", ("课程编号",)),
    "name": ("course_name", "课程名称", ("course", "课程", "课程名")),
    "subject": ("subject", "学科", ("科目",)),
    "term": ("term", "学期", ()),
    "term_starts_on": ("term_starts_on", "学期开始", ("termstart", "学期开始日期")),
    "term_ends_on": ("term_ends_on", "学期结束", ("termend", "学期结束日期")),
    "classes": ("classes", "授课班级", ("class_codes", "班级", "班级代码")),
    "teachers": ("teachers", "任课教师", ("teacher", "teacher_usernames", "教师", "教师工号")),
}
REQUIRED = {"people": ("username", "name"), "courses": ("code", "name", "subject")}


def _aliases(columns: dict) -> dict[str, str]:
    return {
        text.header_key(spelling): field
        for field, (english, chinese, others) in columns.items()
        for spelling in (english, chinese, *others)
    }


PEOPLE_ALIASES = _aliases(PEOPLE_COLUMNS)
COURSE_ALIASES = _aliases(COURSE_COLUMNS)


def read_tables(filename: str, data: bytes) -> list[tuple[str, list[list]]]:
    """(label, rows) for each table in a CSV file or each sheet of an XLSX workbook."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise text.UnreadableFile(_("The file is not a valid XLSX workbook.")) from error
        try:
            return [
                (f"{filename}:{sheet.title}", [list(row) for row in sheet.iter_rows(values_only=True)])
                for sheet in book
            ]
        finally:
            book.close()
    return [(filename, text.read_csv(data))]


def table_kind(header: list) -> str | None:
    keys = {text.header_key(cell) for cell in header}
    if any(COURSE_ALIASES.get(key) == "code" for key in keys):
        return "courses"
    if any(PEOPLE_ALIASES.get(key) == "username" for key in keys):
        return "people"
    return None


def parse_tables(parsed: ParsedRoster, tables: list[tuple[str, list[list]]]) -> None:
    """Add the records of every recognised table to `parsed`; bad cells become row errors."""
    builder = _Builder(parsed)
    for label, rows in tables:
        numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(text.code(c) for c in row)]
        if not numbered:
            continue
        header_number, header = numbered[0]
        kind = table_kind(header)
        if kind is None:
            parsed.notes.append(_("%(file)s has no username or course code column and was skipped.", file=label))
            continue
        aliases = PEOPLE_ALIASES if kind == "people" else COURSE_ALIASES
        columns = {}  # field -> (index, header as written)
        for index, cell in enumerate(header):
            field = aliases.get(text.header_key(cell))
            if field and field not in columns:
                columns[field] = (index, text.name(cell))
            elif text.code(cell) and not field:
                parsed.notes.append(_("%(file)s: column %(column)s is not used.", file=label, column=text.name(cell)))
        missing = [field for field in REQUIRED[kind] if field not in columns]
        for field in missing:
            english, chinese, _others = (PEOPLE_COLUMNS if kind == "people" else COURSE_COLUMNS)[field]
            parsed.errors.append(
                RowError(label, header_number, f"{english} / {chinese}", _("This required column is missing."))
            )
        if missing:
            continue
        for number, row in numbered[1:]:
            cells = {field: row[index] if index < len(row) else None for field, (index, _h) in columns.items()}
            headers = {field: written for field, (_i, written) in columns.items()}
            source = Source(label, number)
            if kind == "people":
                builder.person(source, cells, headers)
            else:
                builder.course(source, cells, headers)


class _Builder:
    """Turns cells into records, collecting one error per bad cell and units shared by rows."""

    def __init__(self, parsed: ParsedRoster):
        self.parsed = parsed
        self.units: dict[str, UnitRow] = {}
        self.usernames: dict[str, Source] = {}
        self.course_codes: dict[str, Source] = {}
        self.terms: dict[str, TermRow] = {}

    def error(self, source, column, message) -> None:
        self.parsed.errors.append(RowError.at(source, column, message))

    def person(self, source: Source, cells: dict, headers: dict) -> None:
        errors_before = len(self.parsed.errors)
        username = text.code(cells.get("username"))
        name = text.name(cells.get("name"))
        self._check_identifier(source, headers["username"], username, 80)
        if username.casefold() in self.usernames:
            first = self.usernames[username.casefold()]
            self.error(
                source, headers["username"], _("%(value)s is also on row %(row)d.", value=username, row=first.row)
            )
        self.usernames.setdefault(username.casefold(), source)
        if not name:
            self.error(source, headers["name"], _("This value is required."))
        elif len(name) > 120:
            self.error(source, headers["name"], _("This value is too long (at most %(count)d characters).", count=120))
        roles = {Role.STUDENT}
        if text.code(cells.get("roles")):
            roles, unknown = text.parse_roles(cells["roles"])
            for word in unknown:
                self.error(source, headers["roles"], _("Unknown role: %(value)s", value=word))
            if Role.CLASS_TEACHER in roles:
                roles.add(Role.TEACHER)  # a class teacher (班主任) also teaches
        person = PersonRow(username=username, name=name, source=source, roles=roles, columns=headers)
        person.email = self._email(source, headers, cells)
        person.timezone = self._timezone(source, headers, cells)
        person.password = self._password(source, headers, cells)
        person.external_id = text.code(cells.get("external_id")) or None
        class_code = self._units_of(source, cells, headers, wanted=bool(roles & {Role.STUDENT, Role.CLASS_TEACHER}))
        if Role.STUDENT in roles and ("class" in headers or "class_code" in headers):
            person.class_codes = {class_code} if class_code else set()
        if Role.CLASS_TEACHER in roles:
            if class_code:
                person.class_teacher_of = {class_code}
            else:
                self.error(source, headers.get("class", "class"), _("A class teacher needs a class."))
        if len(self.parsed.errors) == errors_before:
            self.parsed.people.append(person)

    def _email(self, source, headers, cells) -> str | None:
        email = text.code(cells.get("email"))
        if email and ("@" not in email or len(email) > 200 or " " in email):
            self.error(source, headers["email"], _("%(value)s is not an email address.", value=email))
        return email or None

    def _timezone(self, source, headers, cells) -> str | None:
        zone = text.code(cells.get("timezone"))
        if zone and not is_valid_timezone(zone):
            self.error(source, headers["timezone"], _("Unknown time zone: %(name)s", name=zone))
        return zone or None

    def _password(self, source, headers, cells) -> str | None:
        from app.auth.operations import MIN_PASSWORD_LENGTH

        password = text.cell_text(cells.get("password")).strip()
        if password and len(password) < MIN_PASSWORD_LENGTH:
            message = _("The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
            self.error(source, headers["password"], message)
        return password or None

    def _check_identifier(self, source, column, value, longest) -> None:
        if not value:
            self.error(source, column, _("This value is required."))
        elif len(value) > longest:
            self.error(source, column, _("This value is too long (at most %(count)d characters).", count=longest))
        elif any(ch.isspace() for ch in value):
            self.error(source, column, _("%(value)s must not contain spaces.", value=value))

    def _units_of(self, source, cells, headers, wanted: bool) -> str | None:
        """Record the grade and class named on a row; returns the class code (None if no class)."""
        grade_name = text.name(cells.get("grade"))
        class_name = text.name(cells.get("class"))
        class_code = text.code(cells.get("class_code"))
        if not wanted or not (class_name or class_code):
            return None
        grade_code = None
        if grade_name:
            grade_code = text.code(cells.get("grade_code")) or text.code(grade_name)
            number = self._grade_number(source, headers, cells, grade_name)
            stage = text.parse_stage(cells.get("stage"))
            if stage is False:
                self.error(source, headers["stage"], _("Unknown stage: %(value)s", value=text.name(cells["stage"])))
                stage = None
            grade = UnitRow("grade", grade_code, grade_name, source, None, number, text.stage_for(number, stage))
            grade.column = headers.get("grade")
            self._add_unit(grade)
        if class_name:
            class_code = class_code or text.code(text.join_names(grade_name, class_name))
            klass = UnitRow("class", class_code, class_name, source, grade_code, column=headers.get("class"))
            self._add_unit(klass)
        return class_code

    def _grade_number(self, source, headers, cells, grade_name) -> int | None:
        written = text.code(cells.get("grade_number"))
        if not written:
            return text.guess_grade_number(grade_name)
        if written.isdigit() and 1 <= int(written) <= 12:
            return int(written)
        self.error(source, headers["grade_number"], _("Give a whole number from 1 to 12."))
        return text.guess_grade_number(grade_name)  # so the grade's other rows are not blamed too

    def _add_unit(self, unit: UnitRow) -> None:
        known = self.units.get(unit.code)
        if known is None:
            self.units[unit.code] = unit
            self.parsed.units.append(unit)
            return
        same = (known.kind, known.name, known.parent_code, known.grade_number) == (
            unit.kind,
            unit.name,
            unit.parent_code,
            unit.grade_number,
        )
        if not same:
            message = _("%(code)s is described differently on row %(row)d.", code=unit.code, row=known.source.row)
            self.error(unit.source, unit.column, message)

    def course(self, source: Source, cells: dict, headers: dict) -> None:
        errors_before = len(self.parsed.errors)
        course_code = text.code(cells.get("code"))
        self._check_identifier(source, headers["code"], course_code, 120)
        if course_code in self.course_codes:
            row = self.course_codes[course_code].row
            self.error(source, headers["code"], _("%(value)s is also on row %(row)d.", value=course_code, row=row))
        self.course_codes.setdefault(course_code, source)
        name, subject = text.name(cells.get("name")), text.name(cells.get("subject"))
        for field, value, longest in (("name", name, 200), ("subject", subject, 80)):
            if not value:
                self.error(source, headers[field], _("This value is required."))
            elif len(value) > longest:
                self.error(
                    source, headers[field], _("This value is too long (at most %(count)d characters).", count=longest)
                )
        course = CourseRow(course_code, name, subject, source, columns=headers)
        course.class_codes = set(text.split_list(cells.get("classes")))
        course.teacher_usernames = set(text.split_list(cells.get("teachers")))
        course.term_ref = self._term(source, headers, cells)
        if len(self.parsed.errors) == errors_before:
            self.parsed.courses.append(course)

    def _term(self, source, headers, cells) -> str | None:
        term_name = text.name(cells.get("term"))
        dates = {}
        for field in ("term_starts_on", "term_ends_on"):
            value = text.parse_date(cells.get(field))
            if value is False:
                self.error(source, headers[field], _("Write the date as YYYY-MM-DD."))
            dates[field] = value or None
        if not term_name:
            return None
        starts_on, ends_on = dates["term_starts_on"], dates["term_ends_on"]
        if (starts_on is None) != (ends_on is None):
            self.error(source, headers.get("term_ends_on", "term_ends_on"), _("Give both the first and last day."))
        elif starts_on and ends_on:
            if ends_on < starts_on:
                self.error(source, headers["term_ends_on"], _("The term ends before it starts."))
            term_code = text.code(term_name)
            known = self.terms.get(term_code)
            if known is None:
                term = TermRow(term_code, term_name, source, starts_on, ends_on)
                self.terms[term_code] = term
                self.parsed.terms.append(term)
            elif (known.starts_on, known.ends_on) != (starts_on, ends_on):
                message = _("%(code)s is described differently on row %(row)d.", code=term_name, row=known.source.row)
                self.error(source, headers["term_starts_on"], message)
        return text.code(term_name)

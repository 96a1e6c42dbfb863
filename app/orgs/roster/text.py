"""Reading the text of roster files as Chinese schools produce them.

Excel in China saves CSV as GBK, other tools as UTF-8 with or without a BOM; people type
codes with full-width digits (２０２３０１) and mix Chinese and English headers. Everything is
normalised here so the parsers compare plain values.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime

from flask_babel import gettext as _

from app.auth.models import Role
from app.orgs.models import Stage, stage_for_grade_number


class UnreadableFile(ValueError):
    """The file cannot be decoded or parsed at all; the message is translated."""


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) first, then GB 18030, the superset of GBK and GB 2312."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file is neither UTF-8 nor GBK text."))


def read_csv(data: bytes) -> list[list[str]]:
    text = decode(data)
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise UnreadableFile(_("The file is not valid CSV: %(reason)s", reason=str(error))) from error


def code(value) -> str:
    """An identifier (username, code): full-width forms folded (NFKC), spaces trimmed."""
    return unicodedata.normalize("NFKC", cell_text(value)).strip()


def name(value) -> str:
    """A person's or unit's name as typed, with runs of (full-width) spaces collapsed."""
    return " ".join(cell_text(value).replace("\u3000", " ").split())


def cell_text(value) -> str:
    """A CSV or XLSX cell as text; Excel stores 20230101 as a number and dates as datetimes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def header_key(value) -> str:
    """Headers compare without case, spaces, underscores or hyphens: `Class Code` == `class_code`."""
    return re.sub(r"[\s_\-]+", "", code(value).casefold())


def split_list(value) -> list[str]:
    """A list cell: items separated by commas, semicolons, 、 or line breaks (full-width ones too).

    Not by spaces: an English class code such as "Grade 7 Class 1" contains them.
    """
    return [item.strip() for item in re.split(r"[,;、\n]+", code(value)) if item.strip()]


def join_names(grade: str, klass: str) -> str:
    """七年级 + 1班 -> 七年级1班; Grade 7 + Class 1 -> Grade 7 Class 1."""
    if not grade or klass.startswith(grade):
        return klass
    return grade + (" " if grade[-1].isascii() and klass[:1].isascii() else "") + klass


_ROLE_WORDS = {
    Role.STUDENT: ("student", "students", "学生", "学员"),
    Role.TEACHER: ("teacher", "teachers", "教师", "老师", "任课教师"),
    Role.CLASS_TEACHER: ("classteacher", "homeroomteacher", "班主任"),
    Role.ACADEMIC_AFFAIRS: ("academicaffairs", "教务", "教务处", "教务人员"),
    Role.ADMIN: ("admin", "administrator", "管理员", "系统管理员"),
}
ROLE_BY_WORD = {word: role for role, words in _ROLE_WORDS.items() for word in words}


def parse_roles(value) -> tuple[set[Role], list[str]]:
    """The roles named in a cell, and the words that name no role."""
    roles, unknown = set(), []
    for item in split_list(value):
        # "class teacher" is one role; "教师 班主任" are two
        words = [item] if header_key(item) in ROLE_BY_WORD else item.split()
        for word in words:
            role = ROLE_BY_WORD.get(header_key(word))
            if role is None:
                unknown.append(word)
            else:
                roles.add(role)
    return roles, unknown


_STAGE_WORDS = {
    "primary12": Stage.PRIMARY_1_2,
    "primary36": Stage.PRIMARY_3_6,
    "小学低段": Stage.PRIMARY_1_2,
    "小学中高段": Stage.PRIMARY_3_6,
    "junior": Stage.JUNIOR,
    "初中": Stage.JUNIOR,
    "senior": Stage.SENIOR,
    "高中": Stage.SENIOR,
    "university": Stage.UNIVERSITY,
    "大学": Stage.UNIVERSITY,
    "高校": Stage.UNIVERSITY,
}


def parse_stage(value) -> Stage | None | bool:
    """A stage name or code; None when blank, False when not understood."""
    key = header_key(value)
    if not key:
        return None
    return _STAGE_WORDS.get(key, False)


_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SECTION_START = {"小": 0, "初": 6, "高": 9}


def guess_grade_number(grade_name: str) -> int | None:
    """7 from "7年级", "七年级", "初一", "Grade 7"; 12 from "高三"; None when unclear."""
    text = code(grade_name)
    match = re.search(r"(\d{1,2})", text)
    if match:
        return int(match.group(1))
    match = re.search(r"([一二三四五六七八九]|十[一二]?)年级", text)
    if match:
        numeral = match.group(1)
        return 10 + _CHINESE_DIGITS.get(numeral[1:], 0) if numeral.startswith("十") else _CHINESE_DIGITS[numeral]
    match = re.match(r"([小初高])([一二三四五六])", text)
    if match:
        return _SECTION_START[match.group(1)] + _CHINESE_DIGITS[match.group(2)]
    return None


def stage_for(grade_number: int | None, stage: Stage | None) -> Stage | None:
    if stage is not None:
        return stage
    if grade_number is not None and 1 <= grade_number <= 12:
        return stage_for_grade_number(grade_number)
    return None


def parse_date(value) -> date | None | bool:
    """An ISO date (2026-09-01, also 2026/9/1); None when blank, False when not a date."""
    text = code(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?", text)
    if not match:
        return False
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return False


def parse_bool(value) -> bool | None:
    key = header_key(value)
    if key in {"true", "1", "yes", "是"}:
        return True
    if key in {"false", "0", "no", "否"}:
        return False
    return None

"""The downloadable templates: a people table and a courses table, as CSV or one XLSX workbook.

Headers follow the viewer's language (both are accepted on import); the example rows show
every role and how courses name their classes and teachers. Built from `kexu_format`'s column
list, so a template can never drift from what the parser reads.
"""

from __future__ import annotations

import csv
import io

import openpyxl
from openpyxl.styles import Font

from app.orgs.roster.kexu_format import COURSE_COLUMNS, PEOPLE_COLUMNS

PEOPLE_FIELDS = ("username", "name", "roles", "grade", "grade_number", "class", "email", "timezone", "password")
COURSE_FIELDS = ("code", "name", "subject", "term", "term_starts_on", "term_ends_on", "classes", "teachers")

_EXAMPLES = {
    "zh": {
        "people": [
            ("T001", "王芳", "教师;班主任", "七年级", "7", "1班", "wangfang@example.edu.cn", "Asia/Shanghai", ""),
            ("T002", "李强", "教师", "", "", "", "", "", ""),
            ("20260101", "张三", "学生", "七年级", "7", "1班", "", "", ""),
            ("20260102", "欧阳娜娜", "学生", "七年级", "7", "2班", "", "", ""),
        ],
        "courses": [
            ("MATH7", "七年级数学", "数学", "2026秋季学期", "2026-09-01", "2027-01-20", "七年级1班;七年级2班", "T001"),
            ("CHN7-1", "七年级1班语文", "语文", "2026秋季学期", "2026-09-01", "2027-01-20", "七年级1班", "T002"),
        ],
        "sheets": ("人员", "课程"),
    },
    "en": {
        "people": [
            ("T001", "Fang Wang", "teacher;class_teacher", "Grade 7", "7", "Class 1", "fang@example.edu", "", ""),
            ("T002", "Qiang Li", "teacher", "", "", "", "", "", ""),
            ("20260101", "San Zhang", "student", "Grade 7", "7", "Class 1", "", "", ""),
            ("20260102", "Nana Ouyang", "student", "Grade 7", "7", "Class 2", "", "", ""),
        ],
        "courses": [
            (
                "MATH7",
                "Grade 7 Maths",
                "Maths",
                "Autumn 2026",
                "2026-09-01",
                "2027-01-20",
                "Grade 7 Class 1;Grade 7 Class 2",
                "T001",
            ),
            (
                "CHN7-1",
                "Grade 7 Class 1 Chinese",
                "Chinese",
                "Autumn 2026",
                "2026-09-01",
                "2027-01-20",
                "Grade 7 Class 1",
                "T002",
            ),
        ],
        "sheets": ("people", "courses"),
    },
}
TEMPLATE_NAMES = ("people.csv", "courses.csv", "roster.xlsx")


def _language(locale: str) -> str:
    return "zh" if str(locale).startswith("zh") else "en"


def _header(columns: dict, fields: tuple, language: str) -> list[str]:
    return [columns[field][1 if language == "zh" else 0] for field in fields]


def _table(kind: str, language: str) -> list[list[str]]:
    columns, fields = (PEOPLE_COLUMNS, PEOPLE_FIELDS) if kind == "people" else (COURSE_COLUMNS, COURSE_FIELDS)
    return [_header(columns, fields, language), *map(list, _EXAMPLES[language][kind])]


def template_csv(kind: str, locale: str) -> bytes:
    """A CSV template in UTF-8 with a BOM, which Excel needs to show Chinese correctly."""
    out = io.StringIO(newline="")
    csv.writer(out).writerows(_table(kind, _language(locale)))
    return out.getvalue().encode("utf-8-sig")


def template_xlsx(locale: str) -> bytes:
    """One workbook with a people sheet and a courses sheet; usernames are text (leading zeros stay)."""
    language = _language(locale)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for kind, title in zip(("people", "courses"), _EXAMPLES[language]["sheets"], strict=True):
        sheet = book.create_sheet(title)
        for row in _table(kind, language):
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            for cell in column:
                cell.number_format = "@"
            sheet.column_dimensions[column[0].column_letter].width = 18
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_file(name: str, locale: str) -> tuple[bytes, str]:
    """(content, mimetype) of a template by its download name."""
    if name == "roster.xlsx":
        return template_xlsx(locale), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return template_csv(name.removesuffix(".csv"), locale), "text/csv"

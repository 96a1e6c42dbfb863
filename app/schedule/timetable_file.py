"""Reading a timetable file (CSV or XLSX) into rows, and the downloadable templates.

Headers are matched loosely (case, spaces, "_", "-" and brackets ignored) and may be the
English keys or the Chinese headers of the template, so a file saved from either template is
read the same way. CSV files may be UTF-8 (with or without BOM) or GB 18030, as Excel in China
saves them. A problem with the file as a whole (not a timetable, unreadable, unknown or missing
columns) raises TimetableFileError; problems of single rows are the import's business.
"""

from __future__ import annotations

import csv
import io
import unicodedata

import openpyxl
from flask_babel import get_locale
from flask_babel import gettext as _

REQUIRED = ("course", "date", "start", "minutes")
# Column key -> Chinese header of the template (the English template uses the keys).
COLUMNS = {
    "course": "课程",
    "title": "标题",
    "date": "日期",
    "start": "开始时间",
    "minutes": "时长(分钟)",
    "classes": "班级",
    "weekdays": "星期",
    "until": "截止日期",
    "count": "次数",
    "join_url": "上课链接",
}
EXTRA_ALIASES = {
    "course": ("课程名称", "课程代码"),
    "date": ("首次日期", "开始日期"),
    "start": ("开始", "时间", "上课时间"),
    "minutes": ("时长", "分钟"),
    "weekdays": ("每周", "重复"),
    "until": ("结束日期",),
    "join_url": ("链接", "会议链接"),
}
EXAMPLES = {
    "en": ["MATH7", "Algebra", "2030-03-04", "09:00", "30", "7A;7B", "Mon;Wed", "", "8", "https://meeting.example/j/1"],
    "zh": [
        "七年级数学",
        "代数",
        "2030-03-04",
        "09:00",
        "30",
        "7A;7B",
        "周一;周三",
        "",
        "8",
        "https://meeting.example/j/1",
    ],
}
ROW_KEY = "_row"  # each row dict carries its row number as a spreadsheet shows it (header = 1)
FORMATS = ("csv", "xlsx")


class TimetableFileError(ValueError):
    """The file cannot be read as a timetable at all; the message is already translated."""


def _norm(header) -> str:
    text = unicodedata.normalize("NFKC", str(header or "")).strip().lower()
    return "".join(ch for ch in text if ch not in " _-()（）\t")


ALIASES = {
    _norm(alias): key for key, chinese in COLUMNS.items() for alias in (key, chinese, *EXTRA_ALIASES.get(key, ()))
}


def _chinese() -> bool:
    locale = get_locale()
    return bool(locale) and locale.language == "zh"


def column_label(key: str | None) -> str:
    """A column as the viewer's template names it."""
    if not key:
        return ""
    return COLUMNS.get(key, key) if _chinese() else key


def file_format(name: str) -> str | None:
    suffix = (name or "").rsplit(".", 1)[-1].lower() if "." in (name or "") else ""
    return suffix if suffix in FORMATS else None


def _csv_values(data: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TimetableFileError(_("The file is neither UTF-8 nor GB 18030 text; save it again as CSV UTF-8."))
    try:
        return list(csv.reader(io.StringIO(text)))
    except csv.Error:
        raise TimetableFileError(_("The file is not a readable CSV file.")) from None


def _xlsx_values(data: bytes) -> list[list]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        values = [[cell if cell is not None else "" for cell in row] for row in book.active.iter_rows(values_only=True)]
        book.close()
    except Exception:  # openpyxl raises zip, XML and key errors for a file that is not a workbook
        raise TimetableFileError(_("The file is not a readable XLSX workbook.")) from None
    return values


def _header(cells: list) -> list[str | None]:
    keys, unknown, seen = [], [], set()
    for cell in cells:
        text = str(cell).strip()
        key = ALIASES.get(_norm(text)) if text else None
        if text and key is None:
            unknown.append(text)
        if key is not None and key in seen:
            raise TimetableFileError(_("The column %(column)s appears twice in the header row.", column=text))
        seen.add(key)
        keys.append(key)
    if unknown:
        accepted = ", ".join(column_label(key) for key in COLUMNS)
        raise TimetableFileError(
            _(
                "The header row has unknown columns: %(columns)s. Columns are: %(accepted)s.",
                columns=", ".join(unknown),
                accepted=accepted,
            )
        )
    missing = [column_label(key) for key in REQUIRED if key not in seen]
    if missing:
        raise TimetableFileError(_("The header row lacks the columns: %(columns)s.", columns=", ".join(missing)))
    return keys


def read_rows(name: str, data: bytes) -> list[dict]:
    """Rows as dicts keyed by column key, blank rows skipped, each with its row number (ROW_KEY)."""
    kind = file_format(name)
    if kind is None:
        raise TimetableFileError(_("Upload a CSV or XLSX file (a name ending in .csv or .xlsx)."))
    if not data.strip():
        raise TimetableFileError(_("The file is empty."))
    values = _xlsx_values(data) if kind == "xlsx" else _csv_values(data)
    # A sheet may start lower down; row numbers stay the sheet's own.
    first = next((index for index, cells in enumerate(values) if any(str(c).strip() for c in cells)), None)
    if first is None:
        raise TimetableFileError(_("The file is empty."))
    keys = _header(values[first])
    rows = []
    for number, cells in enumerate(values[first + 1 :], start=first + 2):
        if not any(str(cell).strip() for cell in cells):
            continue
        row = {key: cell for key, cell in zip(keys, cells, strict=False) if key}
        row[ROW_KEY] = number
        rows.append(row)
    return rows


def template_file(kind: str) -> tuple[bytes, str]:
    """The template in the viewer's language: the header row and one example row."""
    chinese = _chinese()
    header = [COLUMNS[key] if chinese else key for key in COLUMNS]
    example = EXAMPLES["zh" if chinese else "en"]
    if kind == "xlsx":
        book = openpyxl.Workbook()
        book.active.append(header)
        book.active.append(example)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([header, example])
    # A BOM, so Excel opens the Chinese headers as UTF-8.
    return ("\ufeff" + text.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"

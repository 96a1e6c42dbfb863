"""Attendance sheet serializers (CSV and XLSX), kept apart from the handlers: they take rows
and return bytes. Times are written in the viewer's zone, statuses in the viewer's language."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "present": _l("Present"),
    "late": _l("Late"),
    "left_early": _l("Left early"),
    "absent": _l("Absent"),
    "excused": _l("Excused"),
    "made_up": _l("Made up"),
}


def columns() -> list[str]:
    return [
        str(_l("Student")),
        str(_l("Username")),
        str(_l("Status")),
        str(_l("First join")),
        str(_l("Last leave")),
        str(_l("Minutes present")),
        str(_l("Checked in")),
        str(_l("Hand raises")),
        str(_l("Chat messages")),
        str(_l("Poll answers")),
        str(_l("Reason")),
    ]


def _time(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def sheet_rows(records, zone: ZoneInfo) -> list[list]:
    """One list per record, in the order of `columns()`."""
    return [
        [
            record.student.name,
            record.student.username,
            str(STATUS_LABELS.get(record.status, record.status)),
            _time(record.first_join, zone),
            _time(record.last_leave, zone),
            record.minutes_present,
            str(_l("yes")) if record.checked_in else str(_l("no")),
            record.hand_raises,
            record.chat_messages,
            record.poll_answers,
            record.override_reason or "",
        ]
        for record in records
    ]


def _safe_cell(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(records, zone: ZoneInfo) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns())
    for row in sheet_rows(records, zone):
        writer.writerow([_safe_cell(value) for value in row])
    # With a BOM, spreadsheet programs open UTF-8 Chinese names correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(records, zone: ZoneInfo, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = (title or "attendance")[:31].translate({ord(c): "_" for c in "[]:*?/\\"})
    sheet.append(columns())
    for row in sheet_rows(records, zone):
        sheet.append([_safe_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

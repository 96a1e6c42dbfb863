"""Report tables as CSV and XLSX, kept apart from the handlers (as redash's
serializers/query_result.py): pages, the API and the daily report share these functions.

`filters` is a list of (label, value) pairs (report.filter_lines) written above the table.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.reports.report import Table

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMN_WIDTH = 50


def cell_value(value, kind: str):
    """A value as written to a file: percents as rounded fractions' percentages, dates ISO."""
    if value is None:
        return ""
    if kind == "percent":
        return round(float(value) * 100, 1)
    if kind == "minutes":
        return round(float(value), 1)
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    return value


def _header(column) -> str:
    label = str(column.label)
    return f"{label} (%)" if column.kind == "percent" else label


def _rows(table: Table):
    yield [_header(c) for c in table.columns]
    for row in table.rows:
        yield [cell_value(row.get(c.key), c.kind) for c in table.columns]
    if table.totals:
        yield [cell_value(table.totals.get(c.key), c.kind) for c in table.columns]


def to_csv(table: Table, filters=()) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    for label, value in filters:
        writer.writerow([f"{label}: {value}"])
    if filters:
        writer.writerow([])
    for line in _rows(table):
        writer.writerow(line)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _width(value) -> int:
    text = str(value)
    # East Asian wide characters take two columns.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", str(title)).strip()[:28] or "Sheet"
    name, number = base, 2
    while name in taken:
        name = f"{base[:26]} {number}"
        number += 1
    taken.add(name)
    return name


def to_xlsx(tables: list[Table], filters=()) -> bytes:
    """One sheet per table: the filter lines, a blank line, the header row (frozen), the rows
    and the totals row."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        widths = [_width(_header(c)) for c in table.columns]
        for line in _rows(table):
            for index, value in enumerate(line):
                widths[index] = max(widths[index], _width(value))
            if len(widths) > 50_000:
                break
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(MAX_COLUMN_WIDTH, max(8, width + 2))
        header_row = len(filters) + (2 if filters else 1)
        sheet.freeze_panes = f"A{header_row + 1}"
        for label, value in filters:
            sheet.append([f"{label}: {value}"])
        if filters:
            sheet.append([])
        for number, line in enumerate(_rows(table)):
            if number == 0:
                sheet.append([_bold_cell(sheet, value, bold) for value in line])
            else:
                sheet.append(line)
    if not tables:
        workbook.create_sheet("Sheet")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _bold_cell(sheet, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def ascii_filename(filename: str) -> str:
    """An ASCII stand-in for old clients: non-ASCII letters dropped, spaces kept as _."""
    name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_.")
    stem, dot, ext = filename.rpartition(".")
    if not name or name.startswith(ext) or name == ext:
        name = f"report.{ext}" if dot else "report"
    return name


def content_disposition(filename: str) -> str:
    """RFC 6266/5987: an ASCII fallback plus filename*=UTF-8''... for Chinese names."""
    return f"attachment; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download_response(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Content-Length"] = str(len(data))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def export_filename(title: str, scope_label: str, first: date, last: date, ext: str) -> str:
    """e.g. "出勤 - 初一(1)班 - 2026-03-02_2026-03-08.xlsx"."""
    clean = re.sub(r'[\\/:*?"<>|\r\n]+', " ", f"{title} - {scope_label}").strip()
    return f"{clean} - {first.isoformat()}_{last.isoformat()}.{ext}"

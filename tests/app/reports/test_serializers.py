"""CSV and XLSX exports: Excel-friendly encoding, filters above, frozen header, Chinese file names."""

import csv
import io
from urllib.parse import unquote

from openpyxl import load_workbook

from app.reports.report import Column, Table
from app.reports.serializers import content_disposition, download_response, to_csv, to_xlsx

TABLE = Table(
    "students",
    "学生",
    [Column("name", "姓名", "text"), Column("slots", "课次", "int"), Column("rate", "出勤率", "percent")],
    [{"name": "张三", "slots": 10, "rate": 0.9}, {"name": "李四", "slots": 8, "rate": None}],
    {"name": "合计", "slots": 18, "rate": 0.8},
)
FILTERS = [("范围", "初一(1)班"), ("从", "2026-03-01")]


def test_csv_starts_with_a_bom_and_writes_filters_then_the_table():
    data = to_csv(TABLE, FILTERS)
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["范围: 初一(1)班"] and rows[2] == []
    assert rows[3] == ["姓名", "课次", "出勤率 (%)"]
    assert rows[4] == ["张三", "10", "90.0"] and rows[5] == ["李四", "8", ""]
    assert rows[6][0] == "合计"


def test_xlsx_has_filters_above_a_frozen_bold_header_and_wide_enough_columns():
    book = load_workbook(io.BytesIO(to_xlsx([TABLE, TABLE], FILTERS)))
    assert book.sheetnames == ["学生", "学生 2"]
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "范围: 初一(1)班"
    assert [c.value for c in sheet[4]] == ["姓名", "课次", "出勤率 (%)"] and sheet["A4"].font.bold
    assert sheet.freeze_panes == "A5"
    assert sheet["C5"].value == 90.0 and sheet["B6"].value == 8
    assert sheet.column_dimensions["A"].width >= 8


def test_chinese_file_names_download_with_an_ascii_fallback(app):
    header = content_disposition("出勤 - 初一(1)班 - 2026-03-01_2026-03-07.csv")
    fallback, encoded = header.split("; ")[1], header.split("; ")[2]
    assert fallback.isascii() and fallback.endswith('.csv"')
    assert unquote(encoded.removeprefix("filename*=UTF-8''")) == "出勤 - 初一(1)班 - 2026-03-01_2026-03-07.csv"
    with app.test_request_context():
        response = download_response(b"x", "报表.xlsx", "application/octet-stream")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="report.xlsx"')

"""A Report as JSON, CSV (one table) or XLSX (every table), with its filters written above; shared
by the API, the pages and the daily report. Bytes out, no request handling here."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.reports import serializers
from app.reports.report import Report, ReportError, Scope, filter_lines, scope_label

FORMATS = ("json", "csv", "xlsx")


def _value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Scope):
        return value.args()
    return value


def as_json(report: Report) -> dict:
    scope = report.scope
    return {
        "name": report.name,
        "title": str(report.title),
        "scope": {**scope.args(), "label": scope_label(scope)},
        # Days whose figures are being rebuilt: until then they may miss a recent change.
        "rebuilding": [{"from": first.isoformat(), "to": last.isoformat()} for first, last in report.rebuilding],
        "figures": [
            {"key": f.key, "label": str(f.label), "value": f.value, "kind": f.kind, "drill": f.drill}
            for f in report.figures
        ],
        "tables": [
            {
                "name": t.name,
                "title": str(t.title),
                "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in t.columns],
                "rows": [{key: _value(value) for key, value in row.items()} for row in t.rows],
                "totals": {key: _value(value) for key, value in t.totals.items()} if t.totals else None,
            }
            for t in report.tables
        ],
        "charts": [
            {
                "name": c.name,
                "title": str(c.title),
                "kind": c.kind,
                "labels": list(c.labels),
                "series": [{"label": str(s.label), "values": list(s.values)} for s in c.series],
                "table": c.table,
            }
            for c in report.charts
        ],
    }


def report_filters(report: Report) -> list[tuple[str, str]]:
    return [(_("Report"), str(report.title)), *filter_lines(report)]


def table_of(report: Report, name: str | None):
    if not name:
        return report.tables[0]
    table = report.table(name)
    if table is None:
        raise ReportError("table", _("This report has no such table."))
    return table


def export(report: Report, fmt: str, table: str | None = None) -> tuple[bytes, str, str]:
    """(data, file name, mimetype) of the report as CSV (one table) or XLSX (every table, or one)."""
    scope = report.scope
    if fmt == "csv":
        chosen = table_of(report, table)
        data = serializers.to_csv(chosen, report_filters(report))
        title = f"{report.title} {chosen.title}" if len(report.tables) > 1 else str(report.title)
        name = serializers.export_filename(title, scope_label(scope), scope.first, scope.last, "csv")
        return data, name, serializers.CSV_MIMETYPE
    if fmt == "xlsx":
        tables = [table_of(report, table)] if table else report.tables
        data = serializers.to_xlsx(tables, report_filters(report))
        name = serializers.export_filename(str(report.title), scope_label(scope), scope.first, scope.last, "xlsx")
        return data, name, serializers.XLSX_MIMETYPE
    raise ReportError("format", _("Choose json, csv or xlsx."))

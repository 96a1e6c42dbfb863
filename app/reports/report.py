"""What a report is (figures, tables, charts for one scope and date range) and how to get one.

Pages, the API, exports and the daily report all go through `build_report(name, scope)` and
`dashboard(scope)`; the builders (app/reports/builders/) read only the rollup tables and a few
small lookups, so a whole school's week is answered from a few thousand rows.

Beside this module: permissions.visible_scopes(user) and the rules "reports.view" (a Scope) and
"reports.daily.view" (a school); exports.export(report, "csv"|"xlsx", table) -> (bytes, file
name, mimetype) and exports.as_json(report); serializers.to_csv / to_xlsx / download_response;
daily.daily_reports(school_id) and daily.daily_report_file(daily_report) -> (bytes, file name,
mimetype); rollups.refresh_rollups(school_id, first, last). On the dashboard a Figure's `drill`
names the report it opens; in a report it names one of the report's tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

SCOPE_KINDS = ("school", "stage", "grade", "class", "course", "teacher", "student")
COLUMN_KINDS = ("text", "int", "percent", "minutes", "date")
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 7


class ReportError(ValueError):
    """Bad report input: `field` names the query argument, `message` is translated."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Scope:
    """Whose figures (a school, a unit, a course, a teacher or a student) over which local days
    (both inclusive)."""

    school_id: int
    kind: str
    id: int
    first: date
    last: date

    def args(self) -> dict:
        """Query-string arguments (url_for(..., **scope.args()))."""
        return {"scope": self.kind, "id": self.id, "from": self.first.isoformat(), "to": self.last.isoformat()}

    def with_kind(self, kind: str, id: int) -> Scope:
        return Scope(self.school_id, kind, id, self.first, self.last)

    def with_days(self, first: date, last: date) -> Scope:
        return Scope(self.school_id, self.kind, self.id, first, last)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @classmethod
    def parse(cls, args, user, now: datetime | None = None) -> Scope:
        """The scope from query arguments `scope`, `id`, `from`, `to`; defaults to the widest
        scope the user may see and the last 7 local days. Raises ReportError. Whether the user
        may see the scope is asked separately: can(user, "reports.view", scope)."""
        from app.reports.scopes import parse_scope

        return parse_scope(cls, args, user, now)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # one of COLUMN_KINDS


@dataclass
class Table:
    """Rows are dicts keyed by column key. A row may carry "_drill" (the Scope one level below)
    and "_label" (the text of the row's link). Percent values are fractions 0..1 or None."""

    name: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    totals: dict | None = None


@dataclass
class Series:
    label: str
    values: list


@dataclass
class Chart:
    """A chart always has a table with the same numbers (`table` is that table's name)."""

    name: str
    title: str
    kind: str  # "line" | "bar"
    labels: list
    series: list[Series]
    table: str | None = None


@dataclass
class Figure:
    key: str
    label: str
    value: object
    kind: str = "int"  # one of COLUMN_KINDS
    drill: str | None = None  # name of the table of the report this figure opens


@dataclass
class Report:
    name: str
    title: str
    scope: Scope
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    # (first, last) local days of the scope whose rollups wait for a rebuild (app/reports/stale.py).
    rebuilding: list[tuple[date, date]] = field(default_factory=list)

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


REPORT_TITLES = {
    "delivery": _l("Lesson delivery"),
    "attendance": _l("Attendance"),
    "at-risk": _l("Students at risk"),
    "study-time": _l("Study-time compliance"),
    "resources": _l("Resource use"),
    "teachers": _l("Teacher activity"),
}


def _builders() -> dict[str, Callable[[Scope], Report]]:
    from app.reports.builders import BUILDERS

    return BUILDERS


class _Registry(dict):
    """name -> builder, filled on first use so builders may import this module."""

    def _fill(self):
        if not dict.__len__(self):
            self.update(_builders())

    def __getitem__(self, key):
        self._fill()
        return dict.__getitem__(self, key)

    def __contains__(self, key):
        self._fill()
        return dict.__contains__(self, key)

    def __iter__(self):
        self._fill()
        return dict.__iter__(self)

    def __len__(self):
        self._fill()
        return dict.__len__(self)

    def keys(self):
        self._fill()
        return dict.keys(self)

    def items(self):
        self._fill()
        return dict.items(self)

    def values(self):
        self._fill()
        return dict.values(self)

    def get(self, key, default=None):
        self._fill()
        return dict.get(self, key, default)


REPORTS: dict[str, Callable[[Scope], Report]] = _Registry()
REPORT_NAMES = tuple(REPORT_TITLES)


def build_report(name: str, scope: Scope) -> Report:
    if name not in REPORTS:
        raise ReportError("report", _("Unknown report."))
    return _with_rebuilding(REPORTS[name](scope))


def _with_rebuilding(report: Report) -> Report:
    from app.reports.stale import stale_ranges

    scope = report.scope
    report.rebuilding = stale_ranges(scope.school_id, scope.first, scope.last)
    return report


def dashboard(scope: Scope) -> Report:
    """The headline figures of all six reports and their trends by day."""
    from app.reports.builders.dashboard import build_dashboard

    return _with_rebuilding(build_dashboard(scope))


def scope_label(scope: Scope) -> str:
    """What the scope is, for headings and the filter lines of exports."""
    from app.reports.scopes import label_of

    return label_of(scope)


def filter_lines(report_or_scope) -> list[tuple[str, str]]:
    """(label, value) pairs describing the filters, written above exported tables (and the days
    being rebuilt, when there are any)."""
    scope = getattr(report_or_scope, "scope", report_or_scope)
    from app.reports.scopes import kind_label

    lines = [
        (_("Scope"), f"{kind_label(scope.kind)}: {scope_label(scope)}"),
        (pgettext("date range", "From"), scope.first.isoformat()),
        (pgettext("date range", "To"), scope.last.isoformat()),
    ]
    rebuilding = getattr(report_or_scope, "rebuilding", None)
    if rebuilding:
        lines.append((_("Being rebuilt"), rebuilding_text(rebuilding)))
    return lines


def rebuilding_text(ranges) -> str:
    """The days being rebuilt, e.g. "2026-09-01 – 2026-12-18"."""
    return "; ".join(a.isoformat() if a == b else f"{a.isoformat()} – {b.isoformat()}" for a, b in ranges)

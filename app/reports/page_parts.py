"""What the report pages show besides the numbers: formatted values, chart data for the page
script, the scope picker's choices, links from figures and rows, and breadcrumbs back up."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from functools import lru_cache

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import g, request, url_for
from flask_babel import format_date, get_locale, pgettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import Role, User
from app.core.permissions import can
from app.extensions import db
from app.orgs.models import Course, OrgUnit, class_membership, course_class, course_teacher
from app.reports.report import REPORT_NAMES, REPORT_TITLES, SCOPE_KINDS, Chart, Figure, Scope, Table, rebuilding_text
from app.reports.report import scope_label as label_of_scope
from app.reports.scopes import kind_label

NO_VALUE = "—"


@lru_cache(maxsize=8)
def _symbols(locale_name: str) -> tuple[str, str]:
    return get_group_symbol(locale_name), get_decimal_symbol(locale_name)


def _number(value, decimals: int, trim: bool = False) -> str:
    """Grouped and rounded with the locale's symbols. Babel's format_* look the symbols up again
    for every number, which dominated the rendering of a page of tables."""
    text = f"{float(value):,.{decimals}f}"
    if trim and decimals:
        text = text.rstrip("0").rstrip(".")
    symbols = g.get("report_number_symbols")
    if symbols is None:  # asking Flask-Babel for the locale costs as much as formatting
        symbols = g.report_number_symbols = _symbols(str(get_locale() or "en"))
    group, decimal = symbols
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def report_value(value, kind: str = "int") -> str:
    """A figure or cell as text in the viewer's language; percents are fractions 0..1 (shown as
    "65.4%", the placement both of our languages use)."""
    if value is None or value == "":
        return NO_VALUE
    if kind == "percent":
        return _number(float(value) * 100, 1) + "%"
    if kind == "minutes":
        return _("%(minutes)s min", minutes=_number(round(float(value)), 0))
    if kind == "date" and isinstance(value, date):
        return format_date(value, "medium")
    if kind in ("int", "number") and isinstance(value, int | float):
        return _number(value, 1, trim=True)
    return str(value)


def series_kinds(chart: Chart, table: Table | None) -> list[str]:
    """Each series' kind, from the column of the chart's table that has the series' label."""
    kinds = {str(column.label): column.kind for column in table.columns} if table else {}
    return [kinds.get(str(series.label), "int") for series in chart.series]


def chart_json(chart: Chart, table: Table | None = None) -> str:
    """The chart as the page script reads it from the canvas's data-chart attribute; percents
    (fractions in the report) are drawn as 0-100."""
    kinds = series_kinds(chart, table)
    percent = bool(kinds) and all(kind == "percent" for kind in kinds)

    def values(series, kind):
        if kind != "percent":
            return list(series.values)
        return [None if value is None else round(float(value) * 100, 1) for value in series.values]

    return json.dumps(
        {
            "kind": chart.kind,
            "unit": "%" if percent else "",
            "labels": [str(label) for label in chart.labels],
            "series": [
                {"label": str(series.label), "values": values(series, kind)}
                for series, kind in zip(chart.series, kinds, strict=True)
            ],
        },
        ensure_ascii=False,
        default=str,
    )


def chart_axis_label(chart: Chart) -> str:
    return _("Day") if chart.kind == "line" else _("Group")


def drill_url(scope: Scope) -> str:
    """The page being shown, for the scope one level below."""
    return url_for(request.endpoint, **(request.view_args or {}), **scope.args())


def may_see_daily(user) -> bool:
    """Stored daily reports are the whole school's: academic affairs and administrators."""
    return bool(user.is_authenticated and user.school_id and can(user, "reports.daily.view", user.school_id))


def report_tabs(scope: Scope | None) -> list[tuple[str, str, str]]:
    """(tab, label, url): the overview, each report for the same scope, the daily reports."""
    args = scope.args() if scope else {}
    tabs = [("dashboard", _("Overview"), url_for("reports.dashboard_page", **args))]
    for name in REPORT_NAMES:
        tabs.append((name, str(REPORT_TITLES[name]), url_for("reports.report_page", name=name, **args)))
    if may_see_daily(current_user):
        tabs.append(("daily", _("Daily reports"), url_for("reports.daily")))
    return tabs


def install_template_helpers(bp) -> None:
    bp.add_app_template_global(report_tabs, "report_tabs")
    bp.add_app_template_filter(report_value, "report_value")
    bp.add_app_template_global(chart_json, "chart_json")
    bp.add_app_template_global(chart_axis_label, "chart_axis_label")
    bp.add_app_template_global(series_kinds, "series_kinds")
    bp.add_app_template_global(drill_url, "drill_url")
    bp.add_app_template_global(rebuilding_text, "rebuilding_text")


PAGE_ROWS = 100  # rows of a table shown at once; downloads always hold every row
PAGE_KEPT = ("scope", "id", "from", "to")


def paginate(table: Table, page_arg: str | None) -> tuple[Table, dict | None]:
    """The table cut to one page of rows (totals stay those of every row) and the paging links;
    the page is the `<table>_page` query argument, anything unreadable is the first page."""
    total = len(table.rows)
    if total <= PAGE_ROWS:
        return table, None
    pages = (total + PAGE_ROWS - 1) // PAGE_ROWS
    try:
        page = min(max(int(page_arg or 1), 1), pages)
    except ValueError:
        page = 1
    start = (page - 1) * PAGE_ROWS
    key = f"{table.name}_page"

    def link(number: int) -> str:
        kept = {name: value for name, value in request.args.items() if name in PAGE_KEPT or name.endswith("_page")}
        args = {**kept, key: number}
        return url_for(request.endpoint, **(request.view_args or {}), **args) + f"#table-{table.name}"

    paging = {
        "first": start + 1,
        "last": min(start + PAGE_ROWS, total),
        "total": total,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
    }
    return replace(table, rows=table.rows[start : start + PAGE_ROWS]), paging


def field_label(field: str) -> str:
    """The name of a filter as the form shows it, for error messages."""
    return {
        "from": pgettext("date range", "From"),
        "to": pgettext("date range", "To"),
        "scope": _("Scope"),
        "id": _("Scope"),
        "report": _("Report"),
    }.get(field, field)


def scope_choices(visible: list[tuple[str, int, str]], current: Scope | None) -> list[tuple[str, str]]:
    """("kind:id", "Kind: name") for the picker; the scope being shown is always among them."""

    # Translated once, not once an option: a school has hundreds of scopes and each gettext
    # call costs about as much as the rest of building the option.
    pattern = _("%(kind)s: %(name)s")
    kinds = {kind: kind_label(kind) for kind in SCOPE_KINDS}

    def text(kind: str, name: str) -> str:
        return pattern % {"kind": kinds.get(kind, kind), "name": name}

    choices = [(f"{kind}:{ident}", text(kind, name)) for kind, ident, name in visible]
    if current is not None:
        key = f"{current.kind}:{current.id}"
        if key not in {choice[0] for choice in choices}:
            choices.insert(0, (key, text(current.kind, label_of_scope(current))))
    return choices


def figure_url(figure: Figure, scope: Scope) -> str | None:
    """A dashboard figure opens its report ("delivery") or a table of it ("delivery:by_day")."""
    if not figure.drill:
        return None
    name, _sep, table = figure.drill.partition(":")
    if name not in REPORT_NAMES:
        return None
    url = url_for("reports.report_page", name=name, **scope.args())
    return f"{url}#table-{table}" if table else url


# --- breadcrumbs ----------------------------------------------------------------------------


def _unit_chain(unit_id: int | None, school_id: int) -> list[Scope]:
    """(kind, id) from the school down to the unit."""
    chain = []
    seen = set()
    while unit_id is not None and unit_id not in seen:
        seen.add(unit_id)
        unit = db.session.get(OrgUnit, unit_id)
        if unit is None:
            break
        kind = "stage" if str(unit.kind) == "department" else str(unit.kind)
        chain.append((kind, unit.id))
        unit_id = unit.parent_id
    chain.reverse()
    if not chain or chain[0] != ("school", school_id):
        chain.insert(0, ("school", school_id))
    return chain


def _student_classes(student_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(class_membership.c.class_id)
            .where(class_membership.c.user_id == student_id)
            .order_by(class_membership.c.class_id)
        )
    )


def _teaching_chain(user, student_id: int) -> list[tuple[str, int]]:
    """For a teacher who cannot see the student's class: their course that has the student."""
    course_id = db.session.scalar(
        select(course_teacher.c.course_id)
        .join(course_class, course_class.c.course_id == course_teacher.c.course_id)
        .join(class_membership, class_membership.c.class_id == course_class.c.class_id)
        .where(course_teacher.c.user_id == user.id, class_membership.c.user_id == student_id)
        .order_by(course_teacher.c.course_id)
    )
    return [("teacher", user.id), ("course", course_id)] if course_id else []


def _chain(user, scope: Scope) -> list[tuple[str, int]]:
    if scope.kind in ("school", "stage", "grade", "class"):
        return _unit_chain(scope.id, scope.school_id)
    if scope.kind == "course":
        course = db.session.get(Course, scope.id)
        teacher_id = next((t.id for t in course.teachers if t.id == user.id), None) if course else None
        above = [("teacher", teacher_id)] if teacher_id else [("school", scope.school_id)]
        return [*above, ("course", scope.id)]
    if scope.kind == "teacher":
        return [("school", scope.school_id), ("teacher", scope.id)]
    classes = _student_classes(scope.id)
    chain = _unit_chain(classes[0], scope.school_id) if classes else [("school", scope.school_id)]
    if len(classes) > 1:
        led = user.scoped_unit_ids(Role.CLASS_TEACHER)
        preferred = next((c for c in classes if c in led), None)
        if preferred:
            chain = _unit_chain(preferred, scope.school_id)
    viewable = [link for link in chain if can(user, "reports.view", scope.with_kind(*link))]
    if not viewable:
        chain = _teaching_chain(user, scope.id)
    return [*chain, ("student", scope.id)]


def _name(kind: str, ident: int) -> str:
    if kind in ("school", "stage", "grade", "class"):
        unit = db.session.get(OrgUnit, ident)
        return unit.name if unit else str(ident)
    if kind == "course":
        course = db.session.get(Course, ident)
        return course.name if course else str(ident)
    person = db.session.get(User, ident)
    return person.name if person else str(ident)


def breadcrumbs(user, scope: Scope, endpoint: str, **values) -> list[tuple[str, str]]:
    """(label, url) from the widest scope the user may see down to `scope` (shown last)."""
    crumbs = []
    for kind, ident in _chain(user, scope):
        link = scope.with_kind(kind, ident)
        is_current = (kind, ident) == (scope.kind, scope.id)
        if is_current or can(user, "reports.view", link):
            crumbs.append((_name(kind, ident), url_for(endpoint, **values, **link.args())))
        if is_current:
            break
    return crumbs

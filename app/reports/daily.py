"""The daily report: one XLSX per school and local day (the dashboard's figures, then every
report's tables for the whole school), stored through app/core/storage and listed for download.

Generating is idempotent: the object key is fixed per school and day, so a second run replaces
the file and updates the one DailyReport row; nothing is left behind. Each morning, after
REPORTS_DAILY_HOUR (school time), the previous day is due: the server process checks every
REPORTS_DAILY_CHECK_SECONDS (a periodic job, app/core/periodic.py), or cron runs `flask reports daily --due`.
"""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.models import utcnow
from app.core.storage import get_storage
from app.extensions import db
from app.orgs.models import OrgUnit, UnitKind
from app.reports import serializers
from app.reports.exports import report_filters
from app.reports.models import DailyReport
from app.reports.report import REPORT_NAMES, Column, Scope, Table, build_report, dashboard
from app.reports.rollups import refresh_rollups
from app.reports.settings import setting
from app.reports.stale import WEEK, rebuild_stale, schools_with_stale_days
from app.schedule.loading import school_timezone
from app.schedule.policy_index import zone

log = logging.getLogger(__name__)


def storage_key(school_id: int, day: date) -> str:
    return f"reports/daily/{school_id}/{day.isoformat()}.xlsx"


def daily_filename(report: DailyReport) -> str:
    school = db.session.get(OrgUnit, report.school_id)
    return f"{_('Daily report')} - {school.name if school else report.school_id} - {report.day.isoformat()}.xlsx"


def _figures_table(report) -> Table:
    rows = [{"figure": str(f.label), "value": _figure_value(f)} for f in report.figures]
    columns = [Column("figure", _("Figure"), "text"), Column("value", _("Value"), "text")]
    return Table("figures", _("Summary"), columns, rows, None)


def _figure_value(figure):
    if figure.value is None:
        return ""
    if figure.kind == "percent":
        return f"{float(figure.value) * 100:.1f}%"
    return figure.value


def workbook_bytes(school_id: int, day: date) -> bytes:
    scope = Scope(school_id, "school", school_id, day, day)
    summary = dashboard(scope)
    tables = [_figures_table(summary)]
    for name in REPORT_NAMES:
        report = build_report(name, scope)
        tables += [replace(t, title=f"{report.title} {t.title}") for t in report.tables if t.name != "by_day"]
    return serializers.to_xlsx(tables, report_filters(replace(summary, title=_("Daily report"))))


def generate_daily_report(school_id: int, day: date, refresh: bool = True) -> DailyReport:
    """(Re)build the school's rollups for `day`, write its XLSX and record it. Flush, not commit."""
    if refresh:
        refresh_rollups(school_id, day, day)
    # A stored file has no viewer: it speaks the deployment's default language.
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE") or "zh_Hans_CN"):
        data = workbook_bytes(school_id, day)
    key = storage_key(school_id, day)
    stored = get_storage().put(key, io.BytesIO(data), serializers.XLSX_MIMETYPE)
    report = db.session.scalar(select(DailyReport).where(DailyReport.school_id == school_id, DailyReport.day == day))
    if report is None:
        report = DailyReport(school_id=school_id, day=day, storage_key=key, size=stored.size, generated_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(report)
        except IntegrityError:  # another process recorded it a moment ago: same key, same file
            report = db.session.scalar(
                select(DailyReport).where(DailyReport.school_id == school_id, DailyReport.day == day)
            )
    if report.storage_key != key:
        get_storage().delete(report.storage_key)
    report.storage_key, report.size, report.generated_at = key, stored.size, utcnow()
    db.session.flush()
    return report


def yesterday(school_id: int, now: datetime | None = None) -> date:
    now = now or utcnow()
    return now.astimezone(zone(school_timezone(school_id))).date() - timedelta(days=1)


def schools() -> list[int]:
    return list(db.session.scalars(select(OrgUnit.id).where(OrgUnit.kind == UnitKind.SCHOOL).order_by(OrgUnit.id)))


def due_schools(now: datetime | None = None) -> list[tuple[int, date]]:
    """(school, day) pairs whose previous day has no report yet and whose morning hour passed."""
    now = now or utcnow()
    hour = int(setting("REPORTS_DAILY_HOUR"))
    due = []
    for school_id in schools():
        local_now = now.astimezone(zone(school_timezone(school_id)))
        day = local_now.date() - timedelta(days=1)
        if local_now.hour < hour:
            continue
        exists = db.session.scalar(
            select(DailyReport.id).where(DailyReport.school_id == school_id, DailyReport.day == day)
        )
        if exists is None:
            due.append((school_id, day))
    return due


def run_due(now: datetime | None = None, stale_days: int | None = WEEK) -> list[DailyReport]:
    """Generate every due daily report, then rebuild days waiting for a rebuild (at most
    `stale_days` a school, so the in-process check never holds a serving process long; None:
    all), one commit per school (a failing school is logged)."""
    done = []
    for school_id, day in due_schools(now):
        try:
            done.append(generate_daily_report(school_id, day))
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("daily report of school %s for %s failed", school_id, day)
    for school_id in schools_with_stale_days():
        try:
            rebuild_stale(school_id, stale_days)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("rebuilding the waiting days of school %s failed", school_id)
    return done


def daily_reports(school_id: int, limit: int = 60) -> list[DailyReport]:
    """The school's stored daily reports, newest day first."""
    return list(
        db.session.scalars(
            select(DailyReport).where(DailyReport.school_id == school_id).order_by(DailyReport.day.desc()).limit(limit)
        )
    )


def daily_report_file(report: DailyReport) -> tuple[bytes, str, str]:
    """(data, file name, mimetype) of a stored daily report, for serializers.download_response."""
    return get_storage().read(report.storage_key), daily_filename(report), serializers.XLSX_MIMETYPE

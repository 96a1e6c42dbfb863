"""`flask reports daily [--date YYYY-MM-DD] [--school ID] [--due]` and `flask reports refresh`.
Each school is its own unit of work: the command commits after each one."""

from __future__ import annotations

import os
from datetime import date, timedelta

import click
from flask import Flask
from flask_babel import gettext as _

from app.extensions import db


def register(app: Flask) -> None:
    """The report settings (from the environment, unless given to create_app) and the commands."""
    from app.core.periodic import add_job
    from app.reports.daily import run_due
    from app.reports.settings import load, setting

    for name, value in load(os.environ).items():
        app.config.setdefault(name, value)
    app.cli.add_command(reports)
    add_job(
        app,
        "daily reports",
        lambda: float(setting("REPORTS_DAILY_CHECK_SECONDS")),
        run_due,
        lambda: bool(setting("REPORTS_DAILY_IN_PROCESS")),
    )


@click.group(help="Academic affairs reports.")
def reports():
    pass


def _schools(school_id: int | None) -> list[int]:
    from app.reports.daily import schools

    found = schools()
    if school_id is None:
        return found
    if school_id not in found:
        raise click.BadParameter(_("There is no school with id %(id)s.", id=school_id), param_hint="--school")
    return [school_id]


def _day(value: str | None, param: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("Enter a date as YYYY-MM-DD."), param_hint=param) from None


@reports.command("daily")
@click.option("--date", "day_text", help="The day to report (default: yesterday, school time).")
@click.option("--school", "school_id", type=int, help="One school (default: every school).")
@click.option("--due", is_flag=True, help="Only schools whose previous day has no report yet (for cron).")
def daily_command(day_text, school_id, due):
    """Generate (or regenerate) the daily report: refresh the day's rollups, store the XLSX."""
    from app.reports.daily import generate_daily_report, run_due, yesterday

    if due:
        done = run_due(stale_days=None)
        for report in done:
            click.echo(
                _(
                    "School %(school)s, %(day)s: %(size)d bytes",
                    school=report.school_id,
                    day=report.day,
                    size=report.size,
                )
            )
        if not done:
            click.echo(_("No daily report is due."))
        return
    chosen = _day(day_text, "--date")
    for school in _schools(school_id):
        day = chosen or yesterday(school)
        report = generate_daily_report(school, day)
        db.session.commit()
        click.echo(_("School %(school)s, %(day)s: %(size)d bytes", school=school, day=day, size=report.size))


@reports.command("refresh")
@click.option("--from", "first_text", help="First day (default: yesterday).")
@click.option("--to", "last_text", help="Last day, inclusive (default: the first day).")
@click.option("--school", "school_id", type=int, help="One school (default: every school).")
@click.option("--stale", is_flag=True, help="Rebuild every day marked as waiting for a rebuild instead.")
def refresh_command(first_text, last_text, school_id, stale):
    """Rebuild the rollups of a range of days (after an import, or to repair)."""
    from app.reports.daily import yesterday
    from app.reports.rollups import refresh_rollups

    if stale:
        _refresh_stale(school_id)
        return
    first, last = _day(first_text, "--from"), _day(last_text, "--to")
    for school in _schools(school_id):
        start = first or yesterday(school)
        stop = last or start
        if stop < start or (stop - start) > timedelta(days=366):
            raise click.BadParameter(_("Choose a range of at most 366 days, from before to."), param_hint="--to")
        counts = refresh_rollups(school, start, stop)
        db.session.commit()
        click.echo(
            _(
                "School %(school)s: %(lessons)d lessons, %(student_days)d student-days",
                school=school,
                **counts,
            )
        )


def _refresh_stale(school_id: int | None) -> None:
    from app.reports.stale import rebuild_stale, schools_with_stale_days

    waiting = [school for school in _schools(school_id) if school in schools_with_stale_days()]
    for school in waiting:
        days = rebuild_stale(school)
        db.session.commit()
        click.echo(_("School %(school)s: %(days)d days rebuilt", school=school, days=days))
    if not waiting:
        click.echo(_("No days are waiting for a rebuild."))

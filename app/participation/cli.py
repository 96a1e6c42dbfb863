"""`flask participation recompute|flag-over-limit` and `flask xapi export/forward`. Each command
commits itself."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import click
from flask import Flask
from sqlalchemy import select

from app.extensions import db


def register(app: Flask) -> None:
    from app.core.periodic import add_job
    from app.participation.over_limit import FLAG_CHECK_SECONDS, flag_due
    from app.participation.settings import setting

    app.cli.add_command(participation)
    app.cli.add_command(xapi)
    done: dict = {}  # school -> the last local day this process flagged

    def flag_previous_days():
        flag_due(done=done)
        db.session.commit()

    add_job(
        app,
        "study-time flags",
        lambda: FLAG_CHECK_SECONDS,
        flag_previous_days,
        lambda: bool(setting("PARTICIPATION_FLAGS_IN_PROCESS")),
    )


@click.group(help="Attendance and participation records.")
def participation():
    pass


@participation.command("recompute")
@click.option("--session", "session_ids", type=int, multiple=True, help="A lesson id (repeatable).")
@click.option("--term", "term_id", type=int, help="Every lesson of the term's courses.")
@click.option("--ended", is_flag=True, help="Every lesson that has ended (lessons whose room never opened too).")
def recompute(session_ids, term_id, ended):
    """Recompute attendance from presence; manual overrides are kept."""
    from app.core.models import utcnow
    from app.participation.attendance import recompute_sessions, sessions_of_term
    from app.schedule.models import LiveSession

    ids = list(session_ids)
    if term_id:
        ids += sessions_of_term(term_id)
    if ended:
        ids += list(db.session.scalars(select(LiveSession.id).where(LiveSession.ends_at <= utcnow())))
    if not ids:
        raise click.UsageError("give --session, --term or --ended")
    written = recompute_sessions(ids)
    db.session.commit()
    click.echo(f"{len(set(ids))} lessons, {written} records written")


@participation.command("flag-over-limit")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The local day (YYYY-MM-DD); default: each school's previous local day.",
)
def flag_over_limit(day):
    """Flag students over the daily online total to their class teachers and academic affairs.
    Idempotent: a student-day is flagged (and notified) once, however often this runs."""
    from app.participation import over_limit

    if day is None:
        runs = over_limit.flag_due()
    else:
        runs = [over_limit.flag_over_limit(school, day.date()) for school in over_limit.schools()]
    db.session.commit()
    for run in runs:
        click.echo(f"school {run.school_id}, {run.day}: {run.flagged} students flagged, {run.notified} notifications")


@click.group(help="xAPI learning records.")
def xapi():
    pass


def _day(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if "T" not in value else datetime.fromisoformat(value)


@xapi.command("export")
@click.option("--school", "school_code", required=True, help="The school's code.")
@click.option("--from", "start", required=True, help="First day (YYYY-MM-DD, UTC).")
@click.option("--to", "end", required=True, help="Last day, inclusive.")
@click.option("--course", "course_id", type=int)
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-")
def export(school_code, start, end, course_id, output):
    """Write statements as JSON lines."""
    from app.participation import xapi as statements

    school = _school(school_code)
    count = 0
    for line in statements.export_lines(school.id, _day(start), _day(end) + timedelta(days=1), course_id):
        output.write(line + "\n")
        count += 1
    click.echo(f"{count} statements", err=True)


@xapi.command("forward")
@click.option("--school", "school_code", required=True)
@click.option("--from", "start", help="Queue statements of lessons from this day on (default: 7 days ago).")
@click.option("--to", "end", help="Last day, inclusive (default: today).")
def forward(school_code, start, end):
    """Queue new statements and send every due one to XAPI_LRS_URL (batched, retried)."""
    from app.core.models import utcnow
    from app.participation import xapi as statements
    from app.participation.xapi_forward import forward_due

    school = _school(school_code)
    now = utcnow()
    first = _day(start) if start else now - timedelta(days=7)
    last = _day(end) + timedelta(days=1) if end else now
    queued = statements.enqueue(school.id, first, last)
    db.session.commit()
    result = forward_due(school.id)
    db.session.commit()
    click.echo(f"{queued} queued, {result.sent} sent, {result.failed} failed, {result.pending} waiting")
    if result.failed:
        sys.exit(1)


def _school(code: str):
    from app.orgs.models import OrgUnit, UnitKind

    school = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == UnitKind.SCHOOL, OrgUnit.code == code))
    if school is None:
        raise click.UsageError(f"no school with code {code!r}")
    return school

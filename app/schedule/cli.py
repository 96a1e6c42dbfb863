"""`flask schedule import FILE [--dry-run] [--school CODE]`: a whole timetable, all or nothing;
`flask schedule purge-previews`: delete the import previews nobody confirmed in time.

The import is its own unit of work: it commits a clean import and rolls back a dry run or a
file with problems (listed by row).
"""

import os
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.orgs.models import OrgUnit, UnitKind
from app.schedule.timetable_file import column_label
from app.schedule.timetable_import import RowProblem, TimetableFileError, import_timetable, read_rows

schedule_cli = AppGroup("schedule", help="Live-session timetables.")


def _school(code: str | None) -> OrgUnit:
    query = select(OrgUnit).where(OrgUnit.kind == UnitKind.SCHOOL)
    if code:
        school = db.session.scalar(query.where(OrgUnit.code == code))
        if school is None:
            raise click.ClickException(_("No school has the code %(code)s.", code=code))
        return school
    schools = db.session.scalars(query.limit(2)).all()
    if len(schools) != 1:
        raise click.ClickException(_("Name the school with --school CODE (none or several exist)."))
    return schools[0]


def _message(problem: RowProblem) -> str:
    return f"{column_label(problem.column)}: {problem.message}" if problem.column else problem.message


@schedule_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and store nothing.")
@click.option("--school", "school_code", help="The school's code (needed when there are several).")
def import_command(file: Path, dry_run: bool, school_code: str | None) -> None:
    """Import a timetable CSV or XLSX through the study-time policy check."""
    school = _school(school_code)
    try:
        rows = read_rows(file.name, file.read_bytes())
    except TimetableFileError as error:
        raise click.ClickException(str(error)) from None
    report = import_timetable(None, school, rows, dry_run=dry_run)
    for problem in report.warnings:
        click.echo(_("Row %(row)d: warning: %(message)s", row=problem.row, message=_message(problem)))
    for problem in report.problems:
        click.echo(_("Row %(row)d: %(message)s", row=problem.row, message=_message(problem)), err=True)
    if not report.ok:
        db.session.rollback()
        click.echo(_("Nothing imported: %(count)d problems.", count=len(report.problems)), err=True)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo(_("Dry run: %(rows)d rows are fine; nothing stored.", rows=report.rows))
        return
    db.session.commit()
    click.echo(
        _("Imported %(sessions)d lessons (%(series)d weekly series).", sessions=report.sessions, series=report.series)
    )


@schedule_cli.command("purge-previews")
def purge_previews_command() -> None:
    """Delete uploaded timetables whose preview expired unconfirmed (for cron)."""
    from app.schedule.import_stash import PREVIEW_HOURS, purge_expired

    removed = purge_expired()
    message = _("%(count)d expired timetable previews deleted (older than %(hours)d hours).")
    click.echo(message % {"count": removed, "hours": PREVIEW_HOURS})


PURGE_CHECK_SECONDS = 3600


def _switched_on(value) -> bool:
    return str(value).strip().lower() not in ("0", "false", "no", "off")


def register(app) -> None:
    """The commands, and the hourly purge of expired previews in serving processes
    (SCHEDULE_PREVIEW_PURGE_IN_PROCESS=0 leaves it to cron)."""
    from app.core.periodic import add_job
    from app.schedule.import_stash import purge_expired

    app.cli.add_command(schedule_cli)
    app.config.setdefault("SCHEDULE_PREVIEW_PURGE_IN_PROCESS", os.environ.get("SCHEDULE_PREVIEW_PURGE_IN_PROCESS", "1"))
    add_job(
        app,
        "timetable preview purge",
        lambda: PURGE_CHECK_SECONDS,
        purge_expired,
        lambda: _switched_on(app.config["SCHEDULE_PREVIEW_PURGE_IN_PROCESS"]),
    )

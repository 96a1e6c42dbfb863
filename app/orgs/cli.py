"""`flask roster import FILE... [--dry-run] [--school CODE]`: the roster import for IT staff.

Registered by the factory through `register(app)`. The command is its own unit of work: it
commits a clean import, and rolls back a dry run or a file with errors.
"""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.orgs.models import OrgUnit, UnitKind
from app.orgs.roster import import_roster, read_roster
from app.orgs.roster.messages import error_line, summary

roster_cli = AppGroup("roster", help="Import people, classes and courses from roster files.")


def _school(school_code: str | None, oneroster: bool) -> OrgUnit | None:
    """The school to import into; None lets a OneRoster file name (or create) its own."""
    query = select(OrgUnit).where(OrgUnit.kind == UnitKind.SCHOOL)
    if school_code:
        school = db.session.scalar(query.where(OrgUnit.code == school_code))
        if school is None and not oneroster:
            raise click.ClickException(_("No school has the code %(code)s.", code=school_code))
        return school
    if oneroster:
        return None
    schools = db.session.scalars(query.limit(2)).all()
    if len(schools) != 1:
        raise click.ClickException(_("Name the school with --school CODE (none or several exist)."))
    return schools[0]


@roster_cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the files and show what would change, writing nothing.")
@click.option("--school", "school_code", default=None, help="Code of the school to import into.")
def import_command(files, dry_run, school_code):
    """Import people, classes and courses from Kexu CSV/XLSX templates or a OneRoster 1.1 zip."""
    parsed = read_roster([(path.name, path.read_bytes()) for path in files], school_code=school_code)
    school = _school(school_code, parsed.format == "oneroster")
    with click.progressbar(length=max(parsed.size, 1), label=_("Importing"), file=sys.stderr) as bar:
        result = import_roster(None, school, parsed, dry_run=dry_run, progress=bar.update)
    for note in result.notes:
        click.echo(note)
    if not result.ok:
        db.session.rollback()
        for error in result.errors:
            click.echo(error_line(error), err=True)
        raise click.ClickException(_("%(count)d problems found; nothing was imported.", count=len(result.errors)))
    if dry_run:
        db.session.rollback()
        click.echo(_("Dry run, nothing written: %(summary)s.", summary=summary(result)))
        return
    db.session.commit()
    click.echo(_("Imported: %(summary)s.", summary=summary(result)))


def register(app) -> None:
    app.cli.add_command(roster_cli)

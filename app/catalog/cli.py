"""`flask catalog harvest [SOURCE] [--due] [--full]` and `flask catalog load-sample`.

Each source is its own unit of work: the command commits after every source, so a source that
fails (its run recorded as failed) never undoes the others.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.catalog.harvest import due_sources, harvest_source
from app.catalog.models import CatalogSource, RunStatus
from app.extensions import db
from app.orgs.models import OrgUnit, UnitKind

catalog_cli = AppGroup("catalog", help="Harvest catalog sources.")


def _sources(name_or_id: str | None, due: bool) -> list[CatalogSource]:
    if due:
        return due_sources()
    if name_or_id is None:
        raise click.UsageError(_("Name a source (id or name) or pass --due."))
    condition = CatalogSource.name == name_or_id
    if name_or_id.isdigit():
        condition = or_(condition, CatalogSource.id == int(name_or_id))
    found = db.session.scalars(select(CatalogSource).where(condition)).all()
    if not found:
        raise click.ClickException(_("No source is called %(name)s.", name=name_or_id))
    return found


def _summary(source: CatalogSource, run) -> str:
    if run.status == RunStatus.FAILED:
        return _("%(source)s: failed: %(reason)s", source=source.name, reason=run.message)
    return _(
        "%(source)s: %(added)d added, %(updated)d updated, %(unchanged)d unchanged, %(withdrawn)d withdrawn, "
        "%(errors)d skipped",
        source=source.name, added=run.added, updated=run.updated, unchanged=run.unchanged,
        withdrawn=run.withdrawn, errors=len(run.errors),
    )  # fmt: skip


@catalog_cli.command("harvest")
@click.argument("source", required=False)
@click.option("--due", is_flag=True, help="Harvest every enabled source whose interval has passed.")
@click.option("--full", is_flag=True, help="Read everything, not only what changed since the last run.")
def harvest_command(source, due, full):
    """Harvest SOURCE (an id or a name), or every due source."""
    sources = _sources(source, due)
    failed = 0
    for item in sources:
        # A feed's size is unknown before reading: the last run's count is the best guess.
        last = item.runs[0] if item.runs else None
        expected = (last.added + last.updated + last.unchanged + len(last.errors)) if last else 0
        with click.progressbar(length=max(expected, 1), label=item.name, file=sys.stderr, show_pos=True) as bar:
            run = harvest_source(item, full=full, progress=bar.update)
        db.session.commit()
        failed += run.status == RunStatus.FAILED
        click.echo(_summary(item, run))
    if not sources:
        click.echo(_("No source is due."))
    if failed:
        raise click.ClickException(_("%(count)d source(s) failed.", count=failed))


@catalog_cli.command("load-sample")
@click.option("--school", "school_code", default=None, help="Code of the school (default: the only school).")
def load_sample_command(school_code):
    """Add the bundled SAMPLE catalog's sources to a school and harvest them."""
    from app.catalog.sample import load_sample_catalog

    query = select(OrgUnit).where(OrgUnit.kind == UnitKind.SCHOOL)
    if school_code:
        query = query.where(OrgUnit.code == school_code)
    schools = db.session.scalars(query.limit(2)).all()
    if len(schools) != 1:
        raise click.ClickException(_("Name the school with --school CODE (none or several exist)."))
    runs = load_sample_catalog(schools[0])
    db.session.commit()
    for run in runs:
        click.echo(_summary(run.source, run))


def register(app) -> None:
    app.cli.add_command(catalog_cli)

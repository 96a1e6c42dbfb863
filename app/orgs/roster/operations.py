"""`import_roster`: the one place a roster (from the page or the CLI) changes the database."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit
from app.extensions import db
from app.orgs.models import OrgUnit, UnitKind
from app.orgs.roster.people import match_people, sync_person
from app.orgs.roster.records import ParsedRoster, RosterResult, RowError
from app.orgs.roster.state import ImportState
from app.orgs.roster.structure import sync_course, sync_term, sync_unit


def import_roster(actor, school: OrgUnit | None, parsed: ParsedRoster, dry_run: bool = False, progress=None):
    """Bring `school` in line with a parsed roster, all or nothing.

    Runs a plan first (nothing written) that finds every problem and counts what would be
    created, updated or left unchanged. Only a clean plan that is not a dry run is applied;
    the apply flushes and records one audit entry, and the caller's boundary commits.
    `school` may be None for a OneRoster file run from the CLI: the file's school is then
    found by its code (sourcedId) or created. `progress(steps)` is called as records are done.
    """
    result = RosterResult(dry_run=dry_run, errors=list(parsed.errors), notes=list(parsed.notes))
    if result.errors:
        return result
    school, new_school = _target_school(school, parsed)
    if school is None and new_school is None:
        result.errors.append(RowError("", None, None, _("Choose the school to import into.")))
        return result
    if not (parsed.people or parsed.units or parsed.courses or parsed.terms):
        result.errors.append(RowError(", ".join(parsed.files), None, None, _("The file holds no people or courses.")))
        return result
    plan = ImportState(actor, school, result, apply=False, progress=progress if dry_run else None)
    if new_school is not None:
        result.count("units", "created")
    _run(plan, parsed)
    if result.errors or dry_run:
        return result
    if new_school is not None:
        db.session.add(new_school)
        db.session.flush()
        school = new_school
    _run(ImportState(actor, school, result, apply=True, progress=progress), parsed)
    db.session.flush()
    if result.created or result.updated:
        audit.record(
            actor,
            "roster.import",
            school,
            school_id=school.id,
            format=parsed.format,
            files=parsed.files,
            counts=result.counts,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    db.session.flush()
    return result


def _target_school(school: OrgUnit | None, parsed: ParsedRoster) -> tuple[OrgUnit | None, OrgUnit | None]:
    """(existing school, school to create); a OneRoster school is found by its sourcedId."""
    if school is not None or parsed.school is None:
        return school, None
    existing = db.session.scalar(
        select(OrgUnit).where(OrgUnit.kind == UnitKind.SCHOOL, OrgUnit.code == parsed.school.code)
    )
    if existing is not None:
        return existing, None
    return None, OrgUnit(kind=UnitKind.SCHOOL, code=parsed.school.code, name=parsed.school.name[:120])


def _run(st: ImportState, parsed: ParsedRoster) -> None:
    """One pass over the records, in dependency order: terms, grades, classes, people, courses."""
    for row in parsed.terms:
        sync_term(st, row)
        st.progress(1)
    for row in sorted(parsed.units, key=lambda unit: unit.kind != "grade"):
        sync_unit(st, row)
        st.progress(1)
    if st.apply:
        db.session.flush()  # new classes get ids, so people and courses compare them by id
    matched = match_people(st, parsed.people)
    for index, row in enumerate(parsed.people):
        if index in matched:
            sync_person(st, row, matched[index])
        st.progress(1)
    if st.apply:
        db.session.flush()
    for row in parsed.courses:
        sync_course(st, row)
        st.progress(1)
    if st.apply:
        return
    new_without_password = [
        row for index, row in enumerate(parsed.people) if matched.get(index, 0) is None and not row.password
    ]
    if new_without_password:
        st.result.notes.append(
            _(
                "%(count)d new accounts have no password yet: reset their passwords on the People page.",
                count=len(new_without_password),
            )
        )

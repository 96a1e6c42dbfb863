"""Human-readable lines for a roster result, shared by the page and the CLI."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.orgs.roster.records import RosterResult, RowError

KIND_LABELS = {
    "terms": _l("Terms"),
    "units": _l("Grades and classes"),
    "people": _l("People"),
    "courses": _l("Courses"),
}


def where(error: RowError) -> str:
    """ "people.csv, row 4, column 姓名" (parts the error does not have are left out)."""
    parts = [error.file] if error.file else []
    if error.row is not None:
        parts.append(_("row %(row)d", row=error.row))
    if error.column:
        parts.append(_("column %(column)s", column=error.column))
    return ", ".join(parts)


def error_line(error: RowError) -> str:
    place = where(error)
    return f"{place}: {error.message}" if place else error.message


def summary(result: RosterResult) -> str:
    return _(
        "%(created)d created, %(updated)d updated, %(unchanged)d unchanged",
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )

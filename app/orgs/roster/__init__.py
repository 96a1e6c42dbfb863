"""Roster import: Kexu's CSV/XLSX templates and IMS OneRoster 1.1 CSV, into one school.

parse (`read_roster`) -> validated records (`ParsedRoster`) -> `import_roster(actor, school,
parsed, dry_run)`, which flushes; the page and the `flask roster` command only call these.
"""

from flask_babel import gettext as _

from app.orgs.roster import kexu_format, oneroster
from app.orgs.roster.operations import import_roster
from app.orgs.roster.records import ParsedRoster, RosterResult, RowError
from app.orgs.roster.text import UnreadableFile

__all__ = ["ParsedRoster", "RosterResult", "RowError", "import_roster", "read_roster"]

ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".zip")


def read_roster(files: list[tuple[str, bytes]], school_code: str | None = None) -> ParsedRoster:
    """Parse uploaded files: one OneRoster zip, or Kexu CSV files and/or XLSX workbooks."""
    zips = [(name, data) for name, data in files if oneroster.is_oneroster(name, data)]
    if zips:
        if len(files) > 1:
            parsed = ParsedRoster(format="oneroster", files=[name for name, _data in files])
            parsed.errors.append(RowError("", None, None, _("Upload a OneRoster zip on its own.")))
            return parsed
        return oneroster.parse_oneroster(*zips[0], school_code=school_code)
    parsed = ParsedRoster(format="kexu", files=[name for name, _data in files])
    tables = []
    for name, data in files:
        if not name.lower().endswith(ACCEPTED_SUFFIXES):
            parsed.errors.append(RowError(name, None, None, _("Upload .csv, .xlsx or OneRoster .zip files.")))
            continue
        try:
            tables.extend(kexu_format.read_tables(name, data))
        except UnreadableFile as error:
            parsed.errors.append(RowError(name, None, None, str(error)))
    kexu_format.parse_tables(parsed, tables)
    if not parsed.errors and not (parsed.people or parsed.courses):
        parsed.errors.append(RowError(", ".join(parsed.files), None, None, _("The file holds no people or courses.")))
    return parsed

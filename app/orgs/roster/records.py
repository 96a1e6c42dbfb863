"""The validated rows a roster file turns into, whatever its format.

Parsers (the Kexu templates, OneRoster) produce a `ParsedRoster`; `import_roster` only ever
sees these records, so both formats share one set of rules for people, units and courses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.auth.models import Role


@dataclass(frozen=True)
class Source:
    """Where a record came from: the file (or `file:sheet`) and its row as a spreadsheet numbers it."""

    file: str
    row: int


@dataclass
class RowError:
    file: str
    row: int | None
    column: str | None
    message: str

    @classmethod
    def at(cls, source: Source | None, column: str | None, message: str) -> RowError:
        if source is None:
            return cls("", None, column, message)
        return cls(source.file, source.row, column, message)


@dataclass
class UnitRow:
    """A grade or a class (行政班) of the school, identified by its code."""

    kind: str  # "grade" or "class"
    code: str
    name: str
    source: Source
    parent_code: str | None = None  # a class's grade; None puts it directly under the school
    grade_number: int | None = None
    stage: str | None = None
    column: str | None = None  # where to point when the unit itself is at fault


@dataclass
class PersonRow:
    username: str
    name: str
    source: Source
    # None means "this file does not say": existing accounts keep what they have.
    roles: set[Role] | None = None
    # The roles this file is authoritative for; others (set by hand) are left alone.
    managed_roles: frozenset[Role] = frozenset(Role)
    class_codes: set[str] | None = None  # homeroom memberships
    class_teacher_of: set[str] = field(default_factory=set)
    email: str | None = None
    timezone: str | None = None
    password: str | None = None
    external_id: str | None = None
    disabled: bool | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field name -> header as written

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


@dataclass
class TermRow:
    code: str
    name: str
    source: Source
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass
class CourseRow:
    code: str
    name: str
    subject: str
    source: Source
    term_ref: str | None = None  # a term code or name
    class_codes: set[str] = field(default_factory=set)
    teacher_usernames: set[str] = field(default_factory=set)
    columns: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


@dataclass
class SchoolRow:
    """The school named inside a OneRoster file (orgs.csv, type school)."""

    code: str
    name: str
    source: Source


@dataclass
class ParsedRoster:
    format: str  # "kexu" or "oneroster"
    files: list[str] = field(default_factory=list)
    school: SchoolRow | None = None
    units: list[UnitRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    terms: list[TermRow] = field(default_factory=list)
    courses: list[CourseRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How many records the import will walk through (for progress bars)."""
        return len(self.units) + len(self.people) + len(self.terms) + len(self.courses)


KINDS = ("terms", "units", "people", "courses")


@dataclass
class RosterResult:
    dry_run: bool
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: {"created": 0, "updated": 0, "unchanged": 0} for kind in KINDS}
    )
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, kind: str, status: str) -> None:
        self.counts[kind][status] += 1

    def total(self, status: str) -> int:
        return sum(counts[status] for counts in self.counts.values())

    @property
    def created(self) -> int:
        return self.total("created")

    @property
    def updated(self) -> int:
        return self.total("updated")

    @property
    def unchanged(self) -> int:
        return self.total("unchanged")

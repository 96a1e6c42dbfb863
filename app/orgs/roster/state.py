"""What the database already holds for one school, loaded once per import.

The import runs twice over the same records: a plan (nothing written, counts and errors) and,
when the plan is clean and this is not a dry run, the apply. Both compare records with this
state through *keys* (an id, or "new:<code>" for something the apply will create), so a dry
run reports exactly what the real import will do.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.extensions import db
from app.orgs.models import Course, OrgUnit, Term, UnitKind
from app.orgs.roster.records import RosterResult, RowError, Source

CHUNK = 500


class ImportState:
    def __init__(self, actor, school: OrgUnit | None, result: RosterResult, apply: bool, progress=None):
        self.actor, self.school, self.result, self.apply = actor, school, result, apply
        self.progress = progress or (lambda steps: None)
        self.units: dict[str, OrgUnit | None] = {}  # file code -> unit (None: to be created)
        self.unit_rows: dict[str, object] = {}  # file code -> UnitRow
        self.users: dict[str, User | None] = {}  # username.lower() -> account (None: to be created)
        self.person_rows: dict[str, object] = {}
        self.terms: dict[str, Term | None] = {}
        self.school_units: list[OrgUnit] = []
        self.school_users: list[User] = []
        self.school_terms: list[Term] = []
        self.school_courses: dict[str, Course] = {}
        if school is not None and school.id is not None:
            self._load(school.id)

    def _load(self, school_id: int) -> None:
        self.school_units = list(db.session.scalars(select(OrgUnit).where(OrgUnit.school_id == school_id)))
        self.school_users = list(
            db.session.scalars(select(User).where(User.school_id == school_id).options(selectinload(User.classes)))
        )
        self.school_terms = list(db.session.scalars(select(Term).where(Term.school_id == school_id)))
        courses = db.session.scalars(
            select(Course)
            .where(Course.school_id == school_id)
            .options(selectinload(Course.teachers), selectinload(Course.classes))
        )
        self.school_courses = {course.code: course for course in courses if course.code}

    def users_named(self, usernames: list[str]) -> dict[str, User]:
        """Accounts of any school with these usernames (case-insensitive), to find clashes."""
        found = {user.username.lower(): user for user in self.school_users}
        wanted = sorted({name.lower() for name in usernames} - set(found))
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            for user in db.session.scalars(select(User).where(func.lower(User.username).in_(chunk))):
                found[user.username.lower()] = user
        return found

    def school_user(self, username: str) -> User | None:
        """An account of this school not named in the file (a course's teacher, say)."""
        user = next((u for u in self.school_users if u.username.lower() == username.lower()), None)
        if user is not None:
            self.users.setdefault(username.lower(), user)
        return user

    def error(self, source: Source, column: str | None, message: str) -> None:
        if not self.apply:  # the apply pass repeats the plan's checks; report each problem once
            self.result.errors.append(RowError.at(source, column, message))

    def count(self, kind: str, status: str) -> None:
        if not self.apply:
            self.result.count(kind, status)

    @property
    def school_id(self) -> int | None:
        return self.school.id if self.school is not None else None

    def unit_key(self, code: str):
        unit = self.units.get(code)
        return unit.id if unit is not None and unit.id is not None else f"new:{code}"

    def user_key(self, username: str):
        user = self.users.get(username.lower())
        return user.id if user is not None and user.id is not None else f"new:{username.lower()}"

    def default_timezone(self) -> str:
        return (self.school.timezone if self.school else None) or current_app.config["KEXU_DEFAULT_TIMEZONE"]

    def add(self, obj) -> None:
        db.session.add(obj)

    def grades(self) -> list[OrgUnit]:
        return [unit for unit in self.school_units if unit.kind == UnitKind.GRADE]

    def classes(self) -> list[OrgUnit]:
        return [unit for unit in self.school_units if unit.kind == UnitKind.CLASS]

"""Schools and their units (stage or department > grade > class), terms and courses."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Column, Date, Enum, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, TimestampMixin


class UnitKind(enum.StrEnum):
    SCHOOL = "school"
    STAGE = "stage"
    DEPARTMENT = "department"
    GRADE = "grade"
    CLASS = "class"


class Stage(enum.StrEnum):
    """The study-time rules hang on these (see POLICY presets)."""

    PRIMARY_1_2 = "primary_1_2"
    PRIMARY_3_6 = "primary_3_6"
    JUNIOR = "junior"
    SENIOR = "senior"
    UNIVERSITY = "university"


def stage_for_grade_number(number: int) -> Stage:
    """China's K-12 grade numbers 1-12 mapped to stages."""
    if number <= 2:
        return Stage.PRIMARY_1_2
    if number <= 6:
        return Stage.PRIMARY_3_6
    if number <= 9:
        return Stage.JUNIOR
    return Stage.SENIOR


class OrgUnit(TimestampMixin, Base):
    """One node of a school's tree. Every unit knows its school for cheap scoping."""

    __tablename__ = "org_unit"
    __table_args__ = (UniqueConstraint("school_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[UnitKind] = mapped_column(Enum(UnitKind, native_enum=False, length=20))
    name: Mapped[str] = mapped_column(String(120))
    # An external identifier (OneRoster sourcedId or the school's own code), unique per school.
    code: Mapped[str | None] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    # Set on grades (and copied to their classes) so policies can find a student's stage.
    stage: Mapped[Stage | None] = mapped_column(Enum(Stage, native_enum=False, length=20))
    grade_number: Mapped[int | None]
    # Only meaningful on a school: the zone its timetable is written in.
    timezone: Mapped[str | None] = mapped_column(String(64))

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], foreign_keys=[parent_id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="OrgUnit.name"
    )
    students: Mapped[list[User]] = relationship(  # noqa: F821
        secondary="class_membership", back_populates="classes", order_by="User.username"
    )

    @property
    def effective_school_id(self) -> int:
        return self.school_id or self.id

    def __repr__(self) -> str:
        return f"<OrgUnit {self.kind} {self.name!r}>"


class_membership = Table(
    "class_membership",
    Base.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("class_id", ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True, index=True),
)

course_teacher = Table(
    "course_teacher",
    Base.metadata,
    Column("course_id", ForeignKey("course.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)

course_class = Table(
    "course_class",
    Base.metadata,
    Column("course_id", ForeignKey("course.id", ondelete="CASCADE"), primary_key=True),
    Column("class_id", ForeignKey("org_unit.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Term(TimestampMixin, Base):
    __tablename__ = "term"
    __table_args__ = (UniqueConstraint("school_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)


class Course(TimestampMixin, Base):
    """A subject taught by one or more teachers to one or more classes in a term."""

    __tablename__ = "course"
    __table_args__ = (UniqueConstraint("school_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)
    term_id: Mapped[int | None] = mapped_column(ForeignKey("term.id", ondelete="SET NULL"), index=True)
    code: Mapped[str | None] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(80))

    term: Mapped[Term | None] = relationship()
    teachers: Mapped[list[User]] = relationship(  # noqa: F821
        secondary=course_teacher, back_populates="taught_courses", order_by="User.username"
    )
    classes: Mapped[list[OrgUnit]] = relationship(secondary=course_class, order_by="OrgUnit.name")

"""Accounts, their roles, and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.models import Base, TimestampMixin, UTCDateTime, utcnow
from app.orgs.models import Course, OrgUnit, class_membership, course_teacher


class Role(enum.StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    CLASS_TEACHER = "class_teacher"  # 班主任: scoped to one class
    ACADEMIC_AFFAIRS = "academic_affairs"  # 教务: scoped to the school
    ADMIN = "admin"


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="SET NULL"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    # OneRoster sourcedId or the school's own identifier, for re-imports.
    external_id: Mapped[str | None] = mapped_column(String(120), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    locale: Mapped[str | None] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(default=False)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    role_grants: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    classes: Mapped[list[OrgUnit]] = relationship(secondary=class_membership, back_populates="students")
    taught_courses: Mapped[list[Course]] = relationship(secondary=course_teacher, back_populates="teachers")
    school: Mapped[OrgUnit | None] = relationship(foreign_keys=[school_id])

    # Flask-Login treats a disabled account as logged out on its next request.
    @property
    def is_active(self) -> bool:
        return not self.disabled

    def set_password(self, password: str) -> None:
        method = current_app.config.get("KEXU_PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def roles(self) -> set[Role]:
        return {grant.role for grant in self.role_grants}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def scoped_unit_ids(self, role: Role) -> set[int]:
        """The units a scoped role applies to (the classes of a class teacher)."""
        return {g.unit_id for g in self.role_grants if g.role == role and g.unit_id is not None}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(Base):
    """One role of a user, optionally scoped to an org unit (a class teacher's class)."""

    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=30))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id", ondelete="CASCADE"), index=True)

    user: Mapped[User] = relationship(back_populates="role_grants")
    unit: Mapped[OrgUnit | None] = relationship()


class ApiToken(Base):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown on the account page so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.revoked_at is None and self.expires_at > now

"""Every model of every domain, imported in one place (for Alembic and the factory)."""

from app.auth.models import ApiToken, Role, User, UserRole
from app.core.audit import AuditEntry
from app.orgs.models import Course, OrgUnit, Stage, Term, UnitKind

__all__ = ["ApiToken", "AuditEntry", "Course", "OrgUnit", "Role", "Stage", "Term", "UnitKind", "User", "UserRole"]

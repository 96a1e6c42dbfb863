"""Who may open the school's week overview and share a class's calendar feed."""

from app.auth.models import Role
from app.core.permissions import rule
from app.orgs.models import UnitKind
from app.orgs.permissions import is_school_staff


def _school_of(obj) -> int | None:
    return getattr(obj, "effective_school_id", None) or getattr(obj, "school_id", None)


@rule("schedule.overview")
def can_view_overview(user, school) -> bool:
    """The whole school's week with its compliance flags: academic affairs and administrators."""
    return is_school_staff(user, _school_of(school), Role.ACADEMIC_AFFAIRS, Role.ADMIN)


@rule("calendar.class_feed")
def can_share_class_feed(user, unit) -> bool:
    """A class's feed is shared by its class teacher or by the school's academic affairs."""
    if unit is None or unit.kind != UnitKind.CLASS or user.school_id != unit.school_id:
        return False
    if is_school_staff(user, unit.school_id, Role.ACADEMIC_AFFAIRS, Role.ADMIN):
        return True
    return unit.id in user.scoped_unit_ids(Role.CLASS_TEACHER)

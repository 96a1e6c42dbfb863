"""A course's lesson plan: the resources assigned to it, in order, with a note, a date and minutes.

Handlers authorize with "course.plan.manage" and call these; they flush, never commit. A withdrawn
resource cannot be newly added but stays where it was already assigned, so students keep it.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.catalog.models import LessonPlanItem, Resource
from app.core.audit import record
from app.core.sanitizer import sanitize
from app.extensions import db
from app.orgs.models import Course

NOTE_MAX_LENGTH = 5000
MAX_MINUTES = 600


class PlanError(ValueError):
    """A plan change refused, with the form field at fault (None for the whole request)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    @staticmethod
    def unknown_resource() -> str:
        return _("There is no such resource in your school's catalog.")

    def as_errors(self) -> dict[str, list[str]]:
        return {self.field or "_schema": [self.message]}


def plan_items(course: Course | int, *, include_withdrawn: bool = True) -> list[LessonPlanItem]:
    """The course's plan in its order (position, then when added)."""
    course_id = course if isinstance(course, int) else course.id
    query = (
        select(LessonPlanItem)
        .where(LessonPlanItem.course_id == course_id)
        .options(selectinload(LessonPlanItem.resource))
        .order_by(LessonPlanItem.position, LessonPlanItem.id)
    )
    if not include_withdrawn:
        query = query.join(Resource).where(Resource.withdrawn.is_(False))
    return list(db.session.scalars(query))


def _clean(data: dict, item: LessonPlanItem | None) -> dict:
    """Check the editable fields present in `data`; the note becomes sanitized HTML."""
    cleaned = {}
    if "note" in data:
        note = data.get("note") or ""
        if len(note) > NOTE_MAX_LENGTH:
            raise PlanError(_("The note is too long (at most %(count)d characters).", count=NOTE_MAX_LENGTH), "note")
        cleaned["note"] = str(sanitize(note, "rich"))
    if "planned_on" in data:
        planned_on = data.get("planned_on")
        if planned_on is not None and not isinstance(planned_on, date):
            raise PlanError(_("The date is not a valid date."), "planned_on")
        cleaned["planned_on"] = planned_on
    if "estimated_minutes" in data:
        minutes = data.get("estimated_minutes")
        if minutes is not None and (
            isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES
        ):
            raise PlanError(
                _("Estimated minutes must be a whole number from 1 to %(most)d.", most=MAX_MINUTES),
                "estimated_minutes",
            )
        cleaned["estimated_minutes"] = minutes
    return cleaned


def add_plan_item(actor, course, resource: Resource, data: dict) -> LessonPlanItem:
    """Append `resource` to the course's plan (or put it at data["position"], 0-based)."""
    if resource.school_id != course.school_id:
        raise PlanError(_("This resource belongs to another school's catalog."), "resource_id")
    if resource.withdrawn:
        raise PlanError(
            _("This resource has been withdrawn by its publishers and can no longer be added."), "resource_id"
        )
    existing = db.session.scalar(
        select(LessonPlanItem).where(LessonPlanItem.course_id == course.id, LessonPlanItem.resource_id == resource.id)
    )
    if existing is not None:
        raise PlanError(_("This resource is already in the plan of %(course)s.", course=course.name), "resource_id")
    # A resource's own length is the default estimate, unless it is a whole MOOC (beyond one lesson's range).
    length = (
        resource.duration_minutes if resource.duration_minutes and resource.duration_minutes <= MAX_MINUTES else None
    )
    cleaned = _clean({"note": "", "planned_on": None, "estimated_minutes": length, **data}, None)
    last = db.session.scalar(select(func.max(LessonPlanItem.position)).where(LessonPlanItem.course_id == course.id))
    item = LessonPlanItem(
        course_id=course.id,
        resource_id=resource.id,
        resource=resource,
        position=(last if last is not None else -1) + 1,
        added_by_id=actor.id if actor is not None else None,
        **cleaned,
    )
    db.session.add(item)
    db.session.flush()
    if data.get("position") is not None:
        move_plan_item(actor, item, int(data["position"]), audit=False)
    record(actor, "plan.add", course, resource_id=resource.id, item_id=item.id)
    return item


def update_plan_item(actor, item: LessonPlanItem, data: dict) -> LessonPlanItem:
    """Change the note, date or minutes of an item; a withdrawn resource's item may still be edited."""
    for name, value in _clean(data, item).items():
        setattr(item, name, value)
    if data.get("position") is not None:
        move_plan_item(actor, item, int(data["position"]), audit=False)
    db.session.flush()
    record(actor, "plan.update", item, fields=sorted(k for k in data if k != "position"))
    return item


def reorder_plan(actor, course, item_ids: list[int]) -> list[LessonPlanItem]:
    """Put the plan in the order of `item_ids`, which must name every item of the course once."""
    items = plan_items(course)
    by_id = {item.id: item for item in items}
    if sorted(item_ids) != sorted(by_id):
        raise PlanError(_("The new order must list every item of the plan exactly once."), "item_ids")
    for position, item_id in enumerate(item_ids):
        by_id[item_id].position = position
    db.session.flush()
    record(actor, "plan.reorder", course, item_ids=list(item_ids))
    return [by_id[item_id] for item_id in item_ids]


def move_plan_item(actor, item: LessonPlanItem, position: int, *, audit: bool = True) -> None:
    """Move one item to `position` (0-based, clamped to the plan) and renumber the rest."""
    items = [other for other in plan_items(item.course_id) if other.id != item.id]
    position = max(0, min(position, len(items)))
    items.insert(position, item)
    for index, other in enumerate(items):
        other.position = index
    db.session.flush()
    if audit:
        record(actor, "plan.move", item, position=position)


def remove_plan_item(actor, item: LessonPlanItem) -> None:
    """Take an item out of the plan; the resource itself stays in the catalog."""
    course_id, resource_id, item_id = item.course_id, item.resource_id, item.id
    db.session.delete(item)
    db.session.flush()
    for index, other in enumerate(plan_items(course_id)):
        other.position = index
    db.session.flush()
    record(actor, "plan.remove", db.session.get(Course, course_id), resource_id=resource_id, item_id=item_id)

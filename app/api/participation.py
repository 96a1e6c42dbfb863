"""/api/v1 participation: attendance per lesson, student and class; contact logs; daily study
time; xAPI export. The same permission rules as the pages: a student sees only themselves."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Response, abort
from flask_smorest import abort as abort_with_messages
from marshmallow import fields, validate
from sqlalchemy import select

from app.api.auth import current_api_user
from app.api.base import ApiBlueprint, paginated
from app.api.schemas import PageArgsSchema, page_of
from app.api.validation import ApiSchema, Id
from app.auth.models import User
from app.core.permissions import require
from app.extensions import db
from app.orgs.models import OrgUnit
from app.participation import attendance, queries, reach, study_time
from app.participation import xapi as xapi_statements
from app.participation.models import AttendanceRecord, ContactChannel, ContactLog, ContactOutcome
from app.schedule.models import LiveSession

blp = ApiBlueprint("api-participation", __name__, description="Attendance, contacts, study time and xAPI")


class AttendanceSchema(ApiSchema):
    id = fields.Integer()
    session = fields.Integer(attribute="session_id")
    student = fields.Integer(attribute="student_id")
    course = fields.Integer(attribute="course_id")
    starts_at = fields.AwareDateTime()
    status = fields.String(metadata={"description": "present, late, left_early, absent, excused or made_up"})
    computed_status = fields.String(metadata={"description": "What the presence rules say"})
    first_join = fields.AwareDateTime(allow_none=True)
    last_leave = fields.AwareDateTime(allow_none=True)
    minutes_present = fields.Float()
    checked_in = fields.Boolean()
    hand_raises = fields.Integer()
    chat_messages = fields.Integer()
    poll_answers = fields.Integer()
    override_reason = fields.String(allow_none=True)
    computed_at = fields.AwareDateTime()


class RangeArgsSchema(PageArgsSchema):
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()


class ContactSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    student = fields.Integer(attribute="student_id", dump_only=True)
    by = fields.Integer(attribute="by_id", dump_only=True)
    contacted_at = fields.AwareDateTime(load_default=None)
    channel = fields.String(required=True, validate=validate.OneOf([c.value for c in ContactChannel]))
    outcome = fields.String(required=True, validate=validate.OneOf([o.value for o in ContactOutcome]))
    note = fields.String(load_default="", metadata={"description": "Plain text; stored sanitized (HTML-escaped)"})


class ContactPatchSchema(ContactSchema):
    channel = fields.String(validate=validate.OneOf([c.value for c in ContactChannel]))
    outcome = fields.String(validate=validate.OneOf([o.value for o in ContactOutcome]))
    note = fields.String()


class StudyDaySchema(ApiSchema):
    day = fields.Date()
    live_minutes = fields.Float()
    resource_minutes = fields.Float()
    total_minutes = fields.Float()
    limit_minutes = fields.Integer(allow_none=True)
    over_limit = fields.Boolean()


class StudyTimeArgsSchema(ApiSchema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class StudyTimeSchema(ApiSchema):
    items = fields.List(fields.Nested(StudyDaySchema))


class XapiArgsSchema(ApiSchema):
    from_ = fields.Date(data_key="from", required=True)
    to = fields.Date(required=True, metadata={"description": "Last day, inclusive (UTC)"})
    course = Id()


def _in_school(model, object_id: int):
    obj = db.session.get(model, object_id)
    if (
        obj is None
        or getattr(obj, "effective_school_id", getattr(obj, "school_id", None)) != current_api_user().school_id
    ):
        abort(404)
    return obj


def _between(query, args):
    if args.get("from_"):
        query = query.where(AttendanceRecord.starts_at >= args["from_"])
    if args.get("to"):
        query = query.where(AttendanceRecord.starts_at < args["to"])
    return query


@blp.route("/sessions/<int:session_id>/attendance")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(AttendanceSchema))
def session_attendance(args, session_id: int):
    """A lesson's attendance

    Every student on the lesson's roster. The course's teachers, its classes' class teachers and
    school staff.
    """
    lesson = _in_school(LiveSession, session_id)
    require(current_api_user(), "attendance.view", lesson)
    query = select(AttendanceRecord).where(AttendanceRecord.session_id == lesson.id)
    return paginated(query.order_by(AttendanceRecord.student_id), args)


@blp.route("/students/<int:student_id>/attendance")
@blp.arguments(RangeArgsSchema, location="query")
@blp.response(200, page_of(AttendanceSchema))
def student_attendance(args, student_id: int):
    """A student's attendance

    Lessons starting in [from, to), newest first. The student themself, their teachers and
    class teachers, and school staff.
    """
    student = _in_school(User, student_id)
    require(current_api_user(), "participation.student.view", student)
    return paginated(queries.student_history(student.id, args.get("from_"), args.get("to")), args)


@blp.route("/classes/<int:class_id>/attendance")
@blp.arguments(RangeArgsSchema, location="query")
@blp.response(200, page_of(AttendanceSchema))
def class_attendance(args, class_id: int):
    """A class's attendance

    Every record of the class's students for lessons starting in [from, to).
    """
    unit = _in_school(OrgUnit, class_id)
    require(current_api_user(), "participation.class.view", unit)
    return paginated(queries.class_records(unit.id, args.get("from_"), args.get("to")), args)


@blp.route("/students/<int:student_id>/study-time")
@blp.arguments(StudyTimeArgsSchema, location="query")
@blp.response(200, StudyTimeSchema)
def study_time_of(args, student_id: int):
    """Daily online study time

    Live minutes plus resource minutes per local day of the student, against their stage's daily
    total (at most 62 days; default the last 7).
    """
    student = _in_school(User, student_id)
    require(current_api_user(), "participation.student.view", student)
    from app.core.models import utcnow

    last = args.get("to") or study_time.local_today(student, utcnow())
    first = args.get("from_") or last - timedelta(days=6)
    if first > last or (last - first).days > 61:
        abort_with_messages(422, messages={"from": ["Give at most 62 days, from before to."]})
    days = study_time.study_days([student], first, last)
    return {"items": [days[(student.id, first + timedelta(days=n))] for n in range((last - first).days + 1)]}


@blp.route("/students/<int:student_id>/contacts")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(ContactSchema))
def list_contacts(args, student_id: int):
    """A student's contact log (class teachers and academic affairs)"""
    student = _in_school(User, student_id)
    require(current_api_user(), "participation.contact.log", student)
    query = select(ContactLog).where(ContactLog.student_id == student.id).order_by(ContactLog.contacted_at.desc())
    return paginated(query, args)


@blp.route("/students/<int:student_id>/contacts", methods=["POST"])
@blp.arguments(ContactSchema)
@blp.response(201, ContactSchema)
def create_contact(data, student_id: int):
    """Log a contact

    When (default now), how, the outcome and a note. An outcome of `reached` takes the student
    off the "not reached" list.
    """
    student = _in_school(User, student_id)
    require(current_api_user(), "participation.contact.log", student)
    try:
        return reach.log_contact(current_api_user(), student, data)
    except reach.ContactError as error:
        abort_with_messages(422, messages={error.field: [str(error)]})


def _contact(contact_id: int) -> ContactLog:
    log = _in_school(ContactLog, contact_id)
    require(current_api_user(), "participation.contact.manage", log)
    return log


@blp.route("/contacts/<int:contact_id>")
@blp.response(200, ContactSchema)
def get_contact(contact_id: int):
    """One contact (its author and academic affairs)"""
    return _contact(contact_id)


@blp.route("/contacts/<int:contact_id>", methods=["PATCH"])
@blp.arguments(ContactPatchSchema)
@blp.response(200, ContactSchema)
def patch_contact(data, contact_id: int):
    """Correct a contact (its author and academic affairs)"""
    log = _contact(contact_id)
    try:
        return reach.update_contact(current_api_user(), log, {k: v for k, v in data.items() if v is not None})
    except reach.ContactError as error:
        abort_with_messages(422, messages={error.field: [str(error)]})


@blp.route("/contacts/<int:contact_id>", methods=["DELETE"])
@blp.response(204)
def delete_contact(contact_id: int):
    """Delete a contact logged by mistake (its author and academic affairs)"""
    reach.delete_contact(current_api_user(), _contact(contact_id))


@blp.route("/xapi/statements")
@blp.arguments(XapiArgsSchema, location="query")
@blp.response(200, description="JSON lines, one xAPI statement per line")
def export_xapi(args):
    """Export xAPI statements

    The school's learning records for lessons (and resource completions) in [from, to] as JSON
    lines (application/x-ndjson). School administrators.
    """
    school = db.session.get(OrgUnit, current_api_user().school_id) if current_api_user().school_id else None
    require(current_api_user(), "xapi.export", school)
    from datetime import UTC

    start = datetime.combine(args["from_"], datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(args["to"] + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    body = "".join(line + "\n" for line in xapi_statements.export_lines(school.id, start, end, args.get("course")))
    return Response(body, mimetype="application/x-ndjson")


# Recomputing from the API is the pages' "Recompute from presence" button.
@blp.route("/sessions/<int:session_id>/attendance/recompute", methods=["POST"])
@blp.response(200, page_of(AttendanceSchema))
def recompute(session_id: int):
    """Recompute a lesson's attendance from presence (manual overrides are kept)"""
    lesson = _in_school(LiveSession, session_id)
    require(current_api_user(), "attendance.excuse", lesson)
    attendance.compute_attendance(lesson.id)
    query = select(AttendanceRecord).where(AttendanceRecord.session_id == lesson.id)
    return paginated(query.order_by(AttendanceRecord.student_id), {})

"""/api/v1/sessions and /api/v1/policies: live sessions through the same operations and
policy check as the pages; a refused change answers 422 with the engine's violations."""

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_smorest import abort as abort_with_messages

from app.api.auth import current_api_user
from app.api.base import ApiBlueprint, paginated
from app.api.schedule_schemas import (
    CheckAnswerSchema,
    CreatedSchema,
    PolicyInputSchema,
    PolicyListSchema,
    PolicySchema,
    SessionDeleteArgsSchema,
    SessionInputSchema,
    SessionListArgsSchema,
    SessionPatchSchema,
    SessionSchema,
    SlotListSchema,
    SuggestArgsSchema,
)
from app.api.schemas import page_of
from app.core.errors import error_payload
from app.core.permissions import can, require
from app.extensions import db
from app.orgs.models import Course, OrgUnit
from app.schedule import operations as ops
from app.schedule.loading import school_policy
from app.schedule.models import LiveSession
from app.schedule.presets import PRESETS
from app.schedule.queries import policy_settings, sessions_query
from app.schedule.suggestions import suggest_for

blp = ApiBlueprint("api-schedule", __name__, description="Live sessions and the study-time policy")


def _course(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None or course.school_id != current_api_user().school_id:
        abort(404)
    return course


def _session(session_id: int) -> LiveSession:
    session = db.session.get(LiveSession, session_id)
    if session is None or session.school_id != current_api_user().school_id:
        abort(404)
    require(current_api_user(), "session.manage", session.course)
    return session


def _exception_reason(data: dict, school_id: int):
    reason = data.get("exception_reason")
    if reason and not can(current_api_user(), "exception.approve", db.session.get(OrgUnit, school_id)):
        abort(403)
    return reason


def _refused(error: ops.ScheduleRefused):
    body = error_payload(422, _("This change breaks the study-time policy or double-books a class or a teacher."))
    body["code"] = "policy_violation"
    return jsonify({**body, **error.result.as_dict()}), 422


def _invalid(error: ops.InvalidSchedule):
    abort_with_messages(422, messages={field: [_(message)] for field, message in error.errors.items()})


@blp.route("/sessions", methods=["POST"])
@blp.arguments(SessionInputSchema)
@blp.response(201, CreatedSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create_session(data):
    """Create a session or a weekly series

    Checked against every affected student's study-time policy and against double bookings.
    Refused: 422 with `violations` and `conflicts` (nothing stored). Stored: 201 with the
    sessions and any warnings.
    """
    course = _course(data.pop("course"))
    require(current_api_user(), "session.manage", course)
    data["exception_reason"] = _exception_reason(data, course.school_id)
    repeat = data.pop("repeat", None)
    try:
        if repeat:
            local = data["starts_at"].astimezone(_school_zone(course))
            series_data = {**data, **repeat, "starts_on": local.date(), "start_time": local.time().replace(tzinfo=None)}
            series, result = ops.create_series(current_api_user(), course, series_data)
            sessions, series_id = list(series.sessions), series.id
        else:
            session, result = ops.create_session(current_api_user(), course, data)
            sessions, series_id = [session], None
    except ops.ScheduleRefused as error:
        return _refused(error)
    except ops.InvalidSchedule as error:
        _invalid(error)
    return {"sessions": sessions, "series": series_id, "warnings": [v.as_dict() for v in result.warnings]}


def _school_zone(course):
    from app.schedule.loading import school_timezone
    from app.schedule.policy_index import zone

    return zone(school_timezone(course.school_id))


@blp.route("/sessions/check", methods=["POST"])
@blp.arguments(SessionInputSchema)
@blp.response(200, CheckAnswerSchema)
def check_session(data):
    """Check a session without storing it

    The same check as creating it; `blocked` says whether creating it would be refused.
    """
    course = _course(data["course"])
    require(current_api_user(), "session.manage", course)
    try:
        result = ops.preview_session(course, data)
    except ops.InvalidSchedule as error:
        _invalid(error)
    return {"blocked": result.blocked, **result.as_dict()}


@blp.route("/sessions")
@blp.arguments(SessionListArgsSchema, location="query")
@blp.response(200, page_of(SessionSchema))
def list_sessions(args):
    """List sessions

    The sessions the caller may see (staff: the school; teachers: their courses and classes;
    students: their classes), overlapping [from, to), by start.
    """
    query = sessions_query(
        current_api_user(),
        args.get("from_"),
        args.get("to"),
        course_ids=[args["course"]] if args.get("course") else None,
        class_ids=[args["class_id"]] if args.get("class_id") else None,
        include_cancelled=args["include_cancelled"],
    )
    return paginated(query, args)


@blp.route("/sessions/<int:session_id>", methods=["PATCH"])
@blp.arguments(SessionPatchSchema)
@blp.response(200, SessionSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def update_session(data, session_id: int):
    """Edit or move a session

    `scope`: `one` (this occurrence), `following` or `all` of its series. Checked like a create.
    """
    session = _session(session_id)
    data["exception_reason"] = _exception_reason(data, session.school_id)
    scope = data.pop("scope")
    if scope != "one" and "starts_at" in data:
        local = data.pop("starts_at").astimezone(_school_zone(session.course))
        data["start_time"] = local.time().replace(tzinfo=None)
    try:
        ops.edit_series(current_api_user(), session, data, scope)
    except ops.ScheduleRefused as error:
        return _refused(error)
    except ops.InvalidSchedule as error:
        _invalid(error)
    return session


@blp.route("/sessions/<int:session_id>", methods=["DELETE"])
@blp.arguments(SessionDeleteArgsSchema, location="query")
@blp.response(204)
def delete_session(args, session_id: int):
    """Cancel a session

    The session stays listed as cancelled (calendars need it); `scope` as for PATCH.
    """
    ops.cancel_series(current_api_user(), _session(session_id), {"reason": args.get("reason")}, args["scope"])


@blp.route("/sessions/suggest")
@blp.arguments(SuggestArgsSchema, location="query")
@blp.response(200, SlotListSchema)
def suggest(args):
    """Suggest free slots

    The nearest slots that break no blocking rule for any student and double-book nobody.
    """
    course = _course(args["course"])
    require(current_api_user(), "session.manage", course)
    session = _session(args["session"]) if args.get("session") else None
    slots = suggest_for(course, args["minutes"], args["around"], session=session, limit=args["limit"])
    return {"items": [{"start": s.start, "end": s.end, "warnings": [w.as_dict() for w in s.warnings]} for s in slots]}


def _policies(school_id: int) -> dict:
    stored = policy_settings(school_id)
    items = [
        {"stage": stage, "preset": stored[stage].preset_key if stage in stored else None, "rules": policy.as_dict()}
        for stage, policy in school_policy(school_id).items()
    ]
    presets = [
        {"key": p.key, "name": _(p.name), "source": p.source, "stages": sorted(p.stages)} for p in PRESETS.values()
    ]
    return {"items": items, "presets": presets}


@blp.route("/policies")
@blp.response(200, PolicyListSchema)
def get_policies():
    """The school's study-time policy

    One entry per stage (numbers and each rule's mode), and the presets to choose from.
    """
    user = current_api_user()
    if user.school_id is None:
        abort(404)
    return _policies(user.school_id)


@blp.route("/policies", methods=["PUT"])
@blp.arguments(PolicyInputSchema)
@blp.response(200, PolicySchema)
def put_policy(data):
    """Set one stage's policy

    From a preset, edited numbers (`rules`), or both. Academic affairs and administrators.
    """
    user = current_api_user()
    school = db.session.get(OrgUnit, user.school_id) if user.school_id else None
    require(user, "policy.manage", school)
    try:
        setting = ops.set_policy(user, school, data)
    except ops.InvalidSchedule as error:
        _invalid(error)
    return {"stage": setting.stage, "preset": setting.preset_key, "rules": setting.rules}

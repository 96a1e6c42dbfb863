"""Marshmallow schemas of the live-session and policy API."""

from marshmallow import fields, validate

from app.api.schemas import PageArgsSchema, UnitRefSchema
from app.api.validation import ApiSchema, Id
from app.orgs.models import Stage

SCOPES = ("one", "following", "all")


class RepeatSchema(ApiSchema):
    """A weekly series: these weekdays at the start's wall time in the school's zone."""

    weekdays = fields.List(fields.Integer(validate=validate.Range(min=0, max=6)), required=True)
    until = fields.Date(metadata={"description": "Last day (inclusive); or give count"})
    count = fields.Integer(validate=validate.Range(min=1, max=400))


class SessionInputSchema(ApiSchema):
    course = Id(required=True)
    title = fields.String(validate=validate.Length(max=200))
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with offset"})
    minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=720))
    join_url = fields.String(allow_none=True, validate=validate.Length(max=2000))
    class_ids = fields.List(Id(), metadata={"description": "Default: every class of the course"})
    repeat = fields.Nested(RepeatSchema, metadata={"description": "Make it a weekly series"})
    exception_reason = fields.String(
        metadata={"description": "Academic affairs only: store despite blocking rules, with this reason"}
    )


class SessionPatchSchema(ApiSchema):
    title = fields.String(validate=validate.Length(max=200))
    starts_at = fields.AwareDateTime()
    minutes = fields.Integer(validate=validate.Range(min=1, max=720))
    join_url = fields.String(allow_none=True, validate=validate.Length(max=2000))
    class_ids = fields.List(Id())
    scope = fields.String(validate=validate.OneOf(SCOPES), load_default="one")
    weekdays = fields.List(fields.Integer(validate=validate.Range(min=0, max=6)))
    exception_reason = fields.String()


class SessionDeleteArgsSchema(ApiSchema):
    scope = fields.String(validate=validate.OneOf(SCOPES), load_default="one")
    reason = fields.String(validate=validate.Length(max=500))


class SessionSchema(ApiSchema):
    id = fields.Integer()
    course = fields.Integer(attribute="course_id")
    series = fields.Integer(attribute="series_id", allow_none=True)
    title = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    original_starts_at = fields.AwareDateTime()
    join_url = fields.String(allow_none=True)
    status = fields.String()
    sequence = fields.Integer()
    classes = fields.List(fields.Nested(UnitRefSchema))


class CheckAnswerSchema(ApiSchema):
    blocked = fields.Boolean()
    violations = fields.List(fields.Dict(), metadata={"description": "Violation.as_dict() of the policy engine"})
    conflicts = fields.List(fields.Dict())


class CreatedSchema(ApiSchema):
    sessions = fields.List(fields.Nested(SessionSchema))
    series = fields.Integer(allow_none=True)
    warnings = fields.List(fields.Dict())


class SessionListArgsSchema(PageArgsSchema):
    from_ = fields.AwareDateTime(data_key="from")
    to = fields.AwareDateTime()
    course = Id()
    class_id = Id(data_key="class")
    include_cancelled = fields.Boolean(load_default=False)


class SuggestArgsSchema(ApiSchema):
    course = Id(required=True)
    around = fields.AwareDateTime(required=True)
    minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=720))
    session = fields.Integer(metadata={"description": "Suggest a move of this stored session"})
    limit = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))


class SlotSchema(ApiSchema):
    start = fields.AwareDateTime()
    end = fields.AwareDateTime()
    warnings = fields.List(fields.Dict())


class SlotListSchema(ApiSchema):
    items = fields.List(fields.Nested(SlotSchema))


class PolicyInputSchema(ApiSchema):
    stage = fields.String(required=True, validate=validate.OneOf([str(s) for s in Stage]))
    preset = fields.String(allow_none=True)
    rules = fields.Dict(metadata={"description": "StagePolicy.as_dict() fields, with modes per rule"})


class PolicySchema(ApiSchema):
    stage = fields.String()
    preset = fields.String(allow_none=True)
    rules = fields.Dict()


class PolicyListSchema(ApiSchema):
    items = fields.List(fields.Nested(PolicySchema))
    presets = fields.List(fields.Dict())

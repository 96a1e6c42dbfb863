"""Marshmallow schemas of the JSON API: the shared list envelope and error, and the resources."""

from __future__ import annotations

from functools import cache

from marshmallow import Schema, fields, validate

from app.api.validation import ApiSchema, Id
from app.auth.models import Role
from app.core.pagination import DEFAULT_PER_PAGE, MAX_PER_PAGE
from app.orgs.models import Stage, UnitKind


class ErrorSchema(ApiSchema):
    """What every error answer looks like (rendered by app/core/errors.py)."""

    code = fields.String(required=True, metadata={"description": "Machine-readable name, e.g. not_found"})
    message = fields.String(required=True, metadata={"description": "Human-readable, in the caller's language"})
    errors = fields.Dict(metadata={"description": "Field name -> list of messages (validation errors)"})


class PageArgsSchema(ApiSchema):
    """?page=&per_page= — every list endpoint's query arguments extend this."""

    page = fields.Integer(validate=validate.Range(min=1), metadata={"description": "1-based page number"})
    per_page = fields.Integer(
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": f"Items per page (default {DEFAULT_PER_PAGE}, at most {MAX_PER_PAGE})"},
    )


@cache
def page_of(item_schema: type[Schema]) -> type[Schema]:
    """The list envelope {"items", "page", "per_page", "total", "pages"} around `item_schema`."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    return type(
        name,
        (ApiSchema,),
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
            "total": fields.Integer(required=True, metadata={"description": "Items on all pages"}),
            "pages": fields.Integer(required=True, metadata={"description": "Number of pages (at least 1)"}),
            "__doc__": f"One page of {item_schema.__name__.removesuffix('Schema')} items.",
        },
    )


class UnitRefSchema(ApiSchema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.Enum(UnitKind, by_value=True)


class PersonRefSchema(ApiSchema):
    id = fields.Integer()
    name = fields.String()


# --- tokens -----------------------------------------------------------------------------------


class TokenRequestSchema(ApiSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    name = fields.String(validate=validate.Length(max=120), metadata={"description": "A label for the token"})


class IssuedTokenSchema(ApiSchema):
    token = fields.String(metadata={"description": "The secret; shown only in this answer"})
    expires_at = fields.AwareDateTime()
    id = fields.Integer()
    name = fields.String()


class TokenSchema(ApiSchema):
    """A token as its owner sees it later: never the secret, only its first characters."""

    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    active = fields.Function(
        lambda token: token.is_usable(), metadata={"type": "boolean", "description": "Neither expired nor revoked"}
    )


# --- people -----------------------------------------------------------------------------------


class RoleGrantSchema(ApiSchema):
    role = fields.Enum(Role, by_value=True)
    unit = fields.Nested(UnitRefSchema, allow_none=True, metadata={"description": "The scope, if any"})


class SchoolRefSchema(ApiSchema):
    id = fields.Integer()
    name = fields.String()
    timezone = fields.String(allow_none=True)


class MeSchema(ApiSchema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    roles = fields.List(fields.Nested(RoleGrantSchema), attribute="role_grants")
    school = fields.Nested(SchoolRefSchema, allow_none=True)
    timezone = fields.String()
    locale = fields.String(allow_none=True)
    classes = fields.List(fields.Nested(UnitRefSchema))


# --- org units and courses --------------------------------------------------------------------


class OrgUnitSchema(ApiSchema):
    id = fields.Integer()
    kind = fields.Enum(UnitKind, by_value=True)
    name = fields.String()
    code = fields.String(allow_none=True)
    parent_id = fields.Integer(allow_none=True)
    school_id = fields.Integer(allow_none=True, metadata={"description": "Null on a school itself"})
    stage = fields.Enum(Stage, by_value=True, allow_none=True)
    grade_number = fields.Integer(allow_none=True)
    timezone = fields.String(allow_none=True)


class OrgUnitListArgsSchema(PageArgsSchema):
    kind = fields.Enum(UnitKind, by_value=True)
    parent = fields.Integer(metadata={"description": "Only the children of this unit"})


class TermRefSchema(ApiSchema):
    id = fields.Integer()
    name = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()


class CourseSchema(ApiSchema):
    id = fields.Integer()
    name = fields.String()
    subject = fields.String()
    code = fields.String(allow_none=True)
    school_id = fields.Integer()
    term = fields.Nested(TermRefSchema, allow_none=True)
    teachers = fields.List(fields.Nested(PersonRefSchema))
    classes = fields.List(fields.Nested(UnitRefSchema))


class CourseListArgsSchema(PageArgsSchema):
    term = Id(metadata={"description": "Term id"})
    class_id = Id(data_key="class", metadata={"description": "Class id"})
    teacher = Id(metadata={"description": "Teacher's user id"})

"""/api/v1/sources: academic affairs' catalog sources, their harvests and run history."""

from __future__ import annotations

from flask import abort
from flask_smorest import abort as smorest_abort
from marshmallow import fields, validate
from sqlalchemy import select

from app.api.auth import current_api_user
from app.api.base import ApiBlueprint, paginated
from app.api.schemas import PageArgsSchema, page_of
from app.api.validation import ApiSchema
from app.catalog.harvest import harvest_source
from app.catalog.models import CatalogSource
from app.catalog.sources_ops import SourceInvalid, create_source, delete_source, update_source
from app.core.permissions import require
from app.extensions import db
from courses.records import Level

blp = ApiBlueprint("api-catalog-sources", __name__, description="Catalog sources and their harvests")


class HarvestRunSchema(ApiSchema):
    id = fields.Integer()
    started_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)
    status = fields.Function(lambda run: run.status.value)
    added = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    withdrawn = fields.Integer()
    errors = fields.List(
        fields.Dict(), metadata={"description": "Skipped records: external_id, position, field, reason"}
    )
    message = fields.String(allow_none=True, metadata={"description": "Why a failed run failed"})


class SourceSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    type = fields.String(required=True, metadata={"description": "json, csv, rss or oai_pmh"})
    level = fields.Enum(Level, by_value=True, required=True)
    provider = fields.String(allow_none=True)
    enabled = fields.Boolean()
    interval_hours = fields.Integer(metadata={"description": "Hours between scheduled harvests; 0 = manual only"})
    config = fields.Dict(metadata={"description": "The adapter's settings (url, timeout, ...)"})
    last_run_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    last_success_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    last_run = fields.Function(lambda source: HarvestRunSchema().dump(source.runs[0]) if source.runs else None)


class SourcePatchSchema(SourceSchema):
    """The fields of a source to change (every field optional)."""


def _school():
    user = current_api_user()
    if user.school is None:
        abort(403)
    require(user, "catalog.source.manage", user.school)
    return user, user.school


def _source(source_id: int) -> CatalogSource:
    user = current_api_user()
    source = db.session.get(CatalogSource, source_id)
    if source is None or source.school_id != user.school_id:
        abort(404)
    require(user, "catalog.source.manage", source)
    return source


def _invalid(error: SourceInvalid):
    smorest_abort(422, message="Some of the data is not valid.", errors=error.errors)


def _as_data(args: dict) -> dict:
    data = dict(args)
    if isinstance(data.get("level"), Level):
        data["level"] = data["level"].value
    return data


@blp.route("/sources")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(SourceSchema))
def list_sources(args):
    """List catalog sources

    The caller's school's sources with their last run. Academic affairs and administrators only.
    """
    _user, school = _school()
    query = select(CatalogSource).where(CatalogSource.school_id == school.id).order_by(CatalogSource.name)
    return paginated(query, args)


@blp.route("/sources", methods=["POST"])
@blp.arguments(SourceSchema)
@blp.response(201, SourceSchema)
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def create(args):
    """Add a catalog source

    `config` takes the adapter's settings (see its configuration schema); URLs must be http(s).
    """
    user, school = _school()
    try:
        return create_source(user, school, _as_data(args))
    except SourceInvalid as error:
        _invalid(error)


@blp.route("/sources/<int:source_id>")
@blp.response(200, SourceSchema)
@blp.alt_response(404, response="NOT_FOUND")
def get_source(source_id: int):
    """Get a catalog source"""
    return _source(source_id)


@blp.route("/sources/<int:source_id>", methods=["PATCH"])
@blp.arguments(SourcePatchSchema(partial=True))
@blp.response(200, SourceSchema)
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def patch_source(args, source_id: int):
    """Change a catalog source

    Fields left out keep their values; `config` keys given replace those keys only.
    """
    source = _source(source_id)
    try:
        return update_source(current_api_user(), source, _as_data(args))
    except SourceInvalid as error:
        _invalid(error)


@blp.route("/sources/<int:source_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, response="NOT_FOUND")
def remove_source(source_id: int):
    """Delete a catalog source

    Its resources go too, except those a lesson plan lists: they stay, withdrawn.
    """
    delete_source(current_api_user(), _source(source_id))


@blp.route("/sources/<int:source_id>/harvest", methods=["POST"])
@blp.response(200, HarvestRunSchema)
@blp.alt_response(404, response="NOT_FOUND")
def harvest(source_id: int):
    """Harvest a source now

    Answers the run (also when it failed: the run says why, and is kept in the history).
    """
    return harvest_source(_source(source_id))


@blp.route("/sources/<int:source_id>/runs")
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, page_of(HarvestRunSchema))
def list_runs(args, source_id: int):
    """A source's harvest runs, newest first"""
    from app.catalog.models import HarvestRun

    source = _source(source_id)
    return paginated(select(HarvestRun).where(HarvestRun.source_id == source.id).order_by(HarvestRun.id.desc()), args)

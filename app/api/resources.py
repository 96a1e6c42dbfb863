"""API resources; each domain's blueprint (an `app.api.base.ApiBlueprint`) is listed in BLUEPRINTS."""

from app.api import (
    calendar,
    catalog_resources,
    catalog_sources,
    orgs,
    participation,
    people,
    reports,
    schedule,
    tokens,
)

BLUEPRINTS: list = [
    tokens.blp,
    people.blp,
    orgs.blp,
    catalog_resources.blp,
    catalog_sources.blp,
    schedule.blp,
    calendar.blp,
    participation.blp,
    reports.blp,
]

"""API resources; each domain's blueprint (an `app.api.base.ApiBlueprint`) is listed in BLUEPRINTS."""

from app.api import catalog_sources, orgs, people, tokens

BLUEPRINTS: list = [tokens.blp, people.blp, orgs.blp, catalog_sources.blp]

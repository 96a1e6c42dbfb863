"""API resources; each domain's blueprint is listed in BLUEPRINTS."""

BLUEPRINTS: list = []

"""Academic affairs' operations on catalog sources: create, update, delete, test.

The settings a source takes come from its adapter's ``configuration_schema()`` (courses.sources),
so a new adapter gets its form and API fields without changes here. Flush, never commit.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.catalog.harvest import adapter_for, address_policy
from app.catalog.merging import apply_display_fields
from app.catalog.models import CatalogSource, LessonPlanItem, ResourceOrigin
from app.core.audit import record as audit
from app.extensions import db
from courses.records import Level
from courses.sources import AddressRefused, SourceError, available_types, get_source_class
from courses.sources.netguard import check_url

# Kept in CatalogSource's own columns, not in its config.
COLUMN_FIELDS = ("level", "provider")

# Why an address is refused (courses.sources.netguard's kinds), as the form says it.
ADDRESS_REFUSALS = {
    "metadata": _l("%(target)s is a cloud metadata address: sources are never fetched from it."),
    "link_local": _l("%(target)s is a link-local address: sources are never fetched from it."),
    "not_host": _l("%(target)s is not the address of a server."),
    "loopback": _l(
        "%(target)s is this server's own address: sources are fetched from it only if the "
        "administrator allows private addresses."
    ),
    "private": _l(
        "%(target)s is a private network address: sources are fetched from it only if the "
        "administrator allows private addresses."
    ),
}


class SourceInvalid(ValueError):
    """Field name -> messages, for the form and the API's 422."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(errors))
        self.errors = errors


def config_fields(type_name: str) -> list[dict]:
    """The adapter's own settings, as the form and the API show them."""
    return [f for f in get_source_class(type_name).configuration_schema()["fields"] if f["name"] not in COLUMN_FIELDS]


def _clean_config(type_name: str, raw: dict, errors: dict) -> dict:
    config = {}
    for spec in config_fields(type_name):
        name, value = spec["name"], raw.get(spec["name"])
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if spec["required"]:
                errors.setdefault(name, []).append(_("Required."))
            continue
        if spec["kind"] == "url" and not str(value).lower().startswith(("http://", "https://")):
            # Never a server path: a path's contents would come back in error messages.
            errors.setdefault(name, []).append(_("Enter an http:// or https:// address."))
        elif spec["kind"] == "url":
            message = _address_error(str(value))
            if message:
                errors.setdefault(name, []).append(message)
        elif spec["kind"] == "number":
            try:
                value = float(value)
                if value <= 0:
                    raise ValueError
            except (TypeError, ValueError):
                errors.setdefault(name, []).append(_("Enter a positive number."))
        elif spec["kind"] == "boolean":
            value = _as_bool(value)
            if value is None:
                errors.setdefault(name, []).append(_("Choose yes or no."))
        elif spec["kind"] == "choice" and value not in spec["choices"]:
            errors.setdefault(name, []).append(_("Choose one of: %(choices)s.", choices=", ".join(spec["choices"])))
        config[name] = value
    return config


def _as_bool(value) -> bool | None:
    """A yes/no setting from a form checkbox ("on"), JSON (true/false) or a CLI ("1", "yes")."""
    words = str(value).strip().lower()
    if value is True or words in ("1", "true", "on", "yes", "y"):
        return True
    if value is False or words in ("0", "false", "off", "no", "n"):
        return False
    return None


def _address_error(url: str) -> str | None:
    """Why the server may not fetch ``url`` (checked again at every fetch: DNS can change)."""
    try:
        check_url(url, address_policy())
    except AddressRefused as refused:
        if refused.address is None:
            return _("Enter an http:// or https:// address.")
        target = str(refused.address)
        if refused.host and refused.host != target:
            target = f"{refused.host} ({target})"
        return str(ADDRESS_REFUSALS[refused.kind]) % {"target": target}
    except SourceError:
        return _("Enter a valid web address.")
    return None


def clean_source_data(school_id: int, data: dict, source: CatalogSource | None = None) -> dict:
    """Validated column values and config from form or API ``data``; raises SourceInvalid."""
    errors: dict[str, list[str]] = {}
    merged = {}
    if source is not None:
        columns = ("name", "type", "provider", "enabled", "interval_hours")
        merged = {name: getattr(source, name) for name in columns} | {"level": source.level.value}
        merged.update(source.config or {})
    merged.update({key: value for key, value in data.items() if value is not None})
    if isinstance(data.get("config"), dict):
        merged.update(data["config"])
    name = str(merged.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Required.")]
    elif len(name) > 120:
        errors["name"] = [_("At most 120 characters.")]
    else:
        clash = select(func.count()).where(CatalogSource.school_id == school_id, CatalogSource.name == name)
        if source is not None:
            clash = clash.where(CatalogSource.id != source.id)
        if db.session.scalar(clash):
            errors["name"] = [_("Another source already has this name.")]
    type_name = merged.get("type")
    if type_name not in available_types():
        errors["type"] = [_("Choose one of: %(choices)s.", choices=", ".join(available_types()))]
        raise SourceInvalid(errors)
    if source is not None and type_name != source.type:
        errors["type"] = [_("The type of a source cannot change; add a new source instead.")]
    try:
        level = Level(str(merged.get("level") or ""))
    except ValueError:
        errors["level"] = [_("Choose national, provincial, municipal or school.")]
        level = None
    try:
        interval = int(merged.get("interval_hours", 24))
        if not 0 <= interval <= 24 * 365:
            raise ValueError
    except (TypeError, ValueError):
        errors["interval_hours"] = [_("Enter whole hours from 0 (manual only) to 8760.")]
        interval = 24
    config = _clean_config(type_name, merged, errors)
    if errors:
        raise SourceInvalid(errors)
    enabled = merged.get("enabled", True)
    if isinstance(enabled, str):
        enabled = enabled.lower() in ("1", "true", "on", "yes", "y")
    return {"name": name, "type": type_name, "level": level, "provider": (merged.get("provider") or "").strip() or None,
            "enabled": bool(enabled), "interval_hours": interval, "config": config}  # fmt: skip


def create_source(actor, school, data: dict) -> CatalogSource:
    values = clean_source_data(school.id, data)
    source = CatalogSource(school_id=school.id, **values)
    db.session.add(source)
    db.session.flush()
    audit(actor, "catalog.source.created", source, name=source.name, type=source.type)
    return source


def update_source(actor, source: CatalogSource, data: dict) -> CatalogSource:
    values = clean_source_data(source.school_id, data, source)
    if str(source.config.get("url", "")).startswith("bundled:"):
        values["config"]["url"] = source.config["url"]  # a bundled sample keeps its shipped file
    for name, value in values.items():
        setattr(source, name, value)
    db.session.flush()
    audit(actor, "catalog.source.updated", source, name=source.name)
    return source


def delete_source(actor, source: CatalogSource) -> None:
    """Remove the source and its origins; a resource left without origins goes, unless a lesson
    plan lists it (then it stays, withdrawn, so the class keeps its plan)."""
    origins = db.session.scalars(select(ResourceOrigin).where(ResourceOrigin.source_id == source.id)).all()
    touched = {origin.resource for origin in origins}
    for origin in origins:
        origin.resource.origins.remove(origin)
    db.session.flush()
    for resource in touched:
        if resource.origins:
            apply_display_fields(resource)
        elif db.session.scalar(select(func.count()).where(LessonPlanItem.resource_id == resource.id)):
            resource.withdrawn = True
        else:
            db.session.delete(resource)
    audit(actor, "catalog.source.deleted", source, name=source.name, origins=len(origins))
    db.session.delete(source)
    db.session.flush()


def test_source(source: CatalogSource) -> tuple[bool, str]:
    """Read the first records: (True, what was found) or (False, why it failed)."""
    try:
        return True, adapter_for(source).test()
    except SourceError as exc:
        return False, str(exc)
    except Exception as exc:  # noqa: BLE001 - a test must answer, whatever the server sent
        return False, f"{exc.__class__.__name__}: {exc}"

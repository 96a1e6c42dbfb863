"""Registry of source adapters, after redash's query-runner registry.

``register(cls)`` adds a Source subclass under its ``type`` when ``cls.enabled()`` (its optional
dependencies import); ``get_source_class`` and ``available_types`` are what the app's source form
and harvest job use. The built-in adapters register themselves when this package is imported.
"""

from __future__ import annotations

import importlib
import logging

from courses.sources.base import ConfigField, Source, SourceError
from courses.sources.netguard import STRICT, AddressPolicy, AddressRefused

logger = logging.getLogger(__name__)

_registry: dict[str, type[Source]] = {}

BUILTIN_ADAPTERS = (
    "courses.sources.json_feed",
    "courses.sources.csv_source",
    "courses.sources.rss",
    "courses.sources.oai_pmh",
)


def register(source_class: type[Source]) -> type[Source]:
    """Add ``source_class`` to the registry if its dependencies are there (usable as a decorator)."""
    if not source_class.type:
        raise ValueError(f"{source_class.__name__} has no type name")
    if source_class.enabled():
        _registry[source_class.type] = source_class
    else:
        logger.info("source type %s not registered: a dependency is missing", source_class.type)
    return source_class


def get_source_class(type_name: str) -> type[Source]:
    try:
        return _registry[type_name]
    except KeyError:
        raise SourceError(f"unknown or unavailable source type {type_name!r}") from None


def make_source(type_name: str, config: dict, source_name: str = "", *, allow_local_files: bool = False,
                address_policy: AddressPolicy = STRICT) -> Source:  # fmt: skip
    """An instance of the registered class; local paths/file:// URLs only when the caller allows
    them, and only the hosts ``address_policy`` allows (public ones by default)."""
    source_class = get_source_class(type_name)
    return source_class(config, source_name=source_name, allow_local_files=allow_local_files,
                        address_policy=address_policy)  # fmt: skip


def available_types() -> list[str]:
    """Registered (hence enabled) type names, in registration order."""
    return [name for name, cls in _registry.items() if cls.enabled()]


def import_adapters(module_names=BUILTIN_ADAPTERS) -> None:
    for module_name in module_names:
        importlib.import_module(module_name)


import_adapters()

__all__ = [
    "STRICT",
    "AddressPolicy",
    "AddressRefused",
    "ConfigField",
    "Source",
    "SourceError",
    "available_types",
    "get_source_class",
    "make_source",
    "register",
]

"""`flask translations ...`: keep the zh_Hans_CN and en catalogs complete.

msgids are English. `update` re-extracts every string, merges it into both catalogs and
fills the English one (msgstr = msgid); translators then fill the Chinese entries that
`check` lists. The test suite runs `missing_translations()` so no string ships untranslated.
"""

from __future__ import annotations

import io
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parent.parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
LOCALES = ("zh_Hans_CN", "en")
# Babel's defaults (_ gettext ngettext N_ pgettext ...) plus Flask-Babel's lazy forms.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_ngettext": (1, 2)}


def catalog_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    """Every user-visible string in app/ (Python and Jinja templates)."""
    with open(ROOT / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(project="Kexu", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog(locale: str) -> Catalog:
    with open(catalog_path(locale), "rb") as handle:
        return read_po(handle, locale=locale)


def _write(catalog: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def update_catalogs() -> dict[str, int]:
    """Merge freshly extracted strings into both catalogs; return untranslated counts."""
    template = extract()
    _write(template, TRANSLATIONS / "messages.pot")
    counts = {}
    for locale in LOCALES:
        catalog = read_catalog(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == "en":
            for message in catalog:
                if message.id and not _translated(message):
                    message.string = message.id
                message.flags.discard("fuzzy")
        _write(catalog, catalog_path(locale))
        counts[locale] = sum(1 for m in catalog if m.id and not _translated(m))
    return counts


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and "fuzzy" not in message.flags


def missing_translations() -> dict[str, list[str]]:
    """For each locale, the msgids used in the code that the catalog does not translate."""
    wanted = {_key(m.id) for m in extract() if m.id}
    missing = {}
    for locale in LOCALES:
        catalog = read_catalog(locale)
        done = {_key(m.id) for m in catalog if m.id and _translated(m)}
        missing[locale] = sorted(str(key) for key in wanted - done)
    return missing


def _key(msgid):
    return msgid if isinstance(msgid, str) else tuple(msgid)


translations_cli = AppGroup("translations", help="Extract, merge and check the message catalogs.")


@translations_cli.command("update")
def update_command():
    """Re-extract strings into both catalogs and fill the English one."""
    for locale, count in update_catalogs().items():
        click.echo(f"{locale}: {count} untranslated")


@translations_cli.command("check")
def check_command():
    """List strings the catalogs do not translate; exit 1 if there are any."""
    missing = missing_translations()
    for locale, msgids in missing.items():
        for msgid in msgids:
            click.echo(f"{locale}: {msgid}")
    if any(missing.values()):
        raise SystemExit(1)
    click.echo("All strings are translated in " + ", ".join(LOCALES) + ".")


def register(app) -> None:
    app.cli.add_command(translations_cli)

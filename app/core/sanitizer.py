"""The one place bleach is configured: user-written HTML and text made safe to show.

Every field that ends up in a page unescaped goes through `sanitize(value, kind)`:

- "rich": descriptions, teacher notes. A small allow-list of formatting tags; links only to
  http, https and mailto, always with rel="noopener nofollow"; bare URLs become links.
- "chat": chat and comment messages. Treated as plain text (what was typed is what is shown,
  so "a<b" stays "a<b"); URLs become links, no other markup.
- "plain": titles, names. All tags stripped, text escaped.

The result is `Markup`, so templates print it as is and never escape it twice.
"""

from __future__ import annotations

import html
import threading
from functools import partial
from typing import Literal

import bleach
from bleach.linkifier import Linker, LinkifyFilter, build_url_re
from markupsafe import Markup

Kind = Literal["rich", "chat", "plain"]

RICH_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "code", "pre"})
RICH_ATTRIBUTES = {"a": ["href", "title"]}
LINK_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener nofollow"

# bleach's default URL pattern also recognises data:, ftp: and others; only web links are
# turned into anchors here.
_URL_RE = build_url_re(protocols=["http", "https"])


def _safe_link(attrs: dict, new: bool = False) -> dict | None:
    """Linkify callback: keep only web and mail links, and mark them noopener nofollow.

    Returning None drops the anchor and keeps its text.
    """
    href = (attrs.get((None, "href")) or "").strip()
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    if scheme not in LINK_PROTOCOLS:
        return None
    attrs[(None, "rel")] = LINK_REL
    return attrs


# bleach's parsers keep state while they work, so each thread (or greenlet, under gevent's
# patched threading) gets its own cleaners.
_local = threading.local()


def _tools():
    if not hasattr(_local, "rich"):
        _local.rich = bleach.Cleaner(
            tags=RICH_TAGS,
            attributes=RICH_ATTRIBUTES,
            protocols=LINK_PROTOCOLS,
            strip=True,
            strip_comments=True,
            # Runs after sanitising: old and new links get their rel; URLs inside code stay text.
            filters=[partial(LinkifyFilter, callbacks=[_safe_link], skip_tags={"pre", "code"}, url_re=_URL_RE)],
        )
        _local.chat = Linker(callbacks=[_safe_link], url_re=_URL_RE, parse_email=False)
        _local.plain = bleach.Cleaner(tags=frozenset(), attributes={}, protocols=frozenset(), strip=True)
    return _local


def _linkify_text(text: str) -> str:
    """Escape plain text and turn its URLs into links.

    URLs are found in the raw text, where "<" ends them; in escaped text "&lt;" would look like
    part of the URL ("https://a.example&lt;/b&gt;"). Each URL alone then goes through bleach's
    linker, which trims trailing punctuation and unbalanced parentheses.
    """
    pieces = []
    last = 0
    for match in _URL_RE.finditer(text):
        pieces.append(html.escape(text[last : match.start()], quote=False))
        pieces.append(_tools().chat.linkify(html.escape(match.group(0), quote=False)))
        last = match.end()
    pieces.append(html.escape(text[last:], quote=False))
    return "".join(pieces)


def sanitize(value: str | None, kind: Kind = "rich") -> Markup:
    """Return `value` as HTML that is safe to insert into a page, per the rules of `kind`."""
    if not value:
        return Markup("")
    if kind == "rich":
        return Markup(_tools().rich.clean(value))
    if kind == "chat":
        return Markup(_linkify_text(value))
    if kind == "plain":
        return Markup(_tools().plain.clean(value))
    raise ValueError(f"unknown sanitizer kind {kind!r}")

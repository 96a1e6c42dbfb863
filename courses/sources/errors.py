"""The error a whole source fails with; its own module so the address guard can raise it too."""

from __future__ import annotations


class SourceError(Exception):
    """The whole source failed (unreachable, timed out, HTTP error, not the expected format)."""

"""One builder per report: Scope -> Report, reading the rollups."""

from app.reports.builders.stubs import BUILDERS

__all__ = ["BUILDERS"]

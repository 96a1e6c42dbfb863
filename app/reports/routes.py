"""Report pages: the dashboard and its drill-downs, with CSV/XLSX downloads."""

from app.reports import bp  # noqa: F401

"""Framework-free catalog aggregation for Kexu.

Nothing in this package imports Flask or ``app``: the web app (and any script or job) harvests
course resources through :mod:`courses.sources`, normalises them with :mod:`courses.normalize`,
finds duplicates with :mod:`courses.dedupe` and builds search indexes from
:mod:`courses.search_text`.
"""

from courses.records import Level, MediaType, Origin, RecordError, ResourceRecord

__all__ = ["Level", "MediaType", "Origin", "RecordError", "ResourceRecord"]

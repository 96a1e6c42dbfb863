"""URL converters shared by every blueprint."""

from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns (32-bit on PostgreSQL): a larger number in a URL names no row, and
# passing it to the database would fail with an overflow (a 500) instead of "not found".
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` that answers 404 for numbers no id can have."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(value) -> int | None:
    """An id typed into a form or query string, or None when it cannot name a row."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None

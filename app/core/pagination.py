"""One way to paginate, for pages and the API alike."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, select

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
# Far past any real list; keeps the row offset within what the database accepts.
MAX_PAGE = 100_000


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def meta(self) -> dict:
        return {"page": self.page, "per_page": self.per_page, "total": self.total, "pages": self.pages}


def page_args(page=None, per_page=None) -> tuple[int, int]:
    """Page number and size from arguments or the query string, clamped to sane values."""

    def as_int(value, default):
        try:
            return int(value)
        except (TypeError, ValueError):
            return default

    page = as_int(page if page is not None else request.args.get("page"), 1)
    per_page = as_int(per_page if per_page is not None else request.args.get("per_page"), DEFAULT_PER_PAGE)
    return min(max(1, page), MAX_PAGE), min(max(1, per_page), MAX_PER_PAGE)


def paginate(session, query: Select, page: int, per_page: int) -> Page:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total or 0)

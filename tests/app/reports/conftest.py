"""Report fixtures: lessons with presence (from the participation tests) and API tokens."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.reports.report import Scope
from tests.app.api.conftest import bearer, token_for  # noqa: F401 - fixtures
from tests.app.participation.conftest import lesson_people, make_lesson, stay  # noqa: F401 - fixtures


@pytest.fixture
def scope_of():
    """scope_of(kind, obj_or_id, school, first, last=None): a Scope over local days."""

    def make(kind, target, school, first: date | datetime, last: date | datetime | None = None) -> Scope:
        first = first.date() if isinstance(first, datetime) else first
        last = (last.date() if isinstance(last, datetime) else last) or first
        ident = target if isinstance(target, int) else target.id
        return Scope(school.id, kind, ident, first - timedelta(days=1), last + timedelta(days=1))

    return make

"""Fixtures for API tests: a bearer token for any user."""

import pytest

from app.auth import operations
from app.extensions import db


@pytest.fixture
def token_for(app):
    """Issue a real API token for `user` (committed) and return its secret."""

    def issue(user, name="test"):
        _token, secret = operations.issue_token(user, name)
        db.session.commit()
        return secret

    return issue


@pytest.fixture
def bearer(token_for):
    """Authorization headers carrying a fresh token of `user`."""

    def headers(user):
        return {"Authorization": f"Bearer {token_for(user)}"}

    return headers


# The scheduling fixtures, for the schedule API tests.
from tests.app.schedule.conftest import timetable  # noqa: E402,F401

"""Periodic jobs: a serving process's first request starts every enabled job once."""

import threading

import pytest

from app.core.periodic import add_job, start_jobs


class StopJob(BaseException):
    """Ends a job's background loop (the loop only survives Exception)."""


def _job(ran: threading.Event, rounds: list, stop_after: int):
    def run():
        rounds.append(1)
        if len(rounds) == 1:
            raise RuntimeError("a failed round")  # logged; the next round still runs
        if len(rounds) >= stop_after:
            ran.set()
            raise StopJob

    return run


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # StopJob ends the thread
def test_first_request_starts_enabled_jobs_which_survive_a_failed_round(make_app):
    app = make_app(TESTING=False, LIVE_ASYNC_MODE="threading")  # a real thread under the test runner
    ran, rounds, disabled_rounds = threading.Event(), [], []
    add_job(app, "counting", lambda: 0.01, _job(ran, rounds, 3), lambda: True)
    add_job(app, "switched off", lambda: 0.01, lambda: disabled_rounds.append(1), lambda: False)

    response = app.test_client().get("/login")

    assert response.status_code == 200 and "Sign in" in response.get_data(as_text=True)
    assert ran.wait(10), "the enabled job did not run three rounds"
    assert len(rounds) == 3
    assert disabled_rounds == []
    assert start_jobs(app) == [], "jobs start once per app"


def test_jobs_never_start_under_testing(make_app):
    app = make_app()
    rounds = []
    add_job(app, "counting", lambda: 0.01, lambda: rounds.append(1), lambda: True)

    app.test_client().get("/login")

    assert start_jobs(app) == []
    assert rounds == []

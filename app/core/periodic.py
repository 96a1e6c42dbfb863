"""Periodic jobs of a serving process.

A domain registers a job with `add_job(app, name, every_seconds, run, enabled)`; the first
request a serving process answers starts one background task per enabled job, which calls
`run()` inside an app context every `every_seconds`. Nothing starts under TESTING or in CLI
commands (they answer no requests). Each job has a setting that turns it off, so cron can run
the same work through its `flask ...` command instead (docs/operations.md).

`run()` commits its own units of work; an exception is logged, rolled back, and the next round
runs as planned.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from app.extensions import db, socketio

log = logging.getLogger(__name__)
JOBS_KEY = "kexu_periodic_jobs"
STARTED_KEY = "kexu_periodic_started"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every_seconds: Callable[[], float]
    run: Callable[[], object]
    enabled: Callable[[], bool]


def add_job(app: Flask, name: str, every_seconds: Callable[[], float], run, enabled: Callable[[], bool]) -> None:
    """Register a job; the hook that starts the jobs is installed with the first one."""
    jobs = app.extensions.get(JOBS_KEY)
    if jobs is None:
        jobs = app.extensions[JOBS_KEY] = []
        app.before_request(lambda: _start_on_first_request(app))
    jobs.append(PeriodicJob(name, every_seconds, run, enabled))


def _start_on_first_request(app: Flask) -> None:
    start_jobs(app)  # a before_request hook must return None, or its value becomes the response


def start_jobs(app: Flask) -> list[str]:
    """Start every enabled job once per app; returns the names started (none after the first call)."""
    if app.extensions.get(STARTED_KEY) or app.config.get("TESTING"):
        return []
    app.extensions[STARTED_KEY] = True
    started = []
    for job in app.extensions.get(JOBS_KEY, []):
        if job.enabled():
            socketio.start_background_task(_loop, app, job, float(job.every_seconds()))
            started.append(job.name)
    return started


def _loop(app: Flask, job: PeriodicJob, seconds: float) -> None:
    while True:
        with app.app_context():
            try:
                job.run()
            except Exception:  # a failed round must not stop the next one
                db.session.rollback()
                log.exception("periodic job %s failed", job.name)
        socketio.sleep(seconds)

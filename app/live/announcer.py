"""Presence changes, announced to a room in batches rather than one broadcast per arrival.

When a class of 1,000 arrives within a minute, one `presence` broadcast per arrival is a
million messages (every arrival to everyone). Instead each process collects its rooms'
changes and sends one `presence` event per room every LIVE_PRESENCE_BATCH_SECONDS (0.3 s):
`{count, changes: [{user_id, name, role, present}]}`. A user who arrives and leaves within
one batch appears once, with their last state; `count` is read from the database when the
batch goes out, so it counts every process's connections. The joining client itself gets the
full presence list in its `join` answer.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from app.core.models import utcnow
from app.extensions import db, socketio
from app.live import presence, state

log = logging.getLogger(__name__)


class PresenceAnnouncer:
    def __init__(self, namespace: str):
        self.namespace = namespace
        self.pending: dict[int, dict[int, dict]] = {}  # lesson id -> user id -> last change
        self.lock = threading.Lock()
        self.started = False

    def add(self, app: Flask, session_id: int, person: dict, present: bool) -> None:
        with self.lock:
            self.pending.setdefault(session_id, {})[person["user_id"]] = {**person, "present": present}
            if not self.started:  # started by the first change, in the server's async mode
                self.started = True
                socketio.start_background_task(self._run, app)

    def _run(self, app: Flask) -> None:
        seconds = float(app.config.get("LIVE_PRESENCE_BATCH_SECONDS", 0.3))
        while True:
            socketio.sleep(seconds)
            try:
                with app.app_context():
                    self.flush()
            except Exception:  # a failed batch must not stop the next one
                log.exception("presence announcement failed")

    def flush(self) -> None:
        with self.lock:
            batch, self.pending = self.pending, {}
        if not batch:
            return
        now = utcnow()
        payloads = []
        try:
            for session_id, changes in batch.items():
                count = len(presence.present_user_ids(session_id, now))
                payloads.append((session_id, {"count": count, "changes": list(changes.values())}))
        finally:
            db.session.rollback()  # read only; give the connection back before sending
        for session_id, payload in payloads:
            socketio.emit("presence", payload, to=state.room_for(session_id), namespace=self.namespace)

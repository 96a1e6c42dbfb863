"""Signals other domains subscribe to (reports keep their rollups fresh through these).

`attendance_changed` is sent with `session_ids` and `student_ids` whenever stored attendance may
have changed: a lesson's (re)computation, a manual override or its removal, a make-up.
Receivers run inside the caller's transaction: flush, never commit.
"""

from blinker import Namespace

_signals = Namespace()

attendance_changed = _signals.signal("attendance-changed")


def send_attendance_changed(session_ids=(), student_ids=()) -> None:
    attendance_changed.send(None, session_ids=sorted(set(session_ids)), student_ids=sorted(set(student_ids)))

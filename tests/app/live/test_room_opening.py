"""A room opened by many students at the same moment is opened once, and nobody is refused."""

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.live import operations
from app.live.models import LessonRoomState
from app.schedule.models import LiveSession


def test_many_students_opening_a_room_at_once_all_get_the_same_room(app, make_lesson):
    # Read on this thread: the factory's object belongs to the test's own session.
    lesson_id = make_lesson().id
    workers = 8
    barrier = threading.Barrier(workers)
    opened, failures = [], []

    def open_it():
        with app.app_context():
            try:
                session = db.session.get(LiveSession, lesson_id)
                barrier.wait(timeout=10)
                state = operations.open_room(None, session)
                db.session.commit()
                opened.append(state.id)
            except Exception as error:  # noqa: BLE001 - the test reports what failed
                failures.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=open_it) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(set(opened)) == 1 and len(opened) == workers
    count = db.session.scalar(select(func.count()).where(LessonRoomState.session_id == lesson_id))
    assert count == 1

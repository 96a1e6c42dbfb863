"""xAPI statements: export as JSON lines, and forwarding to a real Ralph LRS."""

import json
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.participation import xapi
from app.participation.attendance import compute_attendance
from app.participation.models import StatementOutbox
from app.participation.xapi_forward import forward_due
from tests.app.participation.ralph_lrs import PASSWORD, USER


def _range(lesson):
    return lesson.starts_at - timedelta(days=1), lesson.starts_at + timedelta(days=1)


def _statements(p):
    start, end = _range(p.lesson)
    return [json.loads(line) for line in xapi.export_lines(p.school.id, start, end)]


def test_export_states_attendance_and_presence_with_account_actors(lesson_people, stay):
    p = lesson_people
    stay(p.lesson, p.student, 0, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    items = _statements(p)
    verbs = sorted(item["verb"]["id"] for item in items)
    assert verbs == [
        "http://activitystrea.ms/schema/1.0/join",
        "http://activitystrea.ms/schema/1.0/leave",
        "http://adlnet.gov/expapi/verbs/attended",
    ]
    attended = next(i for i in items if i["verb"]["id"].endswith("attended"))
    assert attended["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://kexu.example", "name": p.student.username},
    }
    assert "mbox" not in json.dumps(items)
    assert attended["result"]["duration"] == "PT2400S"
    assert attended["context"]["contextActivities"]["parent"][0]["id"].endswith(f"/courses/{p.course.id}")
    assert attended["context"]["contextActivities"]["grouping"][0]["id"].endswith(f"/classes/{p.klass.id}")


def test_statement_ids_are_stable_across_exports(lesson_people, stay):
    p = lesson_people
    stay(p.lesson, p.student, 0, 40)
    compute_attendance(p.lesson.id)
    db.session.commit()
    assert [i["id"] for i in _statements(p)] == [i["id"] for i in _statements(p)]


def test_forwarding_to_ralph_sends_each_statement_once(make_app, lesson_people, stay, ralph):
    p = lesson_people
    from flask import current_app

    current_app.config.update(XAPI_LRS_URL=ralph.url, XAPI_LRS_USER=USER, XAPI_LRS_PASSWORD=PASSWORD, XAPI_BATCH_SIZE=2)
    stay(p.lesson, p.student, 0, 40)
    stay(p.lesson, p.students[1], 0, 20)
    compute_attendance(p.lesson.id)
    start, end = _range(p.lesson)
    queued = xapi.enqueue(p.school.id, start, end)
    result = forward_due(p.school.id)
    db.session.commit()
    assert (result.sent, result.failed) == (queued, 0)
    # Queued again and forwarded again: nothing new is queued or sent.
    assert xapi.enqueue(p.school.id, start, end) == 0
    assert forward_due(p.school.id).sent == 0
    stored = ralph.stored()
    assert sorted(s["id"] for s in stored) == sorted(i["id"] for i in _statements(p))


def test_an_unreachable_lrs_is_retried_later_with_backoff(lesson_people, stay):
    p = lesson_people
    from flask import current_app

    from tests.live_server import free_port

    current_app.config.update(XAPI_LRS_URL=f"http://127.0.0.1:{free_port()}/xAPI")
    stay(p.lesson, p.student, 0, 40)
    compute_attendance(p.lesson.id)
    start, end = _range(p.lesson)
    xapi.enqueue(p.school.id, start, end)
    result = forward_due(p.school.id)
    rows = db.session.scalars(select(StatementOutbox)).all()
    assert result.sent == 0 and all(r.forwarded_at is None and r.attempts == 1 for r in rows)
    assert all(r.next_attempt_at > r.created_at for r in rows)
    # Not due yet: a second run right away sends nothing and does not count an attempt.
    forward_due(p.school.id)
    assert all(r.attempts == 1 for r in db.session.scalars(select(StatementOutbox)))

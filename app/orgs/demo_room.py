"""Demo lessons held through the live room's own operations, at the times they happened:
the teacher opens the room, students join and leave (presence), check in with the rotating
code, raise hands and are called on, chat, answer a poll, and the teacher ends the lesson,
which computes its attendance. Used for the first class's last lessons, whose pages people
open first; the rest are written in bulk (demo_activity.py).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from app.auth.models import User
from app.live import activities, operations, presence
from app.live.operations import LiveError
from app.schedule.models import LiveSession

TEACHER_LINES = (
    "同学们好，我们准备开始上课，请打开课本。",
    "有问题可以举手，也可以在聊天里提。",
    "下课前请完成课后小测，明天讲评。",
)
STUDENT_LINES = (
    "老师好",
    "收到",
    "明白了",
    "老师，第二题能再讲一遍吗？",
    "刚才声音有点卡",
    "这一步没听懂",
    "谢谢老师",
    "我网络刚才掉了，现在回来了",
)
POLL = ("本节课的重点你掌握了吗？", ["完全掌握", "基本掌握", "还有疑问", "没听懂"])
QUIZ = ("3x + 5 = 20，x 等于多少？", ["3", "5", "15", "25"], [1])


def _answer(quiz: bool, rng: random.Random) -> int:
    """Most get the quiz right; in a poll most say they mostly understood."""
    if quiz:
        return QUIZ[2][0] if rng.random() < 0.8 else rng.choice((0, 2, 3))
    return rng.choice((0, 1, 1, 2, 3))


def _present_at(stays: list[tuple[datetime, datetime]], moment: datetime) -> bool:
    return any(join <= moment < leave for join, leave in stays)


def _events(session: LiveSession, teacher: User, stays: dict[User, list], ended_at: datetime, rng: random.Random):
    """(moment, order, kind, user, payload) for one lesson, in the order they happen."""
    start = session.starts_at
    events = []
    for student, intervals in stays.items():
        for join, leave in intervals:
            events.append((join, 1, "join", student, None))
            if leave < ended_at:
                events.append((leave, 0, "leave", student, None))
    for minutes, line in zip((1, 8, session.minutes - 3), TEACHER_LINES, strict=True):
        events.append((start + timedelta(minutes=minutes), 2, "chat", teacher, line))
    checkin_at = start + timedelta(minutes=3)
    events.append((checkin_at, 2, "checkin_open", teacher, None))
    poll_at = start + timedelta(minutes=15)
    events.append((poll_at, 2, "poll_open", teacher, None))
    events.append((poll_at + timedelta(minutes=2), 4, "poll_close", teacher, None))
    for student, intervals in stays.items():
        moment = checkin_at + timedelta(seconds=rng.uniform(5, 55))
        if _present_at(intervals, moment) and rng.random() < 0.9:
            events.append((moment, 3, "checkin", student, None))
        moment = poll_at + timedelta(seconds=rng.uniform(10, 110))
        if _present_at(intervals, moment) and rng.random() < 0.8:
            events.append((moment, 3, "answer", student, None))
    present = [student for student, intervals in stays.items() if intervals]
    for student in rng.sample(present, min(len(present), rng.randint(2, 5))):
        moment = start + timedelta(minutes=rng.uniform(9, 24))
        if _present_at(stays[student], moment):
            events.append((moment, 3, "hand", student, None))
            events.append((moment + timedelta(seconds=rng.uniform(20, 90)), 3, "call", teacher, student))
    for student in rng.sample(present, min(len(present), rng.randint(3, 8))):
        moment = start + timedelta(minutes=rng.uniform(2, session.minutes - 2))
        if _present_at(stays[student], moment):
            events.append((moment, 3, "chat", student, rng.choice(STUDENT_LINES)))
    for student in rng.sample(present, min(len(present), rng.randint(0, 3))):
        moment = start + timedelta(minutes=rng.uniform(10, 20))
        if _present_at(stays[student], moment):
            events.append((moment, 3, "confused", student, None))
    events.append((ended_at, 9, "end", teacher, None))
    return sorted(events, key=lambda event: (event[0], event[1], event[3].id))


def hold_in_room(
    session: LiveSession, teacher: User, stays: dict[User, list], opened_at: datetime, ended_at: datetime, rng
) -> dict:
    """Run one past lesson through the room's operations: the teacher opens the room at
    `opened_at` and ends the lesson at `ended_at`. Returns what happened, by kind."""
    operations.open_room(teacher, session, opened_at)
    intervals = {teacher.id: presence.connect(session.id, teacher.id, opened_at)[0]}
    quiz = session.course.subject == "数学"
    poll = None
    window = None
    counts: dict[str, int] = {}
    for moment, _order, kind, user, payload in _events(session, teacher, stays, ended_at, rng):
        if kind in ("checkin", "end"):  # the heartbeats that show who is still in the room
            presence.touch(intervals.values(), moment)
        try:
            if kind == "join":
                intervals[user.id] = presence.connect(session.id, user.id, moment)[0]
            elif kind == "leave":
                presence.disconnect(intervals.pop(user.id), moment, explicit=True)
            elif kind == "chat":
                operations.post_chat(user, session, {"text": payload}, moment)
            elif kind == "checkin_open":
                window = activities.open_checkin(user, session, {"seconds": 60}, moment)
            elif kind == "checkin":
                code, _changes_at = activities.window_code(window, moment)
                activities.check_in(user, session, {"code": code}, moment)
            elif kind == "poll_open":
                question, options, *correct = QUIZ if quiz else POLL
                data = {"question": question, "options": options, "seconds": 120}
                poll = activities.open_poll(user, session, data | ({"correct": correct[0]} if correct else {}), moment)
            elif kind == "answer":
                activities.answer_poll(user, session, {"poll_id": poll.id, "choices": [_answer(quiz, rng)]}, moment)
            elif kind == "poll_close":
                activities.close_poll(user, session, {"poll_id": poll.id, "reveal": True}, moment)
            elif kind == "hand":
                operations.set_hand(user, session, {"raised": True}, moment)
            elif kind == "call":
                operations.call_on(user, session, {"user_id": payload.id}, moment)
            elif kind == "confused":
                operations.mark_confused(user, session, moment)
            elif kind == "end":
                operations.end_lesson(user, session, moment)
                break
        except LiveError:
            continue  # e.g. a chat sent too fast: the room refused it, as it would have
        counts[kind] = counts.get(kind, 0) + 1
    return counts

"""Pages of the live room: the student's room and the teacher's console.

The pages only draw the frame; everything live arrives over Socket.IO (/live, see
docs/live-protocol.md) through static/js/live.js. Before the join window the page is a
countdown, after the end a read-only chat history, both rendered here without a socket.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.core.models import utcnow
from app.core.permissions import can, require
from app.extensions import db
from app.live import bp, operations, state
from app.schedule.models import LiveSession, SessionStatus


def _lesson(session_id: int) -> LiveSession:
    lesson = db.session.get(LiveSession, session_id)
    if lesson is None:
        abort(404)
    require(current_user, "live.join", lesson)
    return lesson


def room_phase(lesson: LiveSession, now) -> str:
    """cancelled, waiting (before the join window), open, or closed (ended: read-only)."""
    if lesson.status == SessionStatus.CANCELLED:
        return "cancelled"
    room = operations.room_state(lesson)
    if (room is not None and room.closed) or now >= operations.closes_at(lesson):
        return "closed"
    if room is None and now < operations.opens_at(lesson):
        return "waiting"
    return "open"


def _history(lesson: LiveSession) -> list[dict]:
    messages = []
    for message in operations.chat_history(lesson):
        item = state.chat_message(message)
        item["text_html"] = Markup(item["text_html"])  # the sanitizer's output (chat rules)
        item["at"] = message.created_at
        messages.append(item)
    return messages


def _strings() -> dict:
    """The translated strings live.js shows; `{name}` style placeholders are filled in there."""
    return {
        "connected": _("Connected"),
        "reconnecting": _("Reconnecting…"),
        "refused": _("Could not join the room."),
        "failed": _("That did not work. Please try again."),
        "here": _("{count} here"),
        "raiseHand": _("Raise hand"),
        "lowerHand": _("Lower hand"),
        "confusedSent": _("The teacher sees that you don't understand."),
        "checkedIn": _("You are checked in."),
        "answered": _("Answer sent."),
        "pollClosed": _("This poll is closed."),
        "calledOn": _("The teacher calls on {name}."),
        "youCalledOn": _("The teacher calls on you!"),
        "picked": _("Roll call: {name}"),
        "youPicked": _("Roll call: you!"),
        "delete": _("Delete"),
        "mute": _("Mute"),
        "unmute": _("Unmute"),
        "muteAll": _("Mute all"),
        "unmuteAll": _("Unmute all"),
        "muted": _("muted"),
        "callOn": _("Call on"),
        "staff": _("staff"),
        "answers": _("{count} answered"),
        "checkinUntil": _("Open until {time}"),
        "confirmEnd": _("End the lesson for everyone? The room becomes read-only."),
        "reminderEnd": _("The lesson is scheduled to end at {time}."),
        "reminderPolicy": _("The study-time limit for this lesson is reached at {time}."),
    }


def _config(lesson: LiveSession, page: str, phase: str) -> dict:
    locale = str(get_locale() or "en")
    return {
        "page": page,
        "open": phase == "open",
        "sessionId": lesson.id,
        "socketUrl": current_app.config.get("LIVE_SOCKET_URL", ""),
        "socketPath": "/socket.io",
        "transports": ["polling", "websocket"],
        "heartbeatSeconds": float(current_app.config["LIVE_HEARTBEAT_SECONDS"]),
        "chatMaxLength": int(current_app.config["LIVE_CHAT_MAX_LENGTH"]),
        "locale": "zh-CN" if locale.startswith("zh") else "en",
        "timezone": current_user.timezone or current_app.config["KEXU_DEFAULT_TIMEZONE"],
        "strings": _strings(),
    }


def _render(template: str, lesson: LiveSession, page: str, **extra):
    now = utcnow()
    phase = room_phase(lesson, now)
    return render_template(
        template,
        lesson=lesson,
        phase=phase,
        opens_at=operations.opens_at(lesson),
        history=_history(lesson) if phase == "closed" else [],
        config=_config(lesson, page, phase),
        **extra,
    )


@bp.route("/live/<int:session_id>")
@login_required
def room(session_id: int):
    """The lesson's room. Teachers and observers are sent on to the console."""
    lesson = _lesson(session_id)
    if not can(current_user, "live.participate", lesson):
        return redirect(url_for("live.console", session_id=lesson.id))
    return _render("live/room.html", lesson, "room")


@bp.route("/live/<int:session_id>/console")
@login_required
def console(session_id: int):
    """The teacher's console; academic affairs see it without the controls."""
    lesson = _lesson(session_id)
    if can(current_user, "live.participate", lesson):
        return redirect(url_for("live.room", session_id=lesson.id))
    return _render("live/console.html", lesson, "console", may_teach=can(current_user, "live.teach", lesson))

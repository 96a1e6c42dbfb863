"""The notifications page and the unread count every page's navbar shows."""

from flask import abort, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app.core.pagination import page_args, paginate
from app.core.permissions import require
from app.extensions import db
from app.notify import bp, operations
from app.notify.messages import render
from app.notify.models import Notification


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


@bp.app_context_processor
def inject_unread_count():
    def unread_notifications() -> int:
        # A callable, so only pages that show the navbar to a signed-in user pay for the query.
        if not getattr(current_user, "is_authenticated", False):
            return 0
        if "kexu_unread_notifications" not in g:
            try:
                g.kexu_unread_notifications = unread_count(current_user)
            except SQLAlchemyError:
                # The error page also shows the navbar; a broken database must not break it too.
                db.session.rollback()
                g.kexu_unread_notifications = 0
        return g.kexu_unread_notifications

    return {"unread_notifications": unread_notifications}


@bp.route("/notifications")
@login_required
def notifications():
    query = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    page = paginate(db.session, query, *page_args())
    items = [(item, render(item.kind, item.params)) for item in page.items]
    return render_template("notify/list.html", page=page, items=items)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def mark_read(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        abort(404)
    require(current_user, "notification.read", notification)
    operations.mark_read(current_user, notification)
    return redirect(url_for("notify.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def mark_all_read():
    operations.mark_all_read(current_user)
    return redirect(url_for("notify.notifications"))

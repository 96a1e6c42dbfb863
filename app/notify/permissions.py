"""Who may act on a notification: only the user it was sent to."""

from app.core.permissions import rule


@rule("notification.read")
def can_read_notification(user, notification) -> bool:
    return notification is not None and notification.user_id == user.id

"""The signed-in user's school, for pages that work within it."""

from flask import abort
from flask_login import current_user

from app.extensions import db
from app.orgs.models import OrgUnit


def current_school() -> OrgUnit:
    """The signed-in user's school; 403 for an account that belongs to none."""
    school = db.session.get(OrgUnit, current_user.school_id) if current_user.school_id else None
    if school is None:
        abort(403)
    return school

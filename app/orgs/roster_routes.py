"""The admin's roster import page."""

from flask import render_template
from flask_login import current_user, login_required

from app.core.permissions import require
from app.orgs import bp


@bp.route("/roster/import", methods=["GET", "POST"])
@login_required
def roster_import():
    require(current_user, "roster.import", current_user.school)
    return render_template("errors/error.html", status=501), 501

"""Reports for academic affairs, teachers and class teachers: delivery, attendance, students at
risk, study-time compliance, resource use and teacher activity, from the school down to one
student, read from small rollup tables kept fresh when attendance changes.
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, template_folder="templates", url_prefix="/reports")

from app.reports import receivers  # noqa: E402

receivers.connect()

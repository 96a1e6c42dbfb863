"""Participation: attendance derived from presence, resource progress, daily study time,
engagement, the "not reached" list with contact logs, and xAPI learning records.

Pages hang on this blueprint (routes.py); the rules live in attendance.py, progress.py,
study_time.py, reach.py and xapi.py.
"""

from flask import Blueprint

bp = Blueprint("participation", __name__, template_folder="templates")

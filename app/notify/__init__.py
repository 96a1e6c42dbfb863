"""Notifications: short messages to users (a lesson cancelled, moved or added), read on /notifications."""

from flask import Blueprint

bp = Blueprint("notify", __name__, template_folder="templates")

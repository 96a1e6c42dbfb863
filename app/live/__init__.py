"""The live classroom: presence, chat, hands, check-in, roll call, polls over Socket.IO.

The Socket.IO namespace lives in events.py; pages (routes.py) hang on this blueprint.
"""

from flask import Blueprint

bp = Blueprint("live", __name__, template_folder="templates")

"""WSGI entry point: `app = create_app()`; Socket.IO is reached through app.extensions."""

from app import create_app

app = create_app()

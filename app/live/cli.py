"""`flask live serve`: the same server as `python -m app.live.server`."""

import os
import sys

import click
from flask import Flask


def register(app: Flask) -> None:
    @app.cli.group("live")
    def live():
        """The live classroom server."""

    @live.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True, type=int)
    @click.option("--config", default=None, help="JSON file of settings applied over the environment.")
    def serve(host, port, config):
        """Serve pages and the live room with gevent (websockets included)."""
        # The flask command has already imported threading and friends; gevent must patch them
        # first, so the server starts in a fresh interpreter.
        command = [sys.executable, "-m", "app.live.server", "--host", host, "--port", str(port)]
        if config:
            command += ["--config", config]
        os.execv(sys.executable, command)

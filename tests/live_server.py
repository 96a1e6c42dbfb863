"""A real Kexu server process (pages and the /live Socket.IO namespace, gevent) for tests and
benchmarks.

    server = start_live_server({"SQLALCHEMY_DATABASE_URI": url, ...})   # waits until it answers
    server.url                      # http://127.0.0.1:<free port>
    server.kill(); server.restart() # SIGKILL, then start again on the same port
    server.stop()

Settings are written to a JSON file and applied over the environment (`--config`), exactly as
a deployer would. The pytest fixture `live_server_factory` stops every server it started.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Short timings, so tests of reminders, grace periods and code rotation finish quickly.
FAST_LIVE_SETTINGS = {
    "LIVE_TICK_SECONDS": 0.2,
    "LIVE_HEARTBEAT_SECONDS": 2,
    "LIVE_RECONNECT_GRACE_SECONDS": 20,
    "LIVE_JOIN_EARLY_MINUTES": 15,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _json_ready(settings: dict) -> dict:
    return {k: v for k, v in settings.items() if k.isupper() and isinstance(v, str | int | float | bool | dict | None)}


@dataclass
class LiveServer:
    settings: dict
    port: int
    env: dict
    log_path: Path
    config_path: Path
    process: subprocess.Popen | None = None
    logs: list[Path] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> LiveServer:
        command = [
            sys.executable,
            "-m",
            "gevent.monkey",
            "--module",
            "app.live.server",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--config",
            str(self.config_path),
        ]
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"live server exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/socket.io/?EIO=4&transport=polling", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"live server did not answer within {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no cleanup at all, as when a machine or a process dies."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self, timeout: float = 60) -> LiveServer:
        self.kill()
        return self.start(timeout)


def start_live_server(settings: dict, port: int | None = None, env: dict | None = None, timeout: float = 60):
    """Start a server process with `settings` (a Flask config mapping) on a free port."""
    directory = Path(tempfile.mkdtemp(prefix="kexu-live-"))
    config_path = directory / "settings.json"
    config_path.write_text(json.dumps(_json_ready(settings)))
    process_env = {**os.environ, **(env or {})}
    process_env.setdefault("LIVE_ASYNC_MODE", "gevent")
    if "REDIS_URL" not in settings and "REDIS_URL" not in (env or {}):
        # One process needs no message queue; a test that wants Redis says so.
        process_env.pop("REDIS_URL", None)
    server = LiveServer(
        settings=settings,
        port=port or free_port(),
        env=process_env,
        log_path=directory / "server.log",
        config_path=config_path,
    )
    return server.start(timeout)


@pytest.fixture
def live_server_factory(app, test_settings):
    """start(**overrides) -> LiveServer sharing the test database; all are stopped afterwards.

    Depends on `app`, so servers stop before the test's tables are emptied.
    """
    started: list[LiveServer] = []

    def start(port: int | None = None, env: dict | None = None, **overrides) -> LiveServer:
        server = start_live_server({**test_settings, **FAST_LIVE_SETTINGS, **overrides}, port=port, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        # Shown by pytest only when the test failed.
        print(f"--- live server on port {server.port}:\n{server.log_text()}")

"""A real Ralph LRS (ralph-malph 5.1.0, filesystem backend, basic auth) in its own process.

Ralph's filesystem backend writes with operation "index", which refuses every write after the
first to its one file (HTTP 500). The launcher below sets the backend's default operation to
"append" before uvicorn starts Ralph's own app; nothing else is changed.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.live_server import free_port

LAUNCHER = """
import sys
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
import uvicorn
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
USER, PASSWORD = "kexu", "lrs-secret-42"


class Ralph:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self.process = None
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(directory / "app"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(directory / "data"),
        }

    def start(self) -> Ralph:
        (self.directory / "data").mkdir(parents=True, exist_ok=True)
        ralph = str(Path(sys.executable).parent / "ralph")
        subprocess.run(
            [ralph, "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M", "mailto:lrs@kexu.example.org", "-w"],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        log = open(self.directory / "ralph.log", "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(self.port)], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError((self.directory / "ralph.log").read_text()) from None
                time.sleep(0.2)
        raise RuntimeError("Ralph did not start")

    def stored(self) -> list[dict]:
        """Every statement the LRS holds (GET /statements, following `more`)."""
        headers = {
            "X-Experience-API-Version": "1.0.3",
            "Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode(),
        }
        items, url = [], f"{self.url}/statements?limit=500"
        while url:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as answer:
                page = json.loads(answer.read())
            items += page["statements"]
            url = f"http://127.0.0.1:{self.port}{page['more']}" if page.get("more") else None
        return items

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def ralph(tmp_path):
    server = Ralph(tmp_path / "ralph").start()
    yield server
    server.stop()

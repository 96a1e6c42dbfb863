"""Start Kexu's own server process (`python -m app.live.server`) in a chosen async mode, and
watch its CPU time and memory with psutil.

gevent runs under `python -m gevent.monkey` (as tests/live_server.py and production do);
threading runs the same module unpatched, i.e. Werkzeug threads with simple-websocket.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


class Server:
    def __init__(self, mode: str, port: int, settings: dict, workdir: Path):
        self.mode, self.port = mode, port
        config = workdir / f"settings-{port}.json"
        config.write_text(json.dumps(settings))
        self.log_path = workdir / f"server-{port}.log"
        command = [sys.executable, "-m", "app.live.server", "--port", str(port), "--config", str(config)]
        if mode == "gevent":
            command[1:3] = ["-m", "gevent.monkey", "--module", "app.live.server"]
        env = {**os.environ, "LIVE_ASYNC_MODE": mode}
        env.pop("REDIS_URL", None)  # the settings say whether there is a message queue
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.ps = psutil.Process(self.process.pid)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/socket.io/?EIO=4&transport=polling", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer in {timeout} s")

    def cpu_seconds(self) -> float:
        try:
            times = self.ps.cpu_times()
        except psutil.NoSuchProcess:
            return 0.0
        return times.user + times.system

    def rss(self) -> int:
        try:
            return self.ps.memory_info().rss
        except psutil.NoSuchProcess:
            return 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


class Watch:
    """Peak resident memory of the servers (sampled every 0.2 s) and their CPU time between marks."""

    def __init__(self, servers: list[Server]):
        self.servers = servers
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, sum(s.rss() for s in self.servers))
            time.sleep(0.2)

    def cpu(self) -> float:
        return sum(s.cpu_seconds() for s in self.servers)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

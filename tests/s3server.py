"""A real S3 endpoint for tests: moto's server in its own process on 127.0.0.1.

Import the fixtures into a conftest (`from tests.s3server import s3_server, s3_settings  # noqa`).
Nothing is patched: boto3 talks HTTP to the server, exactly as it would to MinIO or OSS.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ACCESS_KEY_ID = "kexu-test-key"
SECRET_ACCESS_KEY = "kexu-test-secret"
REGION = "us-east-1"


@dataclass
class S3Server:
    endpoint_url: str
    process: subprocess.Popen
    log_path: Path

    def client(self):
        """A plain boto3 client for the server, for setting up buckets and inspecting them."""
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def create_bucket(self) -> str:
        name = f"kexu-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto_server(timeout: float = 30.0) -> S3Server:
    """Start `python -m moto.server` on a free port and wait until it answers HTTP."""
    port = _free_port()
    log_path = Path(tempfile.mkstemp(prefix="moto-", suffix=".log")[1])
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = S3Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout
    # Never go through a proxy from the environment to reach 127.0.0.1.
    http = requests.Session()
    http.trust_env = False
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited with {process.returncode}:\n{log_path.read_text()[-2000:]}")
        try:
            http.get(server.endpoint_url + "/moto-api/", timeout=1)
            return server
        except requests.ConnectionError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"moto server did not answer within {timeout} s:\n{log_path.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def s3_server():
    server = start_moto_server()
    yield server
    server.stop()
    server.log_path.unlink(missing_ok=True)


@pytest.fixture
def s3_settings(s3_server) -> dict:
    """App settings for the S3 backend on a fresh, empty bucket."""
    return {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": s3_server.create_bucket(),
        "S3_ENDPOINT_URL": s3_server.endpoint_url,
        "S3_REGION": REGION,
        "S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
    }

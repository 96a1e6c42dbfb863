"""A real HTTP server on 127.0.0.1 for the source adapters (no app, no mocks).

``feed_server.route(path, body, content_type=..., status=..., delay=...)`` serves fixed bytes;
``feed_server.route(path, handler)`` calls ``handler(query) -> (status, content_type, body)``
with the parsed query string, for OAI-PMH verbs and resumption tokens. Every request's path
and query is kept in ``feed_server.requests``.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class FeedServer:
    def __init__(self):
        self.routes: dict[str, object] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the name http.server calls
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                route = server.routes.get(parts.path)
                if route is None:
                    status, content_type, body, delay = 404, "text/plain", b"not found", 0.0
                elif callable(route):
                    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                    status, content_type, body = route(query)
                    delay = 0.0
                else:
                    status, content_type, body, delay = route
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout tests do that on purpose)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path, body, content_type="application/octet-stream", status=200, delay=0.0):
        if callable(body):
            self.routes[path] = body
        else:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.routes[path] = (status, content_type, data, delay)
        return self.url(path)


@pytest.fixture
def feed_server():
    server = FeedServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()

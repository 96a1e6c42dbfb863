"""A real HTTP server on 127.0.0.1 for the source adapters (no app, no mocks).

``feed_server.route(path, body, content_type=..., status=..., delay=..., headers=...)`` serves
fixed bytes (``feed_server.redirect(path, location)`` answers 302 to ``location``);
``feed_server.route(path, handler)`` calls ``handler(query) -> (status, content_type, body)``
with the parsed query string, for OAI-PMH verbs and resumption tokens. Every request's path
and query is kept in ``feed_server.requests``.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from courses.sources import AddressPolicy, netguard

# The server listens on 127.0.0.1, which sources refuse unless private addresses are allowed.
LAN = AddressPolicy(allow_private=True)


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
                headers = {}
                if route is None:
                    status, content_type, body, delay = 404, "text/plain", b"not found", 0.0
                elif callable(route):
                    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                    status, content_type, body = route(query)
                    delay = 0.0
                else:
                    status, content_type, body, delay, headers = route
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
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

    def route(self, path, body, content_type="application/octet-stream", status=200, delay=0.0, headers=None):
        if callable(body):
            self.routes[path] = body
        else:
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.routes[path] = (status, content_type, data, delay, dict(headers or {}))
        return self.url(path)

    def redirect(self, path, location, status=302):
        return self.route(path, b"", "text/plain", status=status, headers={"Location": location})


@pytest.fixture
def feed_server():
    server = FeedServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def fake_dns(monkeypatch):
    """Sources resolve names from this dict: name -> addresses, or a list of answers given in turn.

    ``fake_dns["lookups"]`` lists the names looked up. Names not in the dict do not resolve.
    """
    answers: dict[str, list] = {"lookups": []}

    def lookup(host, port):
        answers["lookups"].append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = answers[host].pop(0) if isinstance(answers[host][0], list) else answers[host]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, ipaddress.ip_address(a)) for a in addresses]

    monkeypatch.setattr(netguard, "lookup_addresses", lookup)
    return answers


PUBLIC_HOST, PUBLIC_ADDRESS = "feeds.example.edu.cn", "1.1.1.1"


@pytest.fixture
def public_feed_server(feed_server, fake_dns, monkeypatch):
    """The feed server as if it were a public host: ``PUBLIC_HOST`` resolves to a public address
    and a connection to that address reaches the local server. ``url(path)`` uses that name."""
    fake_dns[PUBLIC_HOST] = [PUBLIC_ADDRESS]
    port = feed_server.httpd.server_address[1]
    connect = netguard.urllib3_connection.create_connection

    def create_connection(address, *args, **kwargs):
        if address == (PUBLIC_ADDRESS, port):
            address = ("127.0.0.1", port)
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(netguard.urllib3_connection, "create_connection", create_connection)
    feed_server.public_url = lambda path: f"http://{PUBLIC_HOST}:{port}{path}"
    return feed_server

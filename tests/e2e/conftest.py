"""Real-browser fixtures: Debian's chromium driven by Playwright, against a live server.

The server runs the test app (same database as the other tests) in a background thread,
with CSRF protection and rate limiting switched on as in production. Chromium is never
downloaded: without /usr/bin/chromium the tests skip, or fail when KEXU_REQUIRE_BROWSER is set.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright waits this long (ms) for an element or a navigation before failing a test.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("KEXU_REQUIRE_BROWSER"):
            pytest.fail(f"KEXU_REQUIRE_BROWSER is set but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def app(make_app):
    """The test app as a browser meets it: CSRF on, rate limits on (but high), Chinese by default."""
    return make_app(
        WTF_CSRF_ENABLED=True,
        RATELIMIT_ENABLED=True,
        KEXU_LOGIN_LIMIT_PER_ADDRESS="1000 per minute",
        KEXU_LOGIN_LIMIT_PER_ACCOUNT="1000 per minute",
        BABEL_DEFAULT_LOCALE="zh_Hans_CN",
    )


@pytest.fixture
def live_server(app):
    """The app served on a free port of 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="kexu-e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@dataclass
class Console:
    """What the browser complained about while a test ran."""

    errors: list[str] = field(default_factory=list)

    @property
    def csp_violations(self) -> list[str]:
        return [text for text in self.errors if "Content Security Policy" in text]


@pytest.fixture
def console():
    return Console()


@pytest.fixture
def open_page(browser, live_server, console):
    """open_page(locale="en-US", width=1280) -> a page in a fresh browser profile.

    `locale` is what the browser sends as Accept-Language. Every console error and uncaught
    page error is recorded in `console`; after the test, no page may have hit the CSP.
    """
    contexts = []

    def open_(locale="en-US", width=1280, height=900):
        context = browser.new_context(base_url=live_server, locale=locale, viewport={"width": width, "height": height})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and console.errors.append(message.text))
        page.on("pageerror", lambda error: console.errors.append(str(error)))
        return page

    yield open_
    for context in contexts:
        context.close()
    assert console.csp_violations == [], "the Content-Security-Policy blocked something"

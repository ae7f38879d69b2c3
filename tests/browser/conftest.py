"""Browser journeys: Playwright (sync API) driving Debian's Chromium against the live server.

Playwright never downloads a browser here: Debian's /usr/bin/chromium is launched by path with
a fresh profile directory for the session. Without it the journeys are skipped on a developer's
machine and fail in CI (where CI is set), so a missing browser can never pass silently.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses database access from
# a thread with a running loop unless told it is safe (it is: the calls are synchronous). Set at
# import, not in a fixture: once the session's browser has started, the loop stays registered on
# this thread for every later test in the run, browser or not.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("WREKIN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "wrekin" / "core" / "static" / "wrekin" / "build"
VIEWPORT = {"width": 1280, "height": 800}


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser journeys must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a test dependency
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    for needed in (BUILD / "wrekin.css", BUILD / "wrekin.js", ROOT / "node_modules" / "axe-core" / "axe.min.js"):
        if not needed.exists():
            pytest.fail(f"{needed.relative_to(ROOT)} is missing: run `npm ci && npm run build`", pytrace=False)

    profile = tempfile.mkdtemp(prefix="wrekin-chromium-")
    playwright = sync_playwright().start()
    try:
        persistent = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
        )
        # Each test gets its own fresh context from this browser; the profile's own context is unused.
        yield persistent.browser
        persistent.close()
    finally:
        playwright.stop()
        shutil.rmtree(profile, ignore_errors=True)


class BrowserProblems:
    """What a test should never cause: console errors (a Content-Security-Policy refusal is one),
    uncaught exceptions, and failed requests for anything but the page itself (a 404 page is
    expected; a missing stylesheet, script or image is not)."""

    def __init__(self):
        self.messages: list[str] = []

    def watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"uncaught exception: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def _console(self, message) -> None:
        # Chromium also logs every 4xx/5xx response, the page's own included; responses are
        # checked in _response, which knows whether the response was the page itself.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            where = message.location or {}
            source = f" (at {where.get('url')}:{where.get('lineNumber')})" if where.get("url") else ""
            self.messages.append(f"console error: {message.text}{source}")

    def _request_failed(self, request) -> None:
        # A navigation cancels whatever the previous page was still loading (net::ERR_ABORTED).
        if "ERR_ABORTED" not in (request.failure or ""):
            self.messages.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.messages.append(f"{response.status} for {response.request.resource_type} {response.url}")


def _new_context(browser, live_server, problems: BrowserProblems, **options):
    settings = {"base_url": live_server.url, "viewport": VIEWPORT, "locale": "en-GB",
                "timezone_id": "Europe/London"}
    context = browser.new_context(**{**settings, **options})
    context.set_default_timeout(15_000)
    context.on("page", problems.watch)
    return context


@pytest.fixture
def browser_problems():
    return BrowserProblems()


@pytest.fixture
def new_context(browser, live_server, browser_problems):
    """Open a fresh browser context (its own cookies: one signed-in person); closed after the test.

    After the test, any console error, uncaught exception or CSP refusal fails it.
    """
    contexts = []

    def _open(**options):
        context = _new_context(browser, live_server, browser_problems, **options)
        contexts.append(context)
        return context

    yield _open
    for context in contexts:
        context.close()
    assert not browser_problems.messages, "The browser reported problems:\n" + "\n".join(browser_problems.messages)


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def page_without_js(new_context):
    """A second browser, as a person with JavaScript switched off (or failed to load) sees Wrekin."""
    from tests.browser.support import javascript_disabled

    return javascript_disabled(new_context(java_script_enabled=False)).new_page()

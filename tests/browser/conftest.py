"""Browser tests: the session app served on 127.0.0.1, driven by Debian's chromium.

pytest-playwright provides the ``page`` fixture (a fresh browser context per test);
this file points it at /usr/bin/chromium (``playwright install`` cannot download
browsers here) and at a live server of the session ``app`` from tests/conftest.py.

Database note: the live server handles requests in its own threads and app
contexts, on the same database as the test. A transaction the test leaves open
would keep an old snapshot (SQLite WAL, PostgreSQL repeatable reads) and, where
writes begin with BEGIN IMMEDIATE, the write lock. Tests therefore copy what they
need into plain values and end their transaction (``release_db()``) before the
browser acts, and again before they check what the browser stored.
"""

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from caseflow.extensions import db
from tests.mail.smtp import SmtpServer

HERE = Path(__file__).parent
CHROMIUM = Path("/usr/bin/chromium")
# CI time (under 30 minutes): every browser test runs on SQLite; on PostgreSQL only the
# flows that walk several areas end to end, which is where the live server's
# transactions meet PostgreSQL's locking. CASEFLOW_ALL_BROWSER_TESTS=1 runs them all.
# test_web_request.py: the public request form to the intake queue (the start of the
# client portal's flow), about 12 s. test_issue14_flow.py: issue 14's done-when
# (contacts, a referral with its email, the funder report) in one flow.
POSTGRES_BROWSER_MODULES = frozenset(
    {"test_main_flows.py", "test_web_request.py", "test_issue14_flow.py", "test_events.py"}
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items) -> None:
    if not os.environ.get("CASEFLOW_TEST_DATABASE_URL") or os.environ.get(
        "CASEFLOW_ALL_BROWSER_TESTS"
    ):
        return
    skip = pytest.mark.skip(reason="browser test: runs on SQLite (CASEFLOW_ALL_BROWSER_TESTS=1)")
    for item in items:
        if item.path.parent == HERE and item.path.name not in POSTGRES_BROWSER_MODULES:
            item.add_marker(skip)


def release_db() -> None:
    """End the test's transaction: the live server may write, the next read is fresh."""
    db.session.commit()


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (pytest shows the log on failure anyway)."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@pytest.fixture(scope="session")
def live_server(app):
    """The session ``app`` served on 127.0.0.1 (free port) in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Relative URLs in page.goto() resolve against the live server."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_name) -> dict:
    """Launch Debian's chromium, headless, never a browser Playwright downloaded."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    if browser_name != "chromium":
        pytest.skip("only chromium is available for the browser tests")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args) -> dict:
    # English unless a test switches language; Brussels time like the users. Reduced
    # motion turns off Bootstrap's smooth scrolling, which Playwright waits out.
    return {
        **browser_context_args,
        "locale": "en-GB",
        "timezone_id": "Europe/Brussels",
        "reduced_motion": "reduce",
    }


@dataclass(frozen=True)
class Staff:
    """What a test needs of a user, as plain values (no lazy loads, no DB lock)."""

    id: int
    email: str
    name: str


@pytest.fixture
def make_staff(make_user):
    """``make_staff(role, name=...)``: a committed user, as plain values."""

    def make(role="advisor", **kwargs) -> Staff:
        user = make_user(role, **kwargs)
        staff = Staff(id=user.id, email=user.email, name=user.full_name)
        release_db()
        return staff

    return make


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server (aiosmtpd) on a free loopback port, where the app sends mail.

    The live server serves the same ``app``, so its requests see the changed port;
    TASKS_IMMEDIATE is on, so mail is sent before the response the browser waits for.
    """
    server = SmtpServer().start()
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    server.stop()

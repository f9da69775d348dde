"""Real processes for reliability tests: the CLI, gunicorn, and an HTTP client.

Everything runs as in production: the app is configured only through ``CASEFLOW_*``
environment variables (production mode, not TESTING), the database is built by
``flask db upgrade`` and the users by ``flask users create``, and requests go over
real sockets on loopback.

- ``app_env(database_url)``: the environment for a production-mode process.
- ``flask(env, *args)``: run ``flask --app caseflow ...`` and return its output.
- ``prepare_database(env, users)``: migrate, create users, seed the catalogue.
- ``Gunicorn(env, log_path)``: start, ``wait_healthy()``, ``worker_pids()``, ``stop()``.
- ``Worker(env, log_path)``: ``flask worker``; ``wait_ready()``, ``children()``, ``kill()``.
- ``HttpClient(base_url)``: a cookie jar, no automatic redirects, form parsing and CSRF.
"""

import contextlib
import http.client
import http.cookiejar
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from tests.mail.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "reliability-harbour-maple-97"

# What a dropped connection looks like to the client (a killed worker, a restart).
CONNECTION_ERRORS = (
    ConnectionError,  # reset, refused, aborted, broken pipe
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
    http.client.BadStatusLine,
    TimeoutError,
    urllib.error.URLError,
)

__all__ = [
    "BIN",
    "CONNECTION_ERRORS",
    "PASSWORD",
    "ROOT",
    "Gunicorn",
    "HttpClient",
    "Response",
    "Worker",
    "app_env",
    "flask",
    "free_port",
    "prepare_database",
]


def app_env(database_url: str, **settings) -> dict[str, str]:
    """The environment of a production-mode Caseflow process on ``database_url``.

    The caller's own ``CASEFLOW_*`` variables are dropped; ``settings`` (names without
    the prefix) are added, JSON-encoded unless they are strings.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEFLOW_", "FLASK_"))}
    values = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        # Plain http on loopback: a Secure-only cookie would never be sent back.
        "SESSION_COOKIE_SECURE": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Cheap hashes: logins are not what these tests measure.
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        # Nothing is ever mailed: port 9 on loopback refuses at once.
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 9,
    } | settings
    for name, value in values.items():
        env[f"CASEFLOW_{name}"] = value if isinstance(value, str) else json.dumps(value)
    return env


def flask(env: dict, *args: str, stdin: str | None = None, timeout: float = 120) -> str:
    """Run ``flask --app caseflow ARGS`` in the project folder; its stdout (fails loudly)."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "caseflow", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"flask {' '.join(args)} exited with {result.returncode}:\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def prepare_database(env: dict, users: dict[str, str]) -> None:
    """Migrate, create ``users`` ({email: role}, password ``PASSWORD``), seed the catalogue."""
    flask(env, "db", "upgrade")
    for email, role in users.items():
        name = email.split("@")[0].title()
        flask(env, "users", "create", email, "--name", name, "--role", role,
              "--password-stdin", "--own-password", stdin=PASSWORD + "\n")  # fmt: skip
    flask(env, "seed-catalogue")


class Gunicorn:
    """``gunicorn wsgi:app`` on a free loopback port, with its output in ``log_path``."""

    def __init__(self, env: dict, log_path: Path, workers: int = 2, *extra_args: str):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                *extra_args,
                "wsgi:app",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_healthy(self, timeout: float = 60) -> None:
        """Until ``/healthz`` answers 200 (fails with the server's log otherwise)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited early:\n{self.log()[-5000:]}")
            try:
                url = self.base_url + "/healthz"  # http://127.0.0.1 only
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except CONNECTION_ERRORS:
                pass
            time.sleep(0.2)
        raise AssertionError(f"/healthz did not answer within {timeout} s:\n{self.log()[-5000:]}")

    def worker_pids(self) -> list[int]:
        """The master's live child processes (its workers), from /proc."""
        pids = []
        for task in Path(f"/proc/{self.pid}/task").glob("*"):
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
        return [pid for pid in pids if _alive(pid)]

    def stop(self, timeout: float = 30) -> int:
        """Graceful stop (SIGTERM), then SIGKILL; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()
        return self.process.returncode


class Worker:
    """``flask --app caseflow worker`` with its output in ``log_path``."""

    def __init__(self, env: dict, log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(BIN / "flask"), "--app", "caseflow", "worker"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the consumer runs (huey logs its start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited:\n{self.log()[-5000:]}")
            if "consumer started" in self.log().lower():
                return
            time.sleep(0.1)
        raise AssertionError(f"the worker did not start:\n{self.log()[-5000:]}")

    def children(self) -> list[int]:
        pids = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                pids += [int(p) for p in (task / "children").read_text().split()]
        return pids

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # huey: graceful
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def _alive(pid: int) -> bool:
    """Running and not a zombie (a killed worker the master has not reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


# --- HTTP -------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str
    location: str | None = None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx comes back as an HTTPError, turned into a Response below


@dataclass
class Form:
    action: str | None
    fields: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    """The forms of a page with each field's value as a browser would submit it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.csrf_meta: str | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "meta" and a.get("name") == "csrf-token":
            self.csrf_meta = a.get("content")
        elif tag == "form":
            self.forms.append(Form(a.get("action")))
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1].fields[a["name"]] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and a.get("name"):
            self._select, self._first_option = a["name"], None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
                self.forms[-1].fields.setdefault(self._select, value)
            if "selected" in a:
                self.forms[-1].fields[self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.forms[-1].fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea] += data


def parse_page(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser


class HttpClient:
    """A browser-like client: keeps cookies, does not follow redirects, knows CSRF."""

    def __init__(self, base_url: str, timeout: float = 30):
        # Test traffic stays on this machine.
        assert urllib.parse.urlsplit(base_url).hostname in ("127.0.0.1", "::1", "localhost")
        assert base_url.startswith("http://"), base_url
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()
        )
        self.csrf_token: str | None = None

    def request(self, path: str, data: dict | None = None) -> Response:
        """GET ``path``, or POST ``data`` form-encoded; connection errors propagate."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body)  # noqa: S310
        try:
            with self.opener.open(request, timeout=self.timeout) as raw:
                return self._response(raw.status, raw.headers, raw.read())
        except urllib.error.HTTPError as error:
            with error:
                return self._response(error.code, error.headers, error.read())

    def _response(self, status, headers, body: bytes) -> Response:
        text = body.decode("utf-8", errors="replace")
        location = headers.get("Location")
        if location:
            location = urllib.parse.urlsplit(location).path
        return Response(status, dict(headers.items()), text, location)

    def get(self, path: str) -> Response:
        return self.request(path)

    def form(self, path: str) -> dict[str, str]:
        """GET ``path`` and return the fields of its form that posts back to ``path``.

        Remembers the page's CSRF token, so ``post`` can add it.
        """
        response = self.get(path)
        assert response.status == 200, (path, response.status, response.text[:2000])
        page = parse_page(response.text)
        self.csrf_token = page.csrf_meta or self.csrf_token
        for form in page.forms:
            if not form.action or urllib.parse.urlsplit(form.action).path == path:
                return dict(form.fields)
        raise AssertionError(f"no form posting to {path} on that page")

    def post(self, path: str, data: dict) -> Response:
        payload = dict(data)
        if self.csrf_token:
            payload.setdefault("csrf_token", self.csrf_token)
        return self.request(path, payload)

    def login(self, email: str, password: str = PASSWORD) -> None:
        fields = self.form("/login")
        fields.update(email=email, password=password)
        response = self.post("/login", fields)
        assert response.status == 302, (response.status, response.text[:2000])
        self.csrf_token = None  # the login starts a fresh session with a new token

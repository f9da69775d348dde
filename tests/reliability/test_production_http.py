"""A real gunicorn in production mode: what the responses say about the server and the
session cookie (finding 12), and the login limit shared by two workers through Redis
("Shared rate limits").

The rate-limit test proves that both workers served failed logins from gunicorn's own
access log (``%(p)s``: the pid of the worker that answered), not from anything the app
could fake. To spread the requests deterministically it keeps one worker busy with a
connection that has sent half a request line: a sync worker serves one connection at a
time, so the next request goes to the other worker; then it swaps.
"""

import os
import re
import secrets
import socket
import time
from pathlib import Path

import pytest

from tests.reliability.procs import Gunicorn, HttpClient, app_env, prepare_database

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("CASEFLOW_TEST_DATABASE_URL")),
        reason="SQLite only: these tests build their own SQLite file",
    ),
]

ADVISOR = "limit-advisor@example.org"
REDIS_DB = 14  # a database of its own; the test deletes only its own keys
LIMIT = 5


def _env(tmp_path: Path, **settings) -> dict:
    env = app_env(f"sqlite:///{tmp_path / 'caseflow.sqlite'}", **settings)
    prepare_database(env, {ADVISOR: "advisor"})
    return env


def test_responses_do_not_name_the_server_and_the_cookie_is_host_only(tmp_path):
    env = _env(tmp_path, SESSION_COOKIE_SECURE=True)
    server = Gunicorn(env, tmp_path / "gunicorn.log", 2)
    try:
        server.wait_healthy()
        client = HttpClient(server.base_url)
        for path in ("/healthz", "/login", "/no-such-page", "/static/css/caseflow.css"):
            response = client.get(path)
            assert response.status in (200, 404), (path, response.status)
            assert "Server" not in response.headers, (path, response.headers.get("Server"))
            assert "gunicorn" not in str(response.headers).lower()
        cookie = client.get("/login").headers["Set-Cookie"]
        attributes = [part.strip().lower() for part in cookie.split(";")]
        assert cookie.startswith("__Host-session="), cookie
        assert "secure" in attributes and "httponly" in attributes and "path=/" in attributes
        assert not any(a.startswith("domain=") for a in attributes), cookie
    finally:
        server.stop()


# --- the login limit across two workers --------------------------------------------------


def _redis():
    redis = pytest.importorskip("redis")
    connection = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    try:
        connection.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail("CI runs this on Redis: .ci/run starts it on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    return connection


# "%(p)s %(m)s %(U)s %(s)s": gunicorn writes the pid as <1234>.
LOG_LINE = re.compile(r"^<?(?P<pid>\d+)>? POST /login (?P<status>\d+)$")


class Stall:
    """A connection that sent half a request line: it occupies one sync worker."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"GET /healthz HT")
        time.sleep(0.3)  # accepted by the free worker before the next request

    def close(self):
        self.sock.close()


def _pids(log: Path) -> list[int]:
    """The worker pid of every failed login (401) and 429, in order, from the access log."""
    lines = log.read_text().splitlines() if log.exists() else []
    matches = [LOG_LINE.match(line) for line in lines]
    return [(int(m["pid"]), int(m["status"])) for m in matches if m]


@pytest.mark.parametrize(
    ("storage", "shared"), [("redis", True), ("memory", False)], ids=["redis", "memory"]
)
def test_the_login_limit_holds_across_two_workers(tmp_path, storage, shared):
    """LIMIT failures for one account, spread over both workers; the next is refused (429)
    with Redis. With ``memory://`` (each worker counts alone) it is not: the control that
    shows the test can tell the difference."""
    prefix = f"caseflow-test-{secrets.token_hex(6)}"
    redis = _redis() if storage == "redis" else None
    uri = f"redis://127.0.0.1:6379/{REDIS_DB}" if redis else "memory://"
    env = _env(
        tmp_path,
        RATELIMIT_STORAGE_URI=uri,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_FAILURES_PER_ACCOUNT=f"{LIMIT} per hour",
    )
    access_log = tmp_path / "access.log"
    server = Gunicorn(
        env,
        tmp_path / "gunicorn.log",
        2,
        "--access-logfile", str(access_log),
        "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
    )  # fmt: skip
    stalls = []
    try:
        server.wait_healthy()
        assert len(server.worker_pids()) == 2
        client = HttpClient(server.base_url)
        fields = client.form("/login")
        fields.update(email=ADVISOR, password="not-the-password-at-all")
        stalls.append(Stall(server.port))
        statuses = []
        for _attempt in range(LIMIT + 1):
            statuses.append(client.post("/login", fields).status)
            # Occupy the worker that just answered, free the other one.
            stalls.append(Stall(server.port))
            stalls.pop(0).close()
        for stall in stalls:
            stall.close()
        stalls = []
        time.sleep(0.5)  # the access log is written after each response
        served = _pids(access_log)
    finally:
        for stall in stalls:
            stall.close()
        server.stop()
        if redis is not None:
            keys = list(redis.scan_iter(match=f"*{prefix}*"))
            if keys:
                redis.delete(*keys)
            assert not list(redis.scan_iter(match=f"*{prefix}*"))

    assert [status for _pid, status in served] == statuses
    failures = served[:LIMIT]
    assert all(status == 401 for _pid, status in failures), served
    workers = {pid for pid, _status in failures}
    assert len(workers) == 2, f"one worker served every failure: {served}"
    last_pid, last_status = served[LIMIT]
    if shared:
        assert last_status == 429, served
    else:
        # Each worker counted only its own failures, so the limit did not hold.
        assert last_status == 401, served

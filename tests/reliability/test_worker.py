"""The production path of background work: a real worker process and gunicorn.

Everything here runs as `make run` and the deploy units do: `flask --app caseflow
worker` (huey consumer) and gunicorn in production mode on one SQLite database file, a
queue in a SQLite file (or Redis), and a real SMTP server (aiosmtpd) on loopback.

- An email queued from a page arrives through the worker's queued task alone (the
  schedule is off), on the SQLite queue and on Redis.
- An email written to the outbox without a task arrives through the sweep alone.
- While the SMTP server accepts and then hangs, 20 saves by other users all succeed,
  each within a second: no transaction is open while SMTP talks.
- kill -9 of the worker in the middle of a 30-case export, 5 times: after a restart
  each job ends ready (or failed, and "Try again" then succeeds); no render process
  outlives the killed worker.
"""

import contextlib
import os
import socket
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from caseflow import models  # noqa: F401  (every table in the metadata)
from caseflow.extensions import db
from tests.mail.smtp import SmtpServer, free_port
from tests.reliability.procs import Gunicorn, HttpClient, Worker, app_env, flask
from tests.reliability.procs import prepare_database as prepare

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("CASEFLOW_TEST_DATABASE_URL")),
        reason="run once, on SQLite: these start their own processes and database file",
    ),
    pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc"),
]

ADVISOR = "worker-advisor@example.org"
OTHER = "worker-other@example.org"
LEAD = "worker-lead@example.org"
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, flushed by the test
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
NO_SWEEP = {"outbox_sweep": "", "reminders": "", "digests": "", "prune": "", "backup": ""}


def wait_for(condition, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Database:
    """The database the processes under test share, read directly by the test."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url, poolclass=NullPool)

    def query(self, sql: str, **params) -> list[tuple]:
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]

    def insert(self, table: str, **values) -> None:
        with self.engine.begin() as connection:
            connection.execute(db.metadata.tables[table].insert().values(**values))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A new, empty database: a SQLite file, or a PostgreSQL database made for the test."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'caseflow.sqlite'}")
        yield database
        database.engine.dispose()
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"caseflow_reliability_{os.getpid()}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    database = Database(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    yield database
    database.engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def environment(
    tmp_path: Path, database: Database, queue_url: str | None = None, **settings
) -> dict:
    queue_url = queue_url or f"sqlite:///{tmp_path / 'tasks.sqlite'}"
    return app_env(database.url, TASK_QUEUE_URL=queue_url, **settings)


def create_case(client: HttpClient, name: str, email: str | None = None) -> int:
    """A one-person case through the real new-case form; its id."""
    fields = client.form("/cases/new")
    fields = {k: v for k, v in fields.items() if not k.startswith("persons-")} | {
        "household_name": name,
        "arrival_date": date.today().isoformat(),
        "client_language": "en",
        "legal_basis": "consent",
        "consent": "y",
        "save": "1",
        "persons-0-first_name": "Ana",
        "persons-0-last_name": name,
        "persons-0-household_role": "main_applicant",
        "persons-0-nationality": "IN",
        "persons-0-date_of_birth": "1990-01-01",
        "persons-0-email": email or "",
    }
    response = client.post("/cases/new", fields)
    assert response.status == 302, response.text[:3000]
    return int(response.location.rsplit("/", 1)[1])


def email_checklist(client: HttpClient, case_id: int) -> None:
    path = f"/cases/{case_id}/email-checklist"
    fields = client.form(path) | {"action": "send", "personal_message": "Welcome!"}
    response = client.post(path, fields)
    assert response.status == 302, response.text[:3000]


def started(env: dict, tmp_path: Path, users: dict[str, str]):
    """Migrate, create users, start gunicorn; returns it (healthy)."""
    prepare(env, users)
    server = Gunicorn(env, tmp_path / "gunicorn.log", 2)
    server.wait_healthy()
    return server


def redis_available() -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("database", "queue"),
    [("sqlite", "sqlite"), ("postgresql", "sqlite"), ("postgresql", "redis")],
    indirect=["database"],
)
def test_an_email_queued_from_a_page_arrives_through_the_worker(tmp_path, database, smtp, queue):
    """The prompt path alone: the schedule (and so the sweep) is off."""
    if queue == "redis":
        if not redis_available():
            if os.environ.get("CI"):
                pytest.fail("CI runs this on Redis: .ci/run starts it on 127.0.0.1:6379")
            pytest.skip("no Redis on 127.0.0.1:6379")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    env = environment(
        tmp_path,
        database,
        REDIS_URL if queue == "redis" else None,
        MAIL_PORT=smtp.port,
        SCHEDULE=NO_SWEEP,
    )
    server = started(env, tmp_path, {ADVISOR: "advisor"})
    worker = Worker(env, tmp_path / "worker.log")
    try:
        worker.wait_ready()
        client = HttpClient(server.base_url)
        client.login(ADVISOR)
        case_id = create_case(client, "Prompt", "prompt.family@example.net")
        email_checklist(client, case_id)
        wait_for(lambda: smtp.inbox.envelopes, 30, "the email at the SMTP server")
        assert smtp.inbox.envelopes[0].rcpt_tos == ["prompt.family@example.net"]
        wait_for(
            lambda: database.query("SELECT status FROM outbox_messages") == [("sent",)],
            10,
            "the email marked sent",
        )
    finally:
        worker.stop()
        server.stop()
    assert "Traceback" not in worker.log(), worker.log()[-5000:]


def test_an_email_without_a_task_arrives_through_the_sweep(tmp_path, database, smtp):
    """The sweep alone: the row is written straight to the database, no task queued."""
    env = environment(tmp_path, database, MAIL_PORT=smtp.port)
    prepare(env, {})
    flask(env, "seed-catalogue")
    worker = Worker(env, tmp_path / "worker.log")
    try:
        worker.wait_ready()
        time.sleep(2)  # past the sweep the consumer runs as it starts
        now = datetime.now(UTC).replace(tzinfo=None)
        database.insert(
            "outbox_messages",
            centre_id=database.query("SELECT id FROM centres")[0][0],
            kind="test",
            sender="Caseflow <noreply@caseflow.example>",
            recipients=["swept@example.org"],
            subject="Swept",
            text_body="Body",
            status="queued",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        # The sweep runs every minute.
        wait_for(lambda: smtp.inbox.envelopes, 90, "the swept email", interval=0.5)
        assert smtp.inbox.envelopes[0].rcpt_tos == ["swept@example.org"]
    finally:
        worker.stop()


class HangingSmtp:
    """Accepts connections and never says a word (an SMTP server that hangs)."""

    def __init__(self):
        self.port = free_port()
        self.accepted = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(8)
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        with contextlib.suppress(OSError):
            while True:
                connection, _address = self.sock.accept()
                self.connections.append(connection)
                self.accepted += 1

    def close(self):
        self.sock.close()
        for connection in self.connections:
            connection.close()


def test_saves_succeed_while_the_smtp_server_hangs(tmp_path, database):
    smtp = HangingSmtp()
    env = environment(tmp_path, database, MAIL_PORT=smtp.port, MAIL_TIMEOUT=60)
    server = started(env, tmp_path, {ADVISOR: "advisor", OTHER: "advisor"})
    worker = Worker(env, tmp_path / "worker.log")
    latencies = []
    try:
        worker.wait_ready()
        sender = HttpClient(server.base_url)
        sender.login(ADVISOR)
        other = HttpClient(server.base_url)
        other.login(OTHER)
        cases = [create_case(other, f"Busy {n}") for n in range(4)]
        email_checklist(sender, create_case(sender, "Waiting", "waiting@example.net"))
        wait_for(lambda: smtp.accepted, 30, "the worker to connect to the hanging server")
        time.sleep(1)  # the worker is now inside the SMTP conversation
        for n in range(20):
            case_id = cases[n % len(cases)]
            began = time.monotonic()
            response = other.post(f"/cases/{case_id}/notes", {"body": f"Note {n} while SMTP hangs"})
            latencies.append(time.monotonic() - began)
            assert response.status == 302, (n, response.status, response.text[:2000])
        # Still hanging: every save above happened during the SMTP conversation.
        assert database.query("SELECT status FROM outbox_messages") == [("sending",)]
    finally:
        worker.stop()
        server.stop()
        smtp.close()
    notes = database.query("SELECT count(*) FROM notes WHERE body LIKE 'Note % while SMTP hangs'")
    latencies.sort()
    median, worst = latencies[10] * 1000, latencies[-1] * 1000
    kind = database.engine.dialect.name
    print(f"\nSMTP hang ({kind}): 20 saves, median {median:.0f} ms, max {worst:.0f} ms")
    assert notes == [(20,)]
    assert max(latencies) < 1.0, latencies


TRIALS = 5
EXPORT_CASES = 30


def post_pairs(client: HttpClient, path: str, pairs: list[tuple[str, str]]):
    """POST a form with repeated fields (ticked checkboxes)."""
    return client.request(path, [*pairs, ("csrf_token", client.csrf_token)])


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def job_status(database: Database, job_id: int) -> str:
    return database.query("SELECT status FROM export_jobs WHERE id = :id", id=job_id)[0][0]


def export_trial(env: dict, database: Database, lead: HttpClient, log_dir: Path, trial: int) -> str:
    """Start an export, kill -9 the worker in its middle, restart: how the job ended."""
    case_ids = [row[0] for row in database.query("SELECT id FROM cases ORDER BY id")]
    worker = Worker(env, log_dir / f"worker-{trial}.log")
    worker.wait_ready()
    ticked = case_ids[trial : trial + EXPORT_CASES]
    response = post_pairs(
        lead, "/exports", [("scope", "selected")] + [("case_ids", str(i)) for i in ticked]
    )
    assert response.status == 302, response.text[:2000]
    job_id = int(response.location.rsplit("/", 1)[1])

    def done() -> int:
        return database.query("SELECT done FROM export_jobs WHERE id = :id", id=job_id)[0][0]

    # Kill it in the middle: some summaries rendered, not all.
    target = 3 + trial * 5
    wait_for(lambda: done() >= target, 120, f"{target} summaries", interval=0.05)
    renderers = worker.children()
    worker.kill()
    assert job_status(database, job_id) == "running" and done() < EXPORT_CASES
    wait_for(lambda: not any(alive(pid) for pid in renderers), 10, "render processes to end")

    restarted = Worker(env, log_dir / f"worker-{trial}-restarted.log")
    try:
        restarted.wait_ready()
        outcome = wait_for(
            lambda: (
                job_status(database, job_id) in ("done", "failed") and job_status(database, job_id)
            ),
            180,
            f"export {job_id} to finish after the restart",
        )
        if outcome == "failed":
            lead.form(f"/exports/{job_id}")
            assert lead.post(f"/exports/{job_id}/retry", {}).status == 302
            wait_for(lambda: job_status(database, job_id) == "done", 180, "the retried export")
            outcome = "failed, then done after Try again"
        assert "Download the ZIP file" in lead.get(f"/exports/{job_id}").text
        assert lead.get(f"/exports/{job_id}/download").status == 200
    finally:
        restarted.stop()
    leftovers = [pid for pid in renderers if alive(pid)]
    assert leftovers == [], f"orphaned render processes: {leftovers}"
    return outcome


def test_kill_9_of_the_worker_during_exports_never_leaves_a_job_running(tmp_path, database):
    env = environment(tmp_path, database, EXPORT_PROCESSES=2, SCHEDULE=NO_SWEEP)
    server = started(env, tmp_path, {LEAD: "team_lead"})
    flask(env, "seed-demo")
    lead = HttpClient(server.base_url)
    lead.login(LEAD)
    lead.form("/cases")  # a CSRF token
    try:
        outcomes = [export_trial(env, database, lead, tmp_path, trial) for trial in range(TRIALS)]
    finally:
        server.stop()
    jobs = database.query("SELECT status, total, done, attempts FROM export_jobs ORDER BY id")
    print(
        f"\nworker kill -9 during exports ({database.engine.dialect.name}): {TRIALS} trials"
        f", outcomes {outcomes}, jobs {jobs}"
    )
    assert len(jobs) == TRIALS
    assert all(
        status == "done" and total == done == EXPORT_CASES for status, total, done, _ in jobs
    )

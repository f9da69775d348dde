"""kill -9 of a gunicorn worker during writes, 20 times: nothing acknowledged is lost.

A real gunicorn (2 sync workers, production mode) on a fresh SQLite file. Two client
threads log in and create cases through the real new-case form, each with a household
of 2 or 3 persons; meanwhile a third thread SIGKILLs a random worker 20 times (the
master starts a new one each time). Afterwards, with gunicorn stopped, the SQLite file
itself must pass ``PRAGMA integrity_check``, hold every case whose creation got its 302,
and hold no half-written case: every case has exactly the persons that were posted for
it, its checklist and its "created" activity, acknowledged or not.
"""

import os
import random
import re
import signal
import sqlite3
import threading
import time
from collections import Counter
from datetime import date

import pytest

from tests.reliability.procs import (
    CONNECTION_ERRORS,
    Gunicorn,
    HttpClient,
    app_env,
    prepare_database,
)

KILLS = 20
CLIENTS = 2
MAX_SECONDS = 90  # the write loop stops after this, killed or not
MAX_REQUESTS = 5000  # per client
ADVISORS = [f"crash-advisor{n}@example.org" for n in range(1, CLIENTS + 1)]
CASE_PATH = re.compile(r"^/cases/(\d+)$")

# The household of every case: same roles, ages and nationalities, so every case with
# the same number of persons gets the same checklist.
HOUSEHOLD = [
    {"household_role": "main_applicant", "date_of_birth": "1988-03-14", "nationality": "IN"},
    {"household_role": "partner", "date_of_birth": "1990-11-02", "nationality": "IN"},
    {"household_role": "child", "date_of_birth": "2017-06-21", "nationality": "IN"},
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("CASEFLOW_TEST_DATABASE_URL")),
        reason="SQLite only: the crash test builds its own SQLite file",
    ),
    pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="needs Linux /proc"),
]


class Tally:
    """What the clients saw, shared between threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posted: dict[str, int] = {}  # household name -> persons posted (every attempt)
        self.acknowledged: dict[int, tuple[str, int]] = {}  # case id -> (name, persons)
        self.counts: Counter = Counter()

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1


def case_payload(template: dict, name: str, persons: int) -> dict:
    """The new-case form as the page offers it, filled in for ``persons`` persons."""
    data = {k: v for k, v in template.items() if not k.startswith("persons-")}
    data.update(
        household_name=name,
        arrival_date=date.today().isoformat(),
        client_language="en",
        legal_basis="consent",
        consent="y",
        save="1",
    )
    row = {k.split("-", 2)[2]: v for k, v in template.items() if k.startswith("persons-0-")}
    assert {"first_name", "last_name", "household_role", "nationality"} <= row.keys(), row
    for index in range(persons):
        values = row | HOUSEHOLD[index] | {"first_name": f"P{index}", "last_name": name}
        data.update({f"persons-{index}-{key}": value for key, value in values.items()})
    return data


def client_loop(base_url: str, email: str, tag: str, tally: Tally, stop: threading.Event):
    client = HttpClient(base_url, timeout=30)
    client.login(email)
    template = client.form("/cases/new")
    n = 0
    while not stop.is_set() and n < MAX_REQUESTS:
        n += 1
        name = f"Crash {tag}-{n:04d}"
        persons = random.choice((2, 3))
        with tally.lock:
            tally.posted[name] = persons
        tally.count("sent")
        try:
            response = client.post("/cases/new", case_payload(template, name, persons))
        except CONNECTION_ERRORS:
            tally.count("connection errors")
            continue
        match = CASE_PATH.match(response.location or "")
        if response.status == 302 and match:
            with tally.lock:
                tally.acknowledged[int(match.group(1))] = (name, persons)
            try:
                client.get(response.location)  # as a browser would: shows (clears) the flash
            except CONNECTION_ERRORS:
                tally.count("page views cut off")
        else:
            tally.count(f"HTTP {response.status}")


def kill_loop(server: Gunicorn, tally: Tally, stop: threading.Event, kills: list):
    """SIGKILL a random worker KILLS times, each once writes are flowing again."""
    deadline = time.monotonic() + MAX_SECONDS
    while len(kills) < KILLS and time.monotonic() < deadline and not stop.is_set():
        acked_before = len(tally.acknowledged)
        # Both workers up and at least one write acknowledged since the last kill.
        while time.monotonic() < deadline and not stop.is_set():
            if len(server.worker_pids()) >= 2 and len(tally.acknowledged) > acked_before:
                break
            time.sleep(0.02)
        else:
            break
        time.sleep(random.uniform(0.0, 0.4))
        workers = server.worker_pids()
        if workers:
            victim = random.choice(workers)
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                continue
            kills.append(victim)


def test_kill_9_of_workers_during_writes_loses_nothing_acknowledged(tmp_path):
    db_file = tmp_path / "crash.sqlite"
    env = app_env(f"sqlite:///{db_file}")
    prepare_database(env, dict.fromkeys(ADVISORS, "advisor"))

    tally = Tally()
    kills: list[int] = []
    stop = threading.Event()
    server = Gunicorn(env, tmp_path / "gunicorn.log", 2)
    started = time.monotonic()
    try:
        server.wait_healthy()
        clients = [
            threading.Thread(
                target=client_loop,
                args=(server.base_url, email, f"c{i}", tally, stop),
                daemon=True,
            )
            for i, email in enumerate(ADVISORS)
        ]
        for thread in clients:
            thread.start()
        kill_loop(server, tally, stop, kills)
        time.sleep(1)  # some writes after the last kill, on the restarted worker
        stop.set()
        for thread in clients:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in clients), "a client hangs"
        assert server.process.poll() is None, f"the master died:\n{server.log()[-5000:]}"
    finally:
        stop.set()
        server.stop()
    elapsed = time.monotonic() - started

    with sqlite3.connect(db_file) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        foreign_keys = connection.execute("PRAGMA foreign_key_check").fetchall()
        cases = dict(connection.execute("SELECT household_name, id FROM cases").fetchall())
        persons = dict(connection.execute("SELECT case_id, count(*) FROM persons GROUP BY case_id"))
        items = dict(
            connection.execute("SELECT case_id, count(*) FROM checklist_items GROUP BY case_id")
        )
        created = dict(
            connection.execute(
                "SELECT case_id, count(*) FROM activities WHERE kind = 'created' GROUP BY case_id"
            )
        )
    connection.close()

    acknowledged = tally.acknowledged
    unacknowledged_stored = {
        name for name in cases if name not in {n for n, _ in acknowledged.values()}
    }
    print(
        f"\ncrash test: {len(kills)} kills in {elapsed:.1f} s, "
        f"{tally.counts['sent']} case creations sent, {len(acknowledged)} acknowledged, "
        f"{tally.counts['connection errors']} cut off (connection errors), "
        f"{tally.counts['page views cut off']} case page views cut off, "
        f"{len(unacknowledged_stored)} stored without an acknowledgement, "
        f"other answers { {k: v for k, v in tally.counts.items() if k.startswith('HTTP')} }, "
        f"{len(cases)} cases in the database, integrity_check {integrity}"
    )

    assert integrity == [("ok",)]
    assert foreign_keys == []
    assert len(kills) == KILLS, f"only {len(kills)} kills: see {server.log_path}"
    assert tally.counts["connection errors"] > 0, "no case creation was ever cut off by a kill"
    assert len(acknowledged) >= KILLS

    # Every acknowledged case is there, under the id its 302 named, with all its persons.
    for case_id, (name, posted) in acknowledged.items():
        assert cases.get(name) == case_id, f"acknowledged case {name} (#{case_id}) is missing"
        assert persons.get(case_id) == posted, (name, posted, persons.get(case_id))

    # No half-written case at all, acknowledged or not: each one was posted by a client
    # and has exactly its posted persons, the checklist that household gets, and its
    # "created" activity.
    checklist_size: dict[int, set[int]] = {}
    for name, case_id in cases.items():
        assert name in tally.posted, f"a case nobody posted: {name}"
        assert persons.get(case_id) == tally.posted[name], (name, persons.get(case_id))
        assert created.get(case_id) == 1, (name, created.get(case_id))
        assert items.get(case_id, 0) > 0, f"{name} has no checklist"
        checklist_size.setdefault(tally.posted[name], set()).add(items[case_id])
    assert all(len(sizes) == 1 for sizes in checklist_size.values()), checklist_size

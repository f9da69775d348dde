"""Shared by the benchmark scripts: a throw-away app, and repeated timings."""

import contextlib
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from caseflow import create_app  # noqa: E402

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def bench_app(database_url: str | None = None, **config):
    """An app on ``database_url``, or a new temporary SQLite file (migrate it inside an
    app context)."""
    if database_url is None:
        workdir = tempfile.mkdtemp()
        database_url = f"sqlite:///{workdir}/bench.sqlite"
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench" * 10,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": False,
            "ARGON2_PARAMETERS": FAST_ARGON2,
        }
        | config
    )


@contextlib.contextmanager
def temporary_postgres_database(server_url: str):
    """A fresh database ``scale_bench_<pid>`` on the server of ``server_url``, dropped
    afterwards. Yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"scale_bench_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def insert_in_chunks(table, rows: list[dict], *, size: int = 5000, progress: bool = False):
    """Bulk-insert ``rows`` into the model ``table``, ``size`` rows per statement."""
    from caseflow.extensions import db

    for chunk in range(0, len(rows), size):
        db.session.execute(insert(table), rows[chunk : chunk + size])
        if progress:
            db.session.commit()
            print(f"  {table.__tablename__}: {min(chunk + size, len(rows))}/{len(rows)}", end="\r")
    if progress:
        print()


def timings(fn, repeat: int) -> list[float]:
    """Seconds per call, ``repeat`` calls after one warm-up call, sorted."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)


def median_p95(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def median_max(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), times[-1]


class Progress:
    """A progress bar: tqdm when installed, else one printed line that moves."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.done = total, label, 0
        self.started = time.perf_counter()
        try:
            from tqdm import tqdm
        except ImportError:
            self.bar = None
        else:
            self.bar = tqdm(total=total, desc=label, unit=" cases")

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        width = 30
        filled = int(width * self.done / max(1, self.total))
        elapsed = time.perf_counter() - self.started
        print(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done:,}/{self.total:,} {elapsed:5.0f} s",
            end="",
            flush=True,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        else:
            print()


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def login(app, email: str, password: str):
    """A test client logged in through the login form (a real login session)."""
    client = app.test_client()
    page = client.get("/login")
    match = CSRF_META.search(page.get_data(as_text=True))
    assert match, (email, page.status_code, page.get_data(as_text=True)[:300])
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": match.group(1)}
    )
    assert response.status_code == 302, (email, response.status_code)
    return client

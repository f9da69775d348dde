"""Shared by the benchmark scripts: a throw-away app, and repeated timings."""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from caseflow import create_app  # noqa: E402


def bench_app(**config):
    """An app on a new temporary SQLite file (migrate it inside an app context)."""
    workdir = tempfile.mkdtemp()
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench" * 10,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.sqlite",
            "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": False,
            "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        }
        | config
    )


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

"""Background work: a huey queue whose tasks run in the worker, with an app context.

The web process only enqueues ("look at row N now"), after its transaction commits.
The database row (an outbox message, an export job) stays the durable record and a
periodic sweep in the worker catches anything a lost task missed, so a queue that is
down or wiped never loses work.

- ``TASK_QUEUE_URL`` unset: a SQLite queue file in ``instance/`` (nothing else to run);
  ``redis://…``: a Redis queue, for web servers and a worker on several hosts.
- ``TASKS_IMMEDIATE`` (tests only): huey's immediate mode runs each task in-process at
  enqueue time, with in-memory storage. The real path (a consumer process) is tested
  separately in ``tests/reliability``.
- Tasks are registered by name by the app layer (``caseflow/worker.py``), so lower
  packages can ask for work with ``enqueue_after_commit("outbox.deliver")`` without
  importing the code that does it.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from caseflow.extensions import db

log = logging.getLogger(__name__)

PENDING_KEY = "caseflow_tasks_after_commit"


def make_queue(app: Flask) -> Huey:
    """The huey instance for ``TASK_QUEUE_URL`` (SQLite file by default, or Redis)."""
    url = app.config.get("TASK_QUEUE_URL") or ""
    immediate = bool(app.config["TASKS_IMMEDIATE"])
    # No results are kept: tasks report through the database rows they work on.
    options = {"results": False, "immediate": immediate, "utc": True}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("caseflow", url=url, **options)
    if url and not url.startswith("sqlite:///"):
        raise ValueError(f"TASK_QUEUE_URL must be redis://… or sqlite:///…, not {url!r}")
    path = url.removeprefix("sqlite:///") or str(Path(app.instance_path) / "tasks.sqlite")
    if not immediate:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("caseflow", filename=path, **options)


def init_app(app: Flask) -> None:
    app.extensions["huey"] = make_queue(app)
    app.extensions["caseflow_tasks"] = {}


def queue(app: Flask | None = None) -> Huey:
    return (app or current_app).extensions["huey"]


def _in_app_context(app: Flask, name: str, func: Callable) -> Callable:
    def run(*args, **kwargs):
        with app.app_context():
            try:
                return func(*args, **kwargs)
            except Exception:
                db.session.rollback()
                log.exception("Task %s failed", name)
                raise
            finally:
                db.session.remove()

    run.__name__ = name.replace(".", "_")
    return run


def register(app: Flask, name: str, func: Callable) -> None:
    """Make ``func`` runnable in the worker as task ``name`` (run in an app context)."""
    wrapper = queue(app).task(name=name)(_in_app_context(app, name, func))
    app.extensions["caseflow_tasks"][name] = wrapper


def register_periodic(app: Flask, name: str, func: Callable, cron: str) -> None:
    """Run ``func`` on the worker's schedule: ``cron`` is "minute hour day month weekday"
    in the installation's time zone (``SCHEDULE_TIMEZONE``)."""
    validate = zoned_crontab(cron, app.config["SCHEDULE_TIMEZONE"])
    queue(app).periodic_task(validate, name=name)(_in_app_context(app, name, func))


def zoned_crontab(cron: str, timezone: str) -> Callable[[datetime], bool]:
    """A huey validator for a five-field cron line read in ``timezone`` (huey passes UTC)."""
    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"A schedule needs five fields (minute hour day month weekday): {cron!r}")
    minute, hour, day, month, day_of_week = fields
    matches = crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week)
    zone = ZoneInfo(timezone)

    def validate(moment: datetime) -> bool:
        local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
        return matches(local)

    return validate


def enqueue(name: str, *args) -> None:
    """Queue task ``name`` now. Never raises: the worker's sweep catches a lost task."""
    task = current_app.extensions["caseflow_tasks"].get(name)
    if task is None:
        log.error("No task named %s is registered", name)
        return
    try:
        task(*args)
    except Exception:
        log.exception("Could not queue task %s; the worker's sweep will pick the work up", name)


def enqueue_after_commit(name: str, *args) -> None:
    """Queue task ``name`` once the current transaction commits (nothing on rollback)."""
    pending = db.session().info.setdefault(PENDING_KEY, [])
    if (name, args) not in pending:
        pending.append((name, args))


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    for name, args in session.info.pop(PENDING_KEY, []):
        enqueue(name, *args)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    # A rolled-back action asks for no work (its rows are gone).
    session.info.pop(PENDING_KEY, None)

"""The worker: every background task and the schedule, and ``flask --app caseflow worker``.

Web processes only queue tasks (``caseflow.core.tasks``); this process runs them, in
``WORKER_THREADS`` threads, and runs the schedule (``SCHEDULE``, in
``SCHEDULE_TIMEZONE``): the outbox sweep every minute, reminders daily, digests weekly,
pruning, retention and backups nightly. Centres that prefer cron run the same work with
``outbox send``, ``send-reminders``, ``send-digests``, ``prune``, ``retention run`` and
``backup``.
"""

import logging

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from caseflow.core import tasks
from caseflow.documents import jobs
from caseflow.extensions import db
from caseflow.mail import services as mail

log = logging.getLogger(__name__)


def sweep() -> None:
    """Deliver due email and queue exports whose worker died (every minute)."""
    mail.deliver_due()
    jobs.requeue_interrupted()


def send_reminders() -> None:
    from caseflow.mail.reminders import queue_reminders

    queued = queue_reminders()
    db.session.commit()  # delivery is queued after the commit
    log.info("Queued %s reminder(s)", queued)


def send_digests() -> None:
    from caseflow.mail.digests import queue_digests

    queued = queue_digests()
    db.session.commit()
    log.info("Queued %s digest(s)", queued)


def prune() -> tuple[int, int]:
    """Delete expired export files, old email bodies and ended login sessions. Commits.
    Returns the counts of exports and emails."""
    from caseflow.auth.sessions import prune_sessions

    exports = jobs.prune_exports()
    emails = mail.prune_sent()
    logins = prune_sessions()
    db.session.commit()
    log.info(
        "Pruned %s export file(s), %s email body(ies), %s ended login session(s)",
        exports,
        emails,
        logins,
    )
    return exports, emails


def backup() -> None:
    from caseflow.backup.services import backup_to_directory

    path = backup_to_directory(current_app.config["BACKUP_DIR"], current_app.config["BACKUP_KEEP"])
    log.info("Backup written to %s", path)


def retention() -> None:
    """Anonymise closed cases past their centre's retention, delete old audit rows,
    export files, email bodies and backups (``caseflow.privacy.retention``). Commits per
    case and per kind, so one failure undoes nothing else."""
    from caseflow.core.database import checkpoint_wal
    from caseflow.privacy.retention import run_retention

    result = run_retention(commit=db.session.commit)
    checkpoint_wal()  # no erased value stays in SQLite's -wal file
    if result.failed:
        log.error("Retention: %s step(s) failed (see above)", len(result.failed))


def team_figures() -> int:
    """Count every centre's team overview afresh for the overview page (every 5
    minutes). Each centre is counted in a read-only transaction (no SQLite write lock
    while counting) and stored in a short one of its own; returns the rows stored."""
    from caseflow.team.figures import refresh_team_figures

    stored = refresh_team_figures(commit=db.session.commit)
    log.info("Team figures: %s row(s) counted", stored)
    return stored


def report_figures() -> int:
    """Count every centre's funder report afresh for the standard periods (this and
    last month, quarter and year; every 15 minutes). Each centre is counted in a
    read-only transaction (no SQLite write lock while counting) and stored in a short
    one of its own; returns the rows stored."""
    from caseflow.reports.figures import refresh_report_figures

    stored = refresh_report_figures(commit=db.session.commit)
    log.info("Report figures: %s report(s) counted", stored)
    return stored


SCHEDULED = {
    "outbox_sweep": sweep,
    "reminders": send_reminders,
    "digests": send_digests,
    "prune": prune,
    "retention": retention,
    "backup": backup,
    "team_figures": team_figures,
    "report_figures": report_figures,
}


def init_app(app: Flask) -> None:
    tasks.register(app, mail.DELIVER_TASK, mail.deliver_due)
    tasks.register(app, jobs.RUN_TASK, jobs.run_export)
    schedule = app.config["SCHEDULE"]
    unknown = set(schedule) - set(SCHEDULED)
    if unknown:
        raise ValueError(f"Unknown SCHEDULE entries: {sorted(unknown)}")
    for name, cron in schedule.items():
        if cron:
            tasks.register_periodic(app, f"schedule.{name}", SCHEDULED[name], cron)
    app.cli.add_command(worker_command)
    app.cli.add_command(prune_command)
    app.cli.add_command(team_figures_command)
    app.cli.add_command(report_figures_command)


@click.command("worker")
@click.option("--threads", type=int, default=None, help="Task threads (default WORKER_THREADS).")
@click.option(
    "--no-schedule",
    is_flag=True,
    help="Run queued tasks only; another worker (or cron) runs the schedule.",
)
@with_appcontext
def worker_command(threads, no_schedule):
    """Run background work and the schedule until stopped (Ctrl+C or SIGINT: graceful)."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    queue = tasks.queue()
    if queue.immediate:
        raise click.ClickException("TASKS_IMMEDIATE is on: there is nothing for a worker to do.")
    # Work a dead worker left behind, and mail that waited while none ran.
    requeued = jobs.requeue_interrupted(starting=True)
    tasks.enqueue(mail.DELIVER_TASK)
    db.session.remove()
    log.info("Worker starting; %s export(s) queued again", requeued)
    consumer = queue.create_consumer(
        workers=threads or current_app.config["WORKER_THREADS"],
        worker_type="thread",
        periodic=not no_schedule,
        check_worker_health=True,
    )
    consumer.run()


@click.command("prune")
@with_appcontext
def prune_command():
    """Delete expired export files and the bodies of old sent emails (nightly cron)."""
    exports, emails = prune()
    click.echo(f"Pruned {exports} export file(s) and {emails} email body(ies).")


@click.command("team-figures")
@with_appcontext
def team_figures_command():
    """Count the team overview's figures of every centre now (the worker does it every
    5 minutes; cron can run this instead)."""
    stored = team_figures()
    click.echo(f"Counted the team figures: {stored} row(s).")


@click.command("report-figures")
@with_appcontext
def report_figures_command():
    """Count the funder report's figures of every centre now (the worker does it every
    15 minutes; cron can run this instead)."""
    stored = report_figures()
    click.echo(f"Counted the funder report figures: {stored} report(s).")

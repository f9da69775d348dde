"""Bulk exports, run by the worker: one job row, progress saved as it goes.

The job row is the durable record; the queued task only says "run job N now". A run
claims the job (an UPDATE only one worker can win), builds the HTML in read-only
transactions, renders the PDFs with no transaction open, then stores the ZIP in one
short write. A worker that dies leaves the job "running" with its host:pid and an old
heartbeat; the next worker start (same host, dead pid) or the sweep (heartbeat older
than EXPORT_STALLED_SECONDS) queues it again, at most EXPORT_MAX_ATTEMPTS times.
"""

import logging
import os
import socket
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from caseflow.auth.models import User
from caseflow.auth.permissions import visible_cases_clause
from caseflow.cases.models import Case
from caseflow.core import tasks
from caseflow.core.database import reading
from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.documents.services import record_export, render_zip, summary_documents
from caseflow.extensions import db

log = logging.getLogger(__name__)

# The worker task that runs one export job (registered in caseflow/worker.py).
RUN_TASK = "exports.run"


def exportable_cases(user: User, case_ids: list[int]) -> list[Case]:
    """The cases among ``case_ids`` that ``user`` may see, in reference order."""
    return list(
        db.session.scalars(
            select(Case)
            .where(visible_cases_clause(user), Case.id.in_(case_ids))
            .order_by(Case.reference)
        )
    )


def start_export(user: User, case_ids: list[int], locale: str) -> ExportJob:
    """Create the job row. Flushes; the worker is asked to run it once the caller commits."""
    job = ExportJob(
        centre_id=user.centre_id,
        user_id=user.id,
        case_ids=case_ids,
        total=len(case_ids),
        locale=locale,
    )
    db.session.add(job)
    db.session.flush()
    tasks.enqueue_after_commit(RUN_TASK, job.id)
    return job


def retry_export(job: ExportJob, now: datetime | None = None) -> None:
    """Queue a failed or stalled job again, from the start. Flushes."""
    now = now or utcnow()
    if not (job.status == ExportStatus.FAILED or job.is_stalled(now, stalled_after())):
        raise DomainError(_("This export is still being prepared."))
    job.status = ExportStatus.QUEUED
    job.attempts = 0
    job.done = 0
    job.error = None
    job.claimed_by = None
    job.heartbeat_at = now
    job.finished_at = None
    db.session.flush()
    tasks.enqueue_after_commit(RUN_TASK, job.id)


def stalled_after() -> timedelta:
    return timedelta(seconds=current_app.config["EXPORT_STALLED_SECONDS"])


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(job_id: int, now: datetime) -> bool:
    """Take the job for this worker if it is queued, or running without a heartbeat
    for EXPORT_STALLED_SECONDS. Commits."""
    claimed = db.session.execute(
        update(ExportJob)
        .where(
            ExportJob.id == job_id,
            or_(
                ExportJob.status == ExportStatus.QUEUED,
                (ExportJob.status == ExportStatus.RUNNING)
                & (ExportJob.heartbeat_at < now - stalled_after()),
            ),
        )
        .values(
            status=ExportStatus.RUNNING,
            attempts=ExportJob.attempts + 1,
            claimed_by=worker_id(),
            heartbeat_at=now,
            done=0,
        )
    )
    db.session.commit()
    return claimed.rowcount == 1


def _heartbeat(job_id: int, done: int) -> None:
    db.session.execute(
        update(ExportJob).where(ExportJob.id == job_id).values(done=done, heartbeat_at=utcnow())
    )
    db.session.commit()  # the status page reads it from another request


def _fail(job_id: int, error: str) -> None:
    job = db.session.get(ExportJob, job_id)
    job.status = ExportStatus.FAILED
    job.error = error
    job.finished_at = utcnow()
    db.session.commit()


def run_export(job_id: int) -> None:
    """Build the ZIP of a job, saving progress after every case. Commits."""
    if not _claim(job_id, utcnow()):
        return  # another worker has it, or it is finished
    job = db.session.get(ExportJob, job_id)
    if job.attempts > current_app.config["EXPORT_MAX_ATTEMPTS"]:
        _fail(job_id, "Interrupted")
        log.warning("Export job %s gave up after %s interrupted runs", job_id, job.attempts - 1)
        return
    try:
        # Reading and building the HTML takes no write lock; the transaction ends
        # before the slow part (rendering) starts.
        with reading():
            user = db.session.get(User, job.user_id)
            cases = exportable_cases(user, job.case_ids)
            documents = summary_documents(cases, user, job.locale)
            case_ids = [case.id for case in cases]
            db.session.commit()
        data = render_zip(documents, lambda done: _heartbeat(job_id, done))
        job = db.session.get(ExportJob, job_id)
        user = db.session.get(User, job.user_id)
        for case in db.session.scalars(select(Case).where(Case.id.in_(case_ids))):
            record_export(case, user, "summary")
        job.result = data
        job.total = job.done = len(case_ids)
        job.status = ExportStatus.DONE
        job.finished_at = utcnow()
        db.session.commit()
    except Exception as error:  # record it for the page; the traceback goes to the log
        db.session.rollback()
        log.exception("Export job %s failed", job_id)
        _fail(job_id, type(error).__name__)


def requeue_interrupted(now: datetime | None = None, *, starting: bool = False) -> int:
    """Queue again the jobs whose worker died; queue the queued ones again (a lost task
    is harmless to repeat: a run claims its job first). Commits. Returns how many.

    At a worker's start (``starting``), a job claimed on this host by a process that no
    longer runs (or by this pid's earlier life) is taken at once; any other running job
    only once its heartbeat is older than EXPORT_STALLED_SECONDS.
    """
    now = now or utcnow()
    host = socket.gethostname()
    jobs = db.session.scalars(
        select(ExportJob).where(ExportJob.status.in_((ExportStatus.QUEUED, ExportStatus.RUNNING)))
    ).all()
    to_run = []
    for job in jobs:
        if job.status == ExportStatus.QUEUED:
            to_run.append(job.id)
            continue
        orphaned = starting and _died_on_this_host(job.claimed_by, host)
        if orphaned or (job.heartbeat_at or job.created_at) < now - stalled_after():
            if job.attempts >= current_app.config["EXPORT_MAX_ATTEMPTS"]:
                job.status = ExportStatus.FAILED
                job.error = "Interrupted"
                job.finished_at = now
            else:
                job.status = ExportStatus.QUEUED
                to_run.append(job.id)
    db.session.commit()
    for job_id in to_run:
        tasks.enqueue(RUN_TASK, job_id)
    return len(to_run)


def _died_on_this_host(claimed_by: str | None, host: str) -> bool:
    if not claimed_by or claimed_by.rpartition(":")[0] != host:
        return False
    pid = int(claimed_by.rpartition(":")[2])
    if pid == os.getpid():
        return True  # this process is just starting: the claim was its earlier life's
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


def prune_exports(now: datetime | None = None) -> int:
    """Delete the ZIPs of exports finished more than EXPORT_KEEP_HOURS ago (the job
    then shows as expired). Flushes. Returns how many."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])
    expired = db.session.execute(
        update(ExportJob)
        .where(ExportJob.status == ExportStatus.DONE, ExportJob.finished_at < cutoff)
        .values(status=ExportStatus.EXPIRED, result=None)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return expired.rowcount

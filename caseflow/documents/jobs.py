"""Bulk exports in the background: one job row, progress saved as it goes."""

import logging
import threading

from flask import Flask, current_app
from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.auth.permissions import visible_cases_clause
from caseflow.cases.models import Case
from caseflow.core.time import utcnow
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.documents.services import record_export, summaries_zip
from caseflow.extensions import db

log = logging.getLogger(__name__)


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
    """Create the job row. Flushes; the caller commits, then calls ``launch``."""
    job = ExportJob(
        centre_id=user.centre_id,
        user_id=user.id,
        case_ids=case_ids,
        total=len(case_ids),
        locale=locale,
    )
    db.session.add(job)
    db.session.flush()
    return job


def run_export(job_id: int) -> None:
    """Build the ZIP of a job, saving progress after every case. Commits."""
    job = db.session.get(ExportJob, job_id)
    job.status = ExportStatus.RUNNING
    db.session.commit()
    user = db.session.get(User, job.user_id)
    try:
        cases = exportable_cases(user, job.case_ids)
        job.total = len(cases)
        db.session.commit()

        def progress(done: int) -> None:
            job.done = done
            db.session.commit()  # the status page reads it from another request

        job.result = summaries_zip(cases, user, job.locale, progress)
        for case in cases:
            record_export(case, user, "summary")
        job.done = len(cases)
        job.status = ExportStatus.DONE
    except Exception as error:  # record it for the page; the traceback goes to the log
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        job.status = ExportStatus.FAILED
        job.error = type(error).__name__
        log.exception("Export job %s failed", job_id)
    job.finished_at = utcnow()
    db.session.commit()


def launch(app: Flask, job_id: int) -> None:
    """Run the job now (tests) or in a background thread (JOBS_IN_BACKGROUND)."""
    if not current_app.config["JOBS_IN_BACKGROUND"]:
        run_export(job_id)
        return

    def work():
        with app.app_context():
            try:
                run_export(job_id)
            finally:
                db.session.remove()

    threading.Thread(target=work, daemon=True).start()

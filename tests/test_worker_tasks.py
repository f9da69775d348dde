"""The worker's tasks in-process: export job claims and recovery, pruning, the schedule.

The real worker process is tested in tests/reliability/test_worker.py.
"""

import os
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from caseflow.core import tasks
from caseflow.core.time import utcnow
from caseflow.documents import jobs
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.extensions import db
from caseflow.worker import prune
from tests.conftest import reload


@pytest.fixture
def lead_with_cases(make_user, make_case):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    cases = [make_case(advisor, household_name=f"Household {n}") for n in range(7)]
    db.session.commit()
    return lead, cases


def _job(lead, cases, **columns) -> ExportJob:
    job = ExportJob(
        centre_id=lead.centre_id,
        user_id=lead.id,
        case_ids=[c.id for c in cases],
        total=len(cases),
        locale="en",
        **columns,
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_starting_an_export_queues_its_task_after_the_commit(lead_with_cases, queued_tasks):
    lead, cases = lead_with_cases
    job = jobs.start_export(lead, [c.id for c in cases], "en")
    assert queued_tasks == []
    db.session.commit()
    assert queued_tasks == [(jobs.RUN_TASK, (job.id,))]


def test_a_run_claims_its_job_so_a_second_run_does_nothing(lead_with_cases):
    lead, cases = lead_with_cases
    job = _job(lead, cases)
    jobs.run_export(job.id)
    done = reload(ExportJob, job.id)
    assert done.status == ExportStatus.DONE and done.attempts == 1 and done.result
    jobs.run_export(job.id)  # a repeated task: nothing to claim
    assert reload(ExportJob, job.id).attempts == 1


def test_the_html_is_built_in_a_read_only_transaction_and_rendering_holds_none(
    lead_with_cases, monkeypatch
):
    lead, cases = lead_with_cases
    job = _job(lead, cases)
    seen = {}
    build, render = jobs.summary_documents, jobs.render_zip

    def spy_build(*args):
        seen["reading"] = _reading()
        return build(*args)

    def spy_render(*args, **kwargs):
        seen["transaction while rendering"] = db.session().in_transaction()
        return render(*args, **kwargs)

    monkeypatch.setattr(jobs, "summary_documents", spy_build)
    monkeypatch.setattr(jobs, "render_zip", spy_render)
    jobs.run_export(job.id)
    assert seen == {"reading": True, "transaction while rendering": False}


def _reading() -> bool:
    from caseflow.core import database

    return database._reading.get()


def test_a_job_whose_worker_died_on_this_host_is_queued_again_at_start(
    lead_with_cases, queued_tasks
):
    lead, cases = lead_with_cases
    host = jobs.worker_id().rpartition(":")[0]
    dead = _job(
        lead,
        cases,
        status=ExportStatus.RUNNING,
        attempts=1,
        claimed_by=f"{host}:{_dead_pid()}",
        heartbeat_at=utcnow(),
    )
    live = _job(
        lead,
        cases,
        status=ExportStatus.RUNNING,
        attempts=1,
        claimed_by=f"{host}:{os.getppid()}",  # a process that runs
        heartbeat_at=utcnow(),
    )
    assert jobs.requeue_interrupted(starting=True) == 1
    assert queued_tasks == [(jobs.RUN_TASK, (dead.id,))]
    assert reload(ExportJob, dead.id).status == ExportStatus.QUEUED
    assert reload(ExportJob, live.id).status == ExportStatus.RUNNING
    jobs.run_export(dead.id)
    assert reload(ExportJob, dead.id).status == ExportStatus.DONE


def test_the_sweep_queues_a_job_without_heartbeat_and_fails_it_after_the_last_attempt(
    app, lead_with_cases, queued_tasks
):
    lead, cases = lead_with_cases
    old = utcnow() - timedelta(seconds=app.config["EXPORT_STALLED_SECONDS"] + 1)
    other_host = "another-host:123"
    stale = _job(
        lead,
        cases,
        status=ExportStatus.RUNNING,
        attempts=1,
        claimed_by=other_host,
        heartbeat_at=old,
    )
    spent = _job(
        lead,
        cases,
        status=ExportStatus.RUNNING,
        attempts=app.config["EXPORT_MAX_ATTEMPTS"],
        claimed_by=other_host,
        heartbeat_at=old,
    )
    fresh = _job(
        lead,
        cases,
        status=ExportStatus.RUNNING,
        attempts=1,
        claimed_by=other_host,
        heartbeat_at=utcnow(),
    )
    assert jobs.requeue_interrupted() == 1
    assert queued_tasks == [(jobs.RUN_TASK, (stale.id,))]
    assert reload(ExportJob, stale.id).status == ExportStatus.QUEUED
    assert reload(ExportJob, spent.id).status == ExportStatus.FAILED
    assert reload(ExportJob, spent.id).error == "Interrupted"
    assert reload(ExportJob, fresh.id).status == ExportStatus.RUNNING


def test_a_stalled_export_page_stops_refreshing_and_offers_try_again(
    app, client_for, lead_with_cases
):
    lead, cases = lead_with_cases
    old = utcnow() - timedelta(seconds=app.config["EXPORT_STALLED_SECONDS"] + 1)
    job = _job(lead, cases, status=ExportStatus.QUEUED, created_at=old)
    http = client_for(lead)
    page = http.get(f"/exports/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page
    assert "background worker may have stopped" in page and "Try again" in page
    # Try again runs it (in-process in tests) and the page offers the download.
    assert http.post_form(f"/exports/{job.id}/retry").status_code == 302
    assert reload(ExportJob, job.id).status == ExportStatus.DONE
    assert "Download the ZIP file" in http.get(f"/exports/{job.id}").get_data(as_text=True)


def test_a_running_export_page_refreshes_and_cannot_be_retried(client_for, lead_with_cases):
    lead, cases = lead_with_cases
    job = _job(lead, cases, status=ExportStatus.RUNNING, heartbeat_at=utcnow(), done=3)
    http = client_for(lead)
    page = http.get(f"/exports/{job.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "Preparing 3 of 7 summaries" in page
    assert "Try again" not in page
    http.post_form(f"/exports/{job.id}/retry")
    assert reload(ExportJob, job.id).status == ExportStatus.RUNNING


def test_a_failed_export_can_be_tried_again_in_dutch(client_for, lead_with_cases):
    lead, cases = lead_with_cases
    lead.locale = "nl"
    job = _job(lead, cases, status=ExportStatus.FAILED, error="OSError", attempts=3)
    http = client_for(lead)
    page = http.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "Opnieuw proberen" in page
    http.post_form(f"/exports/{job.id}/retry")
    assert reload(ExportJob, job.id).status == ExportStatus.DONE


def test_export_files_expire_after_the_keep_hours(app, client_for, lead_with_cases):
    lead, cases = lead_with_cases
    job = _job(lead, cases)
    jobs.run_export(job.id)
    keep = app.config["EXPORT_KEEP_HOURS"]
    assert jobs.prune_exports(utcnow() + timedelta(hours=keep - 1)) == 0
    assert jobs.prune_exports(utcnow() + timedelta(hours=keep + 1)) == 1
    db.session.commit()
    expired = reload(ExportJob, job.id)
    assert expired.status == ExportStatus.EXPIRED
    assert db.session.scalar(select(ExportJob.result).where(ExportJob.id == job.id)) is None
    http = client_for(lead)
    page = http.get(f"/exports/{job.id}").get_data(as_text=True)
    assert "has expired" in page and "Download the ZIP file" not in page
    assert http.get(f"/exports/{job.id}/download").status_code == 404


def test_the_nightly_prune_task_commits_both_kinds(app, lead_with_cases):
    lead, cases = lead_with_cases
    job = _job(
        lead,
        cases,
        status=ExportStatus.DONE,
        result=b"zip",
        finished_at=utcnow() - timedelta(hours=app.config["EXPORT_KEEP_HOURS"] + 1),
    )
    assert prune() == (1, 0)
    db.session.rollback()  # committed by the task: a rollback keeps it
    assert reload(ExportJob, job.id).status == ExportStatus.EXPIRED


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        (datetime(2026, 1, 12, 6, 30), True),  # winter: 07:30 in Brussels is 06:30 UTC
        (datetime(2026, 1, 12, 7, 30), False),
        (datetime(2026, 7, 13, 5, 30), True),  # summer: 05:30 UTC
        (datetime(2026, 7, 13, 6, 30), False),
    ],
)
def test_the_schedule_is_read_in_brussels_time(utc, expected):
    assert tasks.zoned_crontab("30 7 * * *", "Europe/Brussels")(utc) is expected


def test_a_schedule_line_needs_five_fields():
    with pytest.raises(ValueError, match="five fields"):
        tasks.zoned_crontab("30 7 * *", "Europe/Brussels")


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        # The team overview's figures every 5 minutes (caseflow/team/figures.py).
        (datetime(2026, 1, 12, 6, 0), {"outbox_sweep", "digests", "team_figures"}),  # Mon 07:00
        (datetime(2026, 1, 12, 6, 30), {"outbox_sweep", "reminders", "team_figures"}),  # 07:30
        (datetime(2026, 1, 13, 1, 15), {"outbox_sweep", "prune", "team_figures"}),  # Tue 02:15
        (datetime(2026, 1, 13, 1, 30), {"outbox_sweep", "retention", "team_figures"}),  # 02:30
        (datetime(2026, 1, 13, 1, 45), {"outbox_sweep", "backup", "team_figures"}),  # 02:45
        (datetime(2026, 1, 13, 12, 5), {"outbox_sweep", "team_figures"}),
        # The funder report's figures every 15 minutes, at 7, 22, 37 and 52.
        (datetime(2026, 1, 13, 12, 7), {"outbox_sweep", "report_figures"}),
        (datetime(2026, 1, 13, 1, 52), {"outbox_sweep", "report_figures"}),
        (datetime(2026, 1, 13, 12, 1), {"outbox_sweep"}),
    ],
)
def test_the_worker_runs_each_scheduled_task_at_its_time(app, utc, due):
    names = {task.name for task in tasks.queue(app).read_periodic(utc)}
    assert names == {f"schedule.{name}" for name in due}


def test_the_queued_tasks_are_registered(app):
    registered = set(app.extensions["caseflow_tasks"])
    assert registered == {"outbox.deliver", "exports.run"}


def test_a_queue_that_refuses_loses_nothing(app, centre, monkeypatch, caplog):
    """Enqueueing never breaks the request: the row is committed, the sweep sends it."""
    from caseflow.mail import services
    from caseflow.mail.models import OutboxMessage, OutboxStatus

    def refuse(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setitem(app.extensions["caseflow_tasks"], services.DELIVER_TASK, refuse)
    services.queue_email(
        centre_id=centre.id, kind="test", recipients=["a@example.org"], subject="S", text_body="B"
    )
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage)).one().status == OutboxStatus.QUEUED
    assert "sweep will pick the work up" in caplog.text


def _dead_pid() -> int:
    """A pid no process has (the highest pids are rarely in use)."""
    for pid in range(4_000_000, 3_000_000, -1):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            continue
    raise AssertionError("no free pid found")


def test_the_nightly_backup_task_keeps_the_last_n(app, centre, tmp_path, monkeypatch):
    from caseflow.worker import backup

    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 2)
    db.session.commit()
    for _ in range(3):
        backup()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and all(n.startswith("caseflow-") for n in names), names


def test_the_worker_command_refuses_to_run_in_immediate_mode(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0 and "TASKS_IMMEDIATE" in result.output


def test_the_prune_command_for_cron(app, lead_with_cases):
    lead, cases = lead_with_cases
    _job(
        lead,
        cases,
        status=ExportStatus.DONE,
        result=b"zip",
        finished_at=utcnow() - timedelta(hours=app.config["EXPORT_KEEP_HOURS"] + 1),
    )
    result = app.test_cli_runner().invoke(args=["prune"])
    assert result.exit_code == 0
    assert "Pruned 1 export file(s) and 0 email body(ies)." in result.output

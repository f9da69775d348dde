"""Retention: nothing is kept longer than needed.

One entry point, ``run_retention``, run nightly by the worker (``SCHEDULE["retention"]``)
and by ``flask --app caseflow retention run [--dry-run]``:

- **cases**: a closed case is anonymised (``caseflow.privacy.erasure.erase_case``) once
  its closing is older than its centre's ``retention_months`` (admin setting, default
  24), unless it is on legal hold or already erased. What stays is anonymous, so the
  funder report counts the case as before;
- **audit rows** older than ``AUDIT_RETENTION`` (``caseflow.core.audit``);
- **export files** of bulk exports finished more than ``EXPORT_KEEP_HOURS`` ago and the
  **bodies of sent emails** older than ``SENT_MAIL_KEEP_DAYS`` (the same services as
  the nightly ``prune``);
- **backups** in ``BACKUP_DIR`` beyond the newest ``BACKUP_KEEP``;
- **links to the client's page** that stopped working (expired, revoked, or of a case
  closed) more than ``PORTAL_DEAD_LINK_KEEP_DAYS`` ago (the timeline keeps that a link
  was sent and revoked);
- **first-line contacts** (caseflow/contacts) logged longer ago than their centre's
  ``retention_months``: the name and the note are removed; date, channel, topics and
  minutes stay for the funder report;
- **walk-ins' names** (caseflow/events: people added at an event's door, not linked to a
  case) of events that ended longer ago than their centre's ``retention_months``: the
  name is removed; the number of people stays for the report.

Nothing in this module commits: ``run_retention`` takes the caller's ``commit`` and
calls it after each case and after each kind of pile, so one failing case is rolled back
alone and the others stay done. A dry run only counts.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import ColumnElement, delete, func, or_, select

from caseflow.backup import services as backups
from caseflow.cases.models import Case, CaseStatus
from caseflow.centres.models import Centre
from caseflow.contacts import services as contacts
from caseflow.core import audit
from caseflow.core.audit import AuditEvent
from caseflow.core.time import utcnow
from caseflow.documents import jobs
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.events import door as event_door
from caseflow.extensions import db
from caseflow.mail import services as mail
from caseflow.mail.models import OutboxMessage, OutboxStatus
from caseflow.portal.models import PortalLink
from caseflow.privacy import erasure

log = logging.getLogger(__name__)

# Centre setting bounds (the admin form refuses anything else).
MIN_MONTHS, MAX_MONTHS = 1, 120


@dataclass
class RetentionResult:
    """What a run did (or, for a dry run, would do)."""

    dry_run: bool
    anonymised: list[str] = field(default_factory=list)  # case references
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, error)
    audit_rows: int = 0
    exports: int = 0
    email_bodies: int = 0
    backups: list[str] = field(default_factory=list)  # file names
    portal_links: int = 0
    contact_details: int = 0  # contacts whose name and note were removed
    walk_in_names: int = 0  # event walk-ins whose name was removed

    def counts(self) -> dict[str, int]:
        """The figures alone (for the audit trail and the log: no references)."""
        return {
            "cases": len(self.anonymised),
            "failed": len(self.failed),
            "audit_rows": self.audit_rows,
            "exports": self.exports,
            "email_bodies": self.email_bodies,
            "backups": len(self.backups),
            "portal_links": self.portal_links,
            "contact_details": self.contact_details,
            "walk_in_names": self.walk_in_names,
        }


# --- cases ------------------------------------------------------------------------


def retention_cutoff(months: int, now: datetime) -> datetime:
    """Cases closed before this are due: ``months`` calendar months before ``now``."""
    return now - relativedelta(months=months)


def _not_erased() -> list[ColumnElement[bool]]:
    return [Case.erased_at.is_(None)]


def _due_clause(centre_id: int, cutoff: datetime) -> list[ColumnElement[bool]]:
    return [
        Case.centre_id == centre_id,
        Case.status == CaseStatus.CLOSED,
        Case.closed_at.is_not(None),
        Case.closed_at < cutoff,
        Case.legal_hold_at.is_(None),
        *_not_erased(),
    ]


def due_cases(now: datetime | None = None) -> list[tuple[int, str, int]]:
    """``(case id, reference, months)`` of every case retention must anonymise now:
    closed longer ago than its centre's ``retention_months``, not on legal hold, not
    erased. Oldest closing first, centre by centre. Reads only."""
    now = now or utcnow()
    found = []
    for centre in db.session.scalars(select(Centre).order_by(Centre.id)):
        months = centre.retention_months
        rows = db.session.execute(
            select(Case.id, Case.reference)
            .where(*_due_clause(centre.id, retention_cutoff(months, now)))
            .order_by(Case.closed_at, Case.id)
        )
        found.extend((case_id, reference, months) for case_id, reference in rows)
    return found


def anonymise_if_due(case_id: int, now: datetime) -> Case | None:
    """Anonymise the case if it is still due (locked, and checked again: a hold placed or
    a reopening since ``due_cases`` wins). Returns it, or None when it was not due any
    more. Flushes through ``erase_case``; does not commit."""
    case = db.session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    if case is None:
        return None
    centre = db.session.get(Centre, case.centre_id)
    cutoff = retention_cutoff(centre.retention_months, now)
    still_due = db.session.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.id == case_id, *_due_clause(centre.id, cutoff))
    )
    if not still_due:
        return None
    erasure.erase_case(
        case,
        reason=f"Retention: closed more than {centre.retention_months} months ago",
        actor=None,
    )
    return case


# --- what piles up ------------------------------------------------------------------


def _audit_cutoff(now: datetime) -> datetime:
    return now - audit.retention()


def _export_cutoff(now: datetime) -> datetime:
    return now - timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])


def _email_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=current_app.config["SENT_MAIL_KEEP_DAYS"])


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def audit_rows_due(now: datetime) -> int:
    return _count(AuditEvent, AuditEvent.occurred_at < _audit_cutoff(now))


def exports_due(now: datetime) -> int:
    """The same rows as ``documents.jobs.prune_exports``."""
    return _count(
        ExportJob,
        ExportJob.status == ExportStatus.DONE,
        ExportJob.finished_at < _export_cutoff(now),
    )


def email_bodies_due(now: datetime) -> int:
    """The same rows as ``mail.services.prune_sent``."""
    return _count(
        OutboxMessage,
        OutboxMessage.status == OutboxStatus.SENT,
        OutboxMessage.sent_at < _email_cutoff(now),
        OutboxMessage.body_pruned_at.is_(None),
    )


def prune_audit_rows(now: datetime) -> int:
    """Audit rows past ``AUDIT_RETENTION`` (the trail's one delete path, which records
    ``audit.prune``). Nothing, and no row, when none is due. Flushes."""
    if not audit_rows_due(now):
        return 0
    return audit.prune_audit_events(now)


def _dead_links_clause(now: datetime) -> ColumnElement[bool]:
    cutoff = now - timedelta(days=current_app.config["PORTAL_DEAD_LINK_KEEP_DAYS"])
    closed_cases = select(Case.id).where(Case.status == CaseStatus.CLOSED, Case.closed_at < cutoff)
    return or_(
        PortalLink.revoked_at < cutoff,
        PortalLink.expires_at < cutoff,
        PortalLink.case_id.in_(closed_cases),
    )


def portal_links_due(now: datetime) -> int:
    return _count(PortalLink, _dead_links_clause(now))


def prune_portal_links(now: datetime) -> int:
    pruned = db.session.execute(
        delete(PortalLink)
        .where(_dead_links_clause(now))
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return pruned.rowcount


def _centre_cutoffs(now: datetime) -> list[tuple[int, datetime]]:
    centres = db.session.execute(select(Centre.id, Centre.retention_months)).all()
    return [(centre_id, retention_cutoff(months, now)) for centre_id, months in centres]


def contact_details_due(now: datetime) -> int:
    return sum(contacts.old_contacts_due(c, cutoff) for c, cutoff in _centre_cutoffs(now))


def prune_contact_details(now: datetime) -> int:
    return sum(
        contacts.anonymise_old_contacts(c, cutoff, now) for c, cutoff in _centre_cutoffs(now)
    )


def walk_in_names_due(now: datetime) -> int:
    return sum(event_door.old_walk_in_names_due(c, cutoff) for c, cutoff in _centre_cutoffs(now))


def prune_walk_in_names(now: datetime) -> int:
    return sum(event_door.remove_old_walk_in_names(c, cutoff) for c, cutoff in _centre_cutoffs(now))


def _backup_settings() -> tuple[Path, int]:
    return backups.default_backup_directory(), int(current_app.config["BACKUP_KEEP"])


def backups_due() -> list[Path]:
    """Backups in ``BACKUP_DIR`` beyond the newest ``BACKUP_KEEP`` (none without the
    directory)."""
    directory, keep = _backup_settings()
    if not directory.is_dir():
        return []
    return backups.backups_beyond(directory, keep)


def prune_old_backups() -> list[Path]:
    """Delete the backups ``backups_due`` lists (files: nothing to commit)."""
    directory, keep = _backup_settings()
    if not directory.is_dir():
        return []
    return backups.prune_backups(directory, keep)


# --- the run ------------------------------------------------------------------------


def run_retention(
    *,
    commit: Callable[[], None],
    dry_run: bool = False,
    now: datetime | None = None,
) -> RetentionResult:
    """Apply every retention rule (see the module docstring) and return what was done.

    ``commit`` is called after each anonymised case, after each kind of pile and after
    the closing ``retention.run`` audit row; a step that fails is rolled back alone,
    logged and listed in ``failed``, and the run goes on. ``dry_run``: count only,
    change nothing, record nothing.
    """
    now = now or utcnow()
    result = RetentionResult(dry_run=dry_run)

    for case_id, reference, _months in due_cases(now):
        if dry_run:
            result.anonymised.append(reference)
            continue
        try:
            case = anonymise_if_due(case_id, now)
            commit()
        except Exception as error:  # one case must not stop the others
            db.session.rollback()
            log.exception("Retention could not anonymise case %s", case_id)
            result.failed.append((reference, _describe(error)))
            continue
        if case is not None:
            result.anonymised.append(reference)

    if dry_run:
        result.audit_rows = audit_rows_due(now)
        result.exports = exports_due(now)
        result.email_bodies = email_bodies_due(now)
        result.backups = [path.name for path in backups_due()]
        result.portal_links = portal_links_due(now)
        result.contact_details = contact_details_due(now)
        result.walk_in_names = walk_in_names_due(now)
        return result

    steps = (
        ("audit trail", lambda: setattr(result, "audit_rows", prune_audit_rows(now))),
        ("export files", lambda: setattr(result, "exports", jobs.prune_exports(now))),
        ("email bodies", lambda: setattr(result, "email_bodies", mail.prune_sent(now))),
        ("backups", lambda: result.backups.extend(p.name for p in prune_old_backups())),
        ("client page links", lambda: setattr(result, "portal_links", prune_portal_links(now))),
        (
            "contact details",
            lambda: setattr(result, "contact_details", prune_contact_details(now)),
        ),
        ("walk-in names", lambda: setattr(result, "walk_in_names", prune_walk_in_names(now))),
    )
    for name, step in steps:
        try:
            step()
            commit()
        except Exception as error:
            db.session.rollback()
            log.exception("Retention could not prune the %s", name)
            result.failed.append((name, _describe(error)))

    audit.record("retention.run", details=result.counts())
    commit()
    log.info("Retention: %s", result.counts())
    return result


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__

"""The audit pages' reads: a case's events, a user's events, filtered, newest first."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, false, or_, select

from caseflow.audit import labels
from caseflow.auth.models import User
from caseflow.cases.models import Case
from caseflow.core.audit import AuditEvent
from caseflow.core.time import BRUSSELS
from caseflow.extensions import db


def _utc(day: date) -> datetime:
    """Brussels midnight at the start of ``day``, as the naive UTC the rows store."""
    local = datetime.combine(day, time.min, tzinfo=BRUSSELS)
    return local.astimezone(UTC).replace(tzinfo=None)


def _filtered(query: Select, *, user_id=None, kind=None, outcome=None, start=None, end=None):
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    if kind in labels.KINDS:
        _label, actions = labels.KINDS[kind]
        query = query.where(
            or_(
                *(
                    AuditEvent.action.startswith(a, autoescape=True)
                    if a.endswith(".")
                    else AuditEvent.action == a
                    for a in actions
                )
            )
        )
    if outcome in labels.OUTCOMES:
        query = query.where(AuditEvent.outcome == outcome)
    if start is not None:
        query = query.where(AuditEvent.occurred_at >= _utc(start))
    if end is not None:
        query = query.where(AuditEvent.occurred_at < _utc(end + timedelta(days=1)))
    return query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


def nothing() -> Select:
    """No rows (the page of a filter that is not valid)."""
    return select(AuditEvent).where(false())


def case_events(case_id: int, **filters) -> Select:
    """Everything recorded about one case (its page, steps, notes, PDFs, emails...)."""
    return _filtered(select(AuditEvent).where(AuditEvent.case_id == case_id), **filters)


def user_events(whose: int, **filters) -> Select:
    """Everything one user did."""
    return _filtered(select(AuditEvent), **(filters | {"user_id": whose}))


def people_of(events, centre_id: int) -> dict[int, User]:
    """The users named on a page of events, of this centre only (one query)."""
    ids = {e.user_id for e in events if e.user_id is not None}
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids), User.centre_id == centre_id))
    return {u.id: u for u in users}


def case_references(events, centre_id: int) -> dict[int, str]:
    """The references of the cases named on a page of events, of this centre only."""
    ids = {e.case_id for e in events if e.case_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        select(Case.id, Case.reference).where(Case.id.in_(ids), Case.centre_id == centre_id)
    )
    return {row.id: row.reference for row in rows}

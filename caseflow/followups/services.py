"""Follow-up services. None of them commit."""

from datetime import date

from flask_babel import gettext as _

from caseflow.auth.models import User
from caseflow.cases.models import ActivityKind, Case
from caseflow.cases.services import assignable_advisor, check_version
from caseflow.cases.timeline import record
from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus


def add_followup(
    case: Case, actor: User, *, title: str, details: str | None, due_date: date, assignee_id: int
) -> FollowUp:
    """Plan a follow-up on ``case`` for a user of its centre. Records it. Flushes."""
    if case.is_closed:
        raise DomainError(_("A closed case cannot get new follow-ups. Reopen it first."))
    assignee = assignable_advisor(case.centre_id, assignee_id)
    followup = FollowUp(
        case_id=case.id,
        title=title.strip(),
        details=details or None,
        due_date=due_date,
        assignee_id=assignee.id,
        created_by_id=actor.id,
    )
    db.session.add(followup)
    db.session.flush()
    record(
        case,
        actor,
        ActivityKind.FOLLOWUP_ADDED,
        title=followup.title,
        due=due_date.isoformat(),
        assignee=assignee.full_name,
    )
    return followup


def close_followup(
    followup: FollowUp, actor: User, status: FollowUpStatus, expected_version: int | None = None
) -> None:
    """Mark an open follow-up done or cancelled, noting who and when. Flushes."""
    check_version(followup.version, expected_version)
    if not followup.is_open:
        raise DomainError(_("This follow-up is no longer open."))
    followup.status = status
    followup.completed_by_id = actor.id
    followup.completed_at = utcnow()
    kind = (
        ActivityKind.FOLLOWUP_DONE
        if status == FollowUpStatus.DONE
        else ActivityKind.FOLLOWUP_CANCELLED
    )
    record(followup.case, actor, kind, title=followup.title)
    db.session.flush()

"""The household's consent to event invitations: record, withdraw, read. No commits."""

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import joinedload

from caseflow.auth.models import User
from caseflow.cases.models import Activity, ActivityKind, Case
from caseflow.cases.timeline import record
from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.events.models import ConsentChannel, InvitationConsent
from caseflow.extensions import db
from caseflow.mail import services as mail

# The outbox kind of an invitation (caseflow.events.invitations.INVITATION_KIND).
INVITATION_KIND = "event_invitation"


def consent_of(case_id: int) -> InvitationConsent | None:
    """The case's consent row (given or withdrawn), None when never recorded; with the
    staff members who recorded and withdrew it. One query."""
    return db.session.scalar(
        select(InvitationConsent)
        .where(InvitationConsent.case_id == case_id)
        .options(joinedload(InvitationConsent.given_by), joinedload(InvitationConsent.withdrawn_by))
    )


def give_consent(case: Case, actor: User) -> InvitationConsent:
    """Record that the household agreed to receive invitations (again, after a
    withdrawal: the date and the staff member are the new ones). Flushes."""
    if case.erased_at is not None:
        raise DomainError(_("An erased case gets no invitations."))
    consent = consent_of(case.id)
    if consent is not None and consent.is_active:
        raise DomainError(_("The consent to invitations is already recorded."))
    if consent is None:
        consent = InvitationConsent(case_id=case.id)
        db.session.add(consent)
    consent.given_at = utcnow()
    consent.given_by_id = actor.id
    consent.withdrawn_at = None
    consent.withdrawn_by_id = None
    consent.withdrawn_via = None
    record(case, actor, ActivityKind.EVENT_CONSENT_GIVEN)
    db.session.flush()
    return consent


def withdraw_consent(consent: InvitationConsent, actor: User | None, via: ConsentChannel) -> bool:
    """Withdraw the consent (a staff member, or the client's link: ``actor`` None).
    False when it was withdrawn already (the client's link may be clicked twice).
    The case's invitations still queued in the outbox are cancelled. Flushes."""
    if not consent.is_active:
        return False
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_id = actor.id if actor is not None else None
    consent.withdrawn_via = via
    # Invitations still waiting for their turn in the outbox (sent at a steady pace)
    # do not go out any more.
    mail.cancel_queued(consent.case_id, INVITATION_KIND)
    db.session.add(
        Activity(
            case_id=consent.case_id,
            actor_id=actor.id if actor is not None else None,
            kind=ActivityKind.EVENT_CONSENT_WITHDRAWN,
            details={"via": via.value},
        )
    )
    db.session.flush()
    return True


def consenting_clause() -> ColumnElement[bool]:
    """Cases whose household agreed to invitations and did not withdraw (for the
    recipient query)."""
    return exists().where(
        InvitationConsent.case_id == Case.id, InvitationConsent.withdrawn_at.is_(None)
    )

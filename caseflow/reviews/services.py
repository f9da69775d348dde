"""Review requests and closing approval. None of these commit."""

from flask_babel import gettext as _
from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.cases import services as cases
from caseflow.cases.models import ActivityKind, Case, CaseStatus, ClosingReason
from caseflow.cases.timeline import record
from caseflow.checklists.services import open_required_items
from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.reviews.models import ReviewKind, ReviewRequest, ReviewStatus


def pending_review(case: Case, kind: ReviewKind) -> ReviewRequest | None:
    return db.session.scalar(
        select(ReviewRequest).where(
            ReviewRequest.case_id == case.id,
            ReviewRequest.kind == kind,
            ReviewRequest.status == ReviewStatus.PENDING,
        )
    )


def request_review(case: Case, actor: User, comment: str | None) -> ReviewRequest:
    """An advisor asks a team lead to look at the case. Records it. Flushes."""
    if pending_review(case, ReviewKind.REVIEW):
        raise DomainError(_("A review of this case is already waiting for a team lead."))
    review = ReviewRequest(
        case_id=case.id, kind=ReviewKind.REVIEW, requested_by_id=actor.id, comment=comment
    )
    db.session.add(review)
    record(case, actor, ActivityKind.REVIEW_REQUESTED, request="review", comment=comment)
    db.session.flush()
    return review


def request_closing(
    case: Case, actor: User, reason: ClosingReason, comment: str | None
) -> ReviewRequest:
    """Instead of closing: the case waits for a team lead to approve its closing.

    The same required-steps rule as closing applies (ClosingBlockedError). Flushes.
    """
    if pending_review(case, ReviewKind.CLOSING):
        raise DomainError(_("Closing this case already waits for a team lead's approval."))
    if case.status == CaseStatus.INTAKE:
        cases.check_can_leave_intake(case)
    blocking = open_required_items(case)
    if blocking:
        raise cases.ClosingBlockedError(blocking)
    review = ReviewRequest(
        case_id=case.id,
        kind=ReviewKind.CLOSING,
        requested_by_id=actor.id,
        comment=comment,
        closing_reason=reason,
    )
    db.session.add(review)
    record(
        case,
        actor,
        ActivityKind.STATUS,
        **{"from": case.status.value, "to": CaseStatus.CLOSING_REQUESTED.value},
        reason=reason.value,
        comment=comment,
    )
    cases.set_status(case, CaseStatus.CLOSING_REQUESTED)
    db.session.flush()
    return review


def _decide(review: ReviewRequest, lead: User, status: ReviewStatus, response: str | None):
    if review.status != ReviewStatus.PENDING:
        raise DomainError(_("This request has already been answered."))
    review.status = status
    review.reviewer_id = lead.id
    review.response = response
    review.decided_at = utcnow()


def approve(review: ReviewRequest, lead: User, response: str | None) -> None:
    """Approve a review, or a closing (which then closes the case). Records it. Flushes."""
    case = db.session.get(Case, review.case_id)
    _decide(review, lead, ReviewStatus.APPROVED, response)
    record(case, lead, ActivityKind.REVIEW_APPROVED, request=review.kind.value, comment=response)
    if review.kind == ReviewKind.CLOSING:
        # Leave the waiting state first, so the ordinary closing rules apply.
        cases.set_status(case, CaseStatus.OPEN if case.advisor_id else CaseStatus.INTAKE)
        # No override here: if required steps reopened meanwhile, this refuses
        # (ClosingBlockedError) and the lead decides on the case page, in writing.
        cases.change_status(
            case, lead, CaseStatus.CLOSED, reason=review.closing_reason, comment=review.comment
        )
    db.session.flush()


def send_back(review: ReviewRequest, lead: User, response: str) -> None:
    """Send a request back with a comment; a refused closing reopens the case. Flushes."""
    if not (response or "").strip():
        raise DomainError(_("Say what should change before the case comes back."))
    case = db.session.get(Case, review.case_id)
    _decide(review, lead, ReviewStatus.SENT_BACK, response)
    record(case, lead, ActivityKind.REVIEW_SENT_BACK, request=review.kind.value, comment=response)
    if review.kind == ReviewKind.CLOSING and case.status == CaseStatus.CLOSING_REQUESTED:
        back_to = CaseStatus.OPEN if case.advisor_id else CaseStatus.INTAKE
        record(
            case,
            lead,
            ActivityKind.STATUS,
            **{"from": case.status.value, "to": back_to.value},
            comment=response,
        )
        cases.set_status(case, back_to)
    db.session.flush()

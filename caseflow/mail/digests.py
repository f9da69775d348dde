"""The weekly digest for team leads: open reviews, late work per advisor, stuck cases."""

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from caseflow.auth.models import Role, User
from caseflow.cases.models import Case, CaseStatus
from caseflow.extensions import db
from caseflow.mail import services
from caseflow.reviews.models import ReviewRequest, ReviewStatus
from caseflow.team.queries import team_overview, waiting_since_limit

KIND = "digest"


def digest_content(centre_id: int) -> dict:
    """What a team lead of the centre should hear about this week."""
    reviews = db.session.scalars(
        select(ReviewRequest)
        .join(Case, Case.id == ReviewRequest.case_id)
        .where(Case.centre_id == centre_id, ReviewRequest.status == ReviewStatus.PENDING)
        .options(joinedload(ReviewRequest.case), joinedload(ReviewRequest.requested_by))
        .order_by(ReviewRequest.created_at)
    ).all()
    late = [
        load
        for load in team_overview(centre_id)
        if load.overdue_steps or load.overdue_followups or load.waiting_too_long
    ]
    stuck = db.session.scalars(
        select(Case)
        .where(
            Case.centre_id == centre_id,
            Case.status == CaseStatus.WAITING_ON_CLIENT,
            Case.status_changed_at < waiting_since_limit(),
        )
        .options(joinedload(Case.advisor))
        .order_by(Case.status_changed_at)
        .limit(50)
    ).all()
    return {"reviews": reviews, "late": late, "stuck": stuck}


def queue_digests() -> int:
    """One digest per active team lead whose centre has something to report. Flushes."""
    leads = db.session.scalars(
        select(User)
        .where(User.role == Role.TEAM_LEAD, User.is_active_account.is_(True))
        .order_by(User.centre_id, func.lower(User.full_name))
    ).all()
    queued, contents = 0, {}
    for lead in leads:
        if lead.centre_id not in contents:
            contents[lead.centre_id] = digest_content(lead.centre_id)
        content = contents[lead.centre_id]
        if not (content["reviews"] or content["late"] or content["stuck"]):
            continue
        services.queue_to_staff(
            lead,
            KIND,
            "digest",
            lambda: _("Caseflow: your weekly team overview"),
            content | {"path": "/team"},
        )
        queued += 1
    return queued

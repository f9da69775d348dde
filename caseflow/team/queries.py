"""The team overview, counted in the database: one grouped query per figure, each read
from an index that holds every column it needs (ix_cases_centre_advisor,
ix_checklist_items_case_progress, ix_followups_case_status_due): count() rather than
count(id), which would make the database fetch every row for its id."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from caseflow.auth.models import Role, User
from caseflow.cases.models import Case, CaseStatus
from caseflow.cases.queries import WAITING_TOO_LONG_DAYS
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.services import overdue_clause
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.partners.models import OPEN_STATES, Referral
from caseflow.reviews.models import ReviewRequest, ReviewStatus


@dataclass
class AdvisorLoad:
    user: User
    open_cases: int = 0
    waiting_too_long: int = 0
    overdue_steps: int = 0
    overdue_followups: int = 0
    oldest_open_since: datetime | None = None
    # Open work that is not counted in the columns: follow-ups assigned to them (on
    # anyone's case) and review requests they are waiting on.
    open_followups: int = 0
    pending_reviews: int = 0
    # Referrals to partners still open (sent, contacted) on their cases.
    open_referrals: int = 0

    @property
    def has_work(self) -> bool:
        """Listed in the overview: a row of zeros for someone with nothing is noise."""
        return bool(
            self.open_cases
            or self.waiting_too_long
            or self.overdue_steps
            or self.overdue_followups
            or self.open_followups
            or self.pending_reviews
            or self.open_referrals
        )

    @property
    def oldest_open_days(self) -> int | None:
        if self.oldest_open_since is None:
            return None
        return (utcnow() - self.oldest_open_since).days


def waiting_since_limit() -> datetime:
    return utcnow() - timedelta(days=WAITING_TOO_LONG_DAYS)


def _count_into(loads: dict[int, AdvisorLoad], attribute: str, counts) -> None:
    """Set ``attribute`` of each listed staff member from a (user id, count) query."""
    for user_id, count in db.session.execute(counts):
        if user_id in loads:
            setattr(loads[user_id], attribute, count)


def team_overview(centre_id: int) -> list[AdvisorLoad]:
    """Per active staff member of the centre: their load and what is late."""
    # Deactivated staff stay listed while they still hold open cases (someone left).
    holds_open_cases = (
        select(Case.id).where(Case.advisor_id == User.id, Case.status != CaseStatus.CLOSED).exists()
    )
    staff = db.session.scalars(
        select(User)
        .where(User.centre_id == centre_id, User.is_active_account.is_(True) | holds_open_cases)
        .order_by(func.lower(User.full_name))
    ).all()
    loads = {user.id: AdvisorLoad(user) for user in staff}
    open_case = (Case.centre_id == centre_id) & (Case.status != CaseStatus.CLOSED)

    for advisor_id, count, oldest in db.session.execute(
        select(Case.advisor_id, func.count(), func.min(Case.created_at))
        .where(open_case, Case.advisor_id.is_not(None))
        .group_by(Case.advisor_id)
    ):
        if advisor_id in loads:
            loads[advisor_id].open_cases = count
            loads[advisor_id].oldest_open_since = oldest

    _count_into(
        loads,
        "waiting_too_long",
        select(Case.advisor_id, func.count())
        .where(
            open_case,
            Case.status == CaseStatus.WAITING_ON_CLIENT,
            Case.status_changed_at < waiting_since_limit(),
        )
        .group_by(Case.advisor_id),
    )

    _count_into(
        loads,
        "overdue_steps",
        select(Case.advisor_id, func.count())
        .select_from(ChecklistItem)
        .join(Case, Case.id == ChecklistItem.case_id)
        .where(open_case, overdue_clause(today()))
        .group_by(Case.advisor_id),
    )

    # Follow-ups late on the advisor's own cases (whoever they are assigned to), so the
    # number leads to exactly those cases in the list.
    _count_into(
        loads,
        "overdue_followups",
        select(Case.advisor_id, func.count())
        .select_from(FollowUp)
        .join(Case, Case.id == FollowUp.case_id)
        .where(open_case, FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date < today())
        .group_by(Case.advisor_id),
    )

    _count_into(
        loads,
        "open_followups",
        select(FollowUp.assignee_id, func.count())
        .join(Case, Case.id == FollowUp.case_id)
        .where(open_case, FollowUp.status == FollowUpStatus.OPEN)
        .group_by(FollowUp.assignee_id),
    )

    _count_into(
        loads,
        "pending_reviews",
        select(ReviewRequest.requested_by_id, func.count(ReviewRequest.id))
        .join(Case, Case.id == ReviewRequest.case_id)
        .where(Case.centre_id == centre_id, ReviewRequest.status == ReviewStatus.PENDING)
        .group_by(ReviewRequest.requested_by_id),
    )

    _count_into(
        loads,
        "open_referrals",
        select(Case.advisor_id, func.count())
        .select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .where(open_case, Referral.state.in_(OPEN_STATES))
        .group_by(Case.advisor_id),
    )
    return list(loads.values())


@dataclass
class TeamTotals:
    open_cases: int
    waiting_too_long: int
    overdue_steps: int
    overdue_followups: int
    oldest_open_days: int | None
    open_referrals: int = 0


def team_totals(loads: list[AdvisorLoad]) -> TeamTotals:
    """The overview's totals row: sums, and the oldest open case of anyone listed."""
    ages = [load.oldest_open_days for load in loads if load.oldest_open_days is not None]
    return TeamTotals(
        open_cases=sum(load.open_cases for load in loads),
        waiting_too_long=sum(load.waiting_too_long for load in loads),
        overdue_steps=sum(load.overdue_steps for load in loads),
        overdue_followups=sum(load.overdue_followups for load in loads),
        oldest_open_days=max(ages, default=None),
        open_referrals=sum(load.open_referrals for load in loads),
    )


def assignable_advisors(centre_id: int) -> list[tuple[User, int]]:
    """The centre's active advisors, each with their number of open cases, by name:
    whom a team lead can give a case from the intake queue."""
    open_cases = (
        select(Case.advisor_id, func.count().label("n"))
        .where(Case.centre_id == centre_id, Case.status != CaseStatus.CLOSED)
        .group_by(Case.advisor_id)
        .subquery()
    )
    rows = db.session.execute(
        select(User, func.coalesce(open_cases.c.n, 0))
        .outerjoin(open_cases, open_cases.c.advisor_id == User.id)
        .where(
            User.centre_id == centre_id,
            User.role == Role.ADVISOR,
            User.is_active_account.is_(True),
        )
        .order_by(func.lower(User.full_name), User.id)
    ).all()
    return [(user, int(count)) for user, count in rows]


def tab_counts(centre_id: int) -> dict[str, int]:
    """The numbers on the team pages' tabs: cases waiting for an advisor, open reviews
    (one query)."""
    intake = (
        select(func.count())
        .where(
            Case.centre_id == centre_id,
            Case.advisor_id.is_(None),
            Case.status != CaseStatus.CLOSED,
        )
        .scalar_subquery()
    )
    reviews = (
        select(func.count(ReviewRequest.id))
        .join(Case, Case.id == ReviewRequest.case_id)
        .where(Case.centre_id == centre_id, ReviewRequest.status == ReviewStatus.PENDING)
        .scalar_subquery()
    )
    row = db.session.execute(select(intake.label("intake"), reviews.label("reviews"))).one()
    return {"team.intake": row.intake or 0, "team.reviews": row.reviews or 0}

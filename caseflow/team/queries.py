"""The team overview, counted in the database: one grouped query per figure."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from caseflow.auth.models import User
from caseflow.cases.models import Case, CaseStatus
from caseflow.cases.queries import WAITING_TOO_LONG_DAYS
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.services import overdue_clause
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus


@dataclass
class AdvisorLoad:
    user: User
    open_cases: int = 0
    waiting_too_long: int = 0
    overdue_steps: int = 0
    overdue_followups: int = 0
    oldest_open_since: datetime | None = None

    @property
    def oldest_open_days(self) -> int | None:
        if self.oldest_open_since is None:
            return None
        return (utcnow() - self.oldest_open_since).days


def waiting_since_limit() -> datetime:
    return utcnow() - timedelta(days=WAITING_TOO_LONG_DAYS)


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
        select(Case.advisor_id, func.count(Case.id), func.min(Case.created_at))
        .where(open_case, Case.advisor_id.is_not(None))
        .group_by(Case.advisor_id)
    ):
        if advisor_id in loads:
            loads[advisor_id].open_cases = count
            loads[advisor_id].oldest_open_since = oldest

    for advisor_id, count in db.session.execute(
        select(Case.advisor_id, func.count(Case.id))
        .where(
            open_case,
            Case.status == CaseStatus.WAITING_ON_CLIENT,
            Case.status_changed_at < waiting_since_limit(),
        )
        .group_by(Case.advisor_id)
    ):
        if advisor_id in loads:
            loads[advisor_id].waiting_too_long = count

    for advisor_id, count in db.session.execute(
        select(Case.advisor_id, func.count(ChecklistItem.id))
        .join(Case, Case.id == ChecklistItem.case_id)
        .where(open_case, overdue_clause(today()))
        .group_by(Case.advisor_id)
    ):
        if advisor_id in loads:
            loads[advisor_id].overdue_steps = count

    # Follow-ups late on the advisor's own cases (whoever they are assigned to), so the
    # number leads to exactly those cases in the list.
    for advisor_id, count in db.session.execute(
        select(Case.advisor_id, func.count(FollowUp.id))
        .join(Case, Case.id == FollowUp.case_id)
        .where(open_case, FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_date < today())
        .group_by(Case.advisor_id)
    ):
        if advisor_id in loads:
            loads[advisor_id].overdue_followups = count
    return list(loads.values())

"""Read-side queries for case lists. Every list starts from ``visible_cases_clause``."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from caseflow.auth.models import User
from caseflow.auth.permissions import visible_cases_clause
from caseflow.cases import search
from caseflow.cases.models import Case, CaseStatus, CaseType, Person
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.services import overdue_clause
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus

# A case waiting on the client longer than this shows up in the team lead's overview.
WAITING_TOO_LONG_DAYS = 14

SORTS = {
    "reference": (Case.reference,),
    "household": (func.lower(Case.household_name),),
    "arrival": (Case.arrival_date,),
    "status": (Case.status,),
    "updated": (Case.updated_at,),
    "opened": (Case.created_at,),
}


@dataclass
class CaseFilters:
    q: str = ""
    status: str = ""
    advisor: str = ""
    case_type: str = ""
    municipality: str = ""
    nationality: str = ""
    overdue: str = ""  # "1": only cases with overdue checklist items
    waiting: str = ""  # "long": waiting on the client for more than 14 days
    followups: str = ""  # "overdue": with a follow-up past its due date
    hold: str = ""  # "1": on legal hold, "0": not on legal hold
    sort: str = "-updated"


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_clause(term: str):
    """Cases whose reference, household name, contact email, employer, a person's name
    or email, or a note's text holds ``term``'s words (each typed word a prefix of a
    word there, any letter case and accents: see caseflow/cases/search.py). The one
    place searching is defined: the case list and the top bar's search box both come
    here; callers combine it with ``visible_cases_clause``."""
    clause = search.index_clause(term)
    return clause if clause is not None else _like_clause(term)


def _like_clause(term: str):
    """The scan for terms without a letter or digit (the index has nothing to look up)."""
    pattern = f"%{_escape_like(term.lower())}%"

    def like(column):
        return func.lower(column).like(pattern, escape="\\")

    return or_(
        like(Case.reference),
        like(Case.household_name),
        like(Case.contact_email),
        like(Case.employer),
        exists().where(
            Person.case_id == Case.id,
            or_(like(Person.email)),
        ),
    )


def case_list_query(user: User, filters: CaseFilters) -> Select:
    """The cases ``user`` may see, filtered, searched and sorted (not yet paginated)."""
    query = select(Case).where(visible_cases_clause(user))
    if filters.status == "all":
        pass
    elif filters.status in {s.value for s in CaseStatus}:
        query = query.where(Case.status == filters.status)
    else:
        query = query.where(Case.status != CaseStatus.CLOSED)
    if filters.advisor == "none":
        query = query.where(Case.advisor_id.is_(None))
    elif filters.advisor.isdigit():
        query = query.where(Case.advisor_id == int(filters.advisor))
    if filters.case_type.isdigit():
        query = query.where(Case.case_type_id == int(filters.case_type))
    if filters.municipality:
        query = query.where(func.lower(Case.municipality) == filters.municipality.lower())
    if filters.nationality:
        query = query.where(
            exists().where(
                Person.case_id == Case.id,
                or_(
                    Person.nationality == filters.nationality,
                    Person.second_nationality == filters.nationality,
                ),
            )
        )
    if filters.overdue == "1":
        query = query.where(
            exists().where(ChecklistItem.case_id == Case.id, overdue_clause(today()))
        )
    if filters.waiting == "long":
        query = query.where(
            Case.status == CaseStatus.WAITING_ON_CLIENT,
            Case.status_changed_at < utcnow() - timedelta(days=WAITING_TOO_LONG_DAYS),
        )
    if filters.followups == "overdue":
        query = query.where(
            exists().where(
                FollowUp.case_id == Case.id,
                FollowUp.status == FollowUpStatus.OPEN,
                FollowUp.due_date < today(),
            )
        )
    if filters.hold == "1":
        query = query.where(Case.legal_hold_at.is_not(None))
    elif filters.hold == "0":
        query = query.where(Case.legal_hold_at.is_(None))
    if filters.q:
        query = query.where(search_clause(filters.q))
    descending = filters.sort.startswith("-")
    columns = SORTS.get(filters.sort.lstrip("-"), SORTS["updated"])
    order = [c.desc() if descending else c.asc() for c in columns]
    tie_breaker = Case.id.desc() if descending else Case.id.asc()
    return query.order_by(*order, tie_breaker).options(
        joinedload(Case.advisor), joinedload(Case.case_type), selectinload(Case.persons)
    )


def centre_case_types(centre_id: int, *, active_only: bool = False) -> list[CaseType]:
    query = select(CaseType).where(CaseType.centre_id == centre_id)
    if active_only:
        query = query.where(CaseType.is_active.is_(True))
    return list(db.session.scalars(query.order_by(CaseType.position, CaseType.id)))

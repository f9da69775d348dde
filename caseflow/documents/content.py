"""Gathering what a document shows, in a fixed number of queries per case."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from caseflow.cases.models import Case
from caseflow.checklists.views import PersonChecklist, group_checklist, load_items
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.notes.models import Note
from caseflow.notes.queries import case_notes


@dataclass
class CaseDocument:
    case: Case
    checklist: list[PersonChecklist]
    open_followups: list[FollowUp]
    notes: list[Note]


def load_case(case_id: int) -> Case:
    return db.session.get(
        Case,
        case_id,
        options=[
            joinedload(Case.advisor),
            joinedload(Case.case_type),
            selectinload(Case.persons),
        ],
        populate_existing=True,
    )


def case_document(case_id: int, *, internal: bool) -> CaseDocument:
    """The case with its checklist; internal documents add open follow-ups and notes."""
    case = load_case(case_id)
    checklist = group_checklist(case.persons, load_items(case), today())
    followups, notes = [], []
    if internal:
        followups = db.session.scalars(
            select(FollowUp)
            .where(FollowUp.case_id == case.id, FollowUp.status == FollowUpStatus.OPEN)
            .options(joinedload(FollowUp.assignee))
            .order_by(FollowUp.due_date, FollowUp.id)
        ).all()
        notes = case_notes(case.id)
    return CaseDocument(case, checklist, list(followups), list(notes))

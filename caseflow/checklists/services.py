"""Checklist services: generating items from templates, progress, state changes.

None of them commit.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Date, and_, bindparam, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import selectinload

from caseflow.auth.models import User
from caseflow.cases.models import Case, CaseStatus, Person
from caseflow.checklists import rules
from caseflow.checklists.models import (
    CLOSED_STATES,
    ChecklistEvent,
    ChecklistItem,
    ChecklistTemplate,
    EventKind,
    ItemState,
    Scope,
    TemplateItem,
)
from caseflow.core.errors import DomainError
from caseflow.core.time import today, utcnow
from caseflow.extensions import db


def active_template_items(centre_id: int, case_type_id: int) -> list[TemplateItem]:
    """The active items of the active templates of a centre that fit a case type."""
    templates = db.session.scalars(
        select(ChecklistTemplate)
        .where(ChecklistTemplate.centre_id == centre_id, ChecklistTemplate.is_active.is_(True))
        .options(selectinload(ChecklistTemplate.case_types), selectinload(ChecklistTemplate.items))
        .order_by(ChecklistTemplate.id)
    ).all()
    return [
        item
        for template in templates
        if template.applies_to_case_type(case_type_id)
        for item in template.items
        if item.is_active
    ]


def planned_items(
    case: Case, persons: list[Person], template_items: list[TemplateItem]
) -> dict[tuple[int, int | None], TemplateItem]:
    """What the rules ask for this household: (template item id, person id or None) -> item."""
    reference_day = case.arrival_date or today()
    wanted = {}
    for item in template_items:
        if item.scope == Scope.HOUSEHOLD:
            if rules.applies_to_household(item, case.case_type_id):
                wanted[(item.id, None)] = item
            continue
        for person in persons:
            if rules.applies_to_person(item, person, case.case_type_id, reference_day):
                wanted[(item.id, person.id)] = item
    return wanted


def _compute_due(item: ChecklistItem, template_item: TemplateItem, case: Case, person) -> None:
    item.computed_due_date = rules.due_date(
        template_item,
        case.arrival_date,
        person.date_of_birth if person is not None else None,
        item.expiry_date,
    )


@dataclass
class SyncResult:
    added: int = 0
    removed: int = 0
    kept_no_longer_applying: int = 0


def sync_checklist(case: Case) -> SyncResult:
    """Bring a case's items in line with its household and the templates. Idempotent.

    New matches get items; items that no longer match are deleted when untouched, and
    kept but flagged "no longer applies" when they have progress. Due dates are
    recomputed. Flushes.
    """
    persons = db.session.scalars(select(Person).where(Person.case_id == case.id)).all()
    persons_by_id = {p.id: p for p in persons}
    wanted = planned_items(case, persons, active_template_items(case.centre_id, case.case_type_id))
    existing = db.session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.case_id == case.id)
        .options(selectinload(ChecklistItem.template_item))
    ).all()
    result = SyncResult()
    seen = set()
    for item in existing:
        key = (item.template_item_id, item.person_id)
        if key in wanted and item.former_person_name is None:
            seen.add(key)
            item.no_longer_applies = False
            _compute_due(item, item.template_item, case, persons_by_id.get(item.person_id))
        elif item.has_progress:
            if not item.no_longer_applies:
                item.no_longer_applies = True
                result.kept_no_longer_applying += 1
        else:
            db.session.delete(item)
            result.removed += 1
    for key, template_item in wanted.items():
        if key in seen:
            continue
        item = ChecklistItem(case_id=case.id, person_id=key[1], template_item_id=template_item.id)
        _compute_due(item, template_item, case, persons_by_id.get(key[1]))
        db.session.add(item)
        result.added += 1
    db.session.flush()
    return result


def release_person(person: Person) -> None:
    """Before a person leaves the household: keep their items with progress, drop the rest.

    Kept items lose the link to the person (it is deleted) but remember the name.
    Flushes.
    """
    items = db.session.scalars(select(ChecklistItem).where(ChecklistItem.person_id == person.id))
    for item in items:
        if item.has_progress:
            item.person_id = None
            item.former_person_name = person.full_name
            item.no_longer_applies = True
        else:
            db.session.delete(item)
    db.session.flush()


def _event(item: ChecklistItem, actor: User, kind: EventKind, before, after) -> None:
    db.session.add(
        ChecklistEvent(
            item_id=item.id,
            actor_id=actor.id,
            kind=kind,
            from_value=None if before is None else str(before),
            to_value=None if after is None else str(after),
        )
    )


def _refuse_if_closed(item: ChecklistItem) -> None:
    case = db.session.get(Case, item.case_id)
    if case.status == CaseStatus.CLOSED:
        raise DomainError(
            _("The case is closed: its checklist can no longer change. Reopen it first.")
        )


def set_state(
    item: ChecklistItem, actor: User, state: ItemState, reason: str | None = None
) -> None:
    """Move an item to ``state``; "not applicable" needs a reason. Records it. Flushes."""
    if state == item.state:
        return
    _refuse_if_closed(item)
    if state == ItemState.NOT_APPLICABLE and not (reason or "").strip():
        raise DomainError(_("Say why this step does not apply."))
    _event(item, actor, EventKind.STATE, item.state.value, state.value)
    item.state = state
    item.not_applicable_reason = reason.strip() if state == ItemState.NOT_APPLICABLE else None
    item.completed_at = utcnow() if state in CLOSED_STATES else None
    db.session.flush()


def update_item(
    item: ChecklistItem,
    actor: User,
    *,
    state: ItemState,
    reason: str | None,
    due_date_override: date | None,
    expiry_date: date | None,
    note: str | None,
) -> None:
    """Apply an item form: state, due-date override, expiry date and note. Flushes."""
    _refuse_if_closed(item)
    if due_date_override != item.due_date_override:
        _event(item, actor, EventKind.DUE_DATE, item.due_date_override, due_date_override)
        item.due_date_override = due_date_override
    if expiry_date != item.expiry_date:
        _event(item, actor, EventKind.EXPIRY_DATE, item.expiry_date, expiry_date)
        item.expiry_date = expiry_date
        person = db.session.get(Person, item.person_id) if item.person_id else None
        _compute_due(item, item.template_item, item.case, person)
    if (note or None) != item.note:
        _event(item, actor, EventKind.NOTE, None, None)
        item.note = note or None
    if state == item.state and state == ItemState.NOT_APPLICABLE:
        item.not_applicable_reason = (reason or "").strip() or item.not_applicable_reason
    set_state(item, actor, state, reason)
    db.session.flush()


def open_required_items(case: Case) -> list[ChecklistItem]:
    """Required items still to do: these block closing the case."""
    return list(
        db.session.scalars(
            select(ChecklistItem)
            .join(ChecklistItem.template_item)
            .where(
                ChecklistItem.case_id == case.id,
                ChecklistItem.no_longer_applies.is_(False),
                ChecklistItem.state.not_in(list(CLOSED_STATES)),
                TemplateItem.is_required.is_(True),
            )
            .options(selectinload(ChecklistItem.template_item), selectinload(ChecklistItem.person))
            .order_by(ChecklistItem.person_id, TemplateItem.position)
        )
    )


@dataclass
class Progress:
    done: int = 0
    applicable: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.applicable) if self.applicable else 0


def effective_due_date():
    return func.coalesce(ChecklistItem.due_date_override, ChecklistItem.computed_due_date)


def open_item_clause():
    """SQL for ChecklistItem.is_open: still to do and still applying."""
    return and_(
        ChecklistItem.no_longer_applies.is_(False),
        ChecklistItem.state.not_in(list(CLOSED_STATES)),
    )


def advisor_open_steps(user: User, due_by: date | None = None):
    """Select the open, dated steps of the open cases ``user`` advises (due by ``due_by``
    when given), soonest first: the daily reminder and the calendar feed list these."""
    query = (
        select(ChecklistItem)
        .join(Case, Case.id == ChecklistItem.case_id)
        .where(
            Case.advisor_id == user.id,
            Case.status != CaseStatus.CLOSED,
            open_item_clause(),
            effective_due_date().is_not(None),
        )
        .order_by(effective_due_date(), ChecklistItem.id)
    )
    return query if due_by is None else query.where(effective_due_date() <= due_by)


def overdue_clause(on: date):
    """SQL for "open and past its due date" (the same rule as ChecklistItem.is_overdue)."""
    return and_(open_item_clause(), effective_due_date() < on)


def progress_by_case(case_ids: list[int]) -> dict[int, Progress]:
    """Done, applicable and overdue counts per case, in one grouped query."""
    if not case_ids:
        return {}
    rows = db.session.execute(_progress_query(), {"case_ids": list(case_ids), "on": today()})
    result = defaultdict(Progress)
    for case_id, done, applicable, overdue in rows:
        result[case_id] = Progress(int(done or 0), int(applicable or 0), int(overdue or 0))
    return result


@cache
def _progress_query():
    """The grouped query of ``progress_by_case``, built once (a list page runs it on
    every request: building it and its cache key cost more than running it), with the
    cases and the day as bound parameters."""
    counts = or_(
        ChecklistItem.no_longer_applies.is_(True), ChecklistItem.state == ItemState.NOT_APPLICABLE
    )
    on = bindparam("on", type_=Date)
    return (
        select(
            ChecklistItem.case_id,
            func.sum(sql_case((and_(ChecklistItem.state == ItemState.DONE, ~counts), 1), else_=0)),
            func.sum(sql_case((counts, 0), else_=1)),
            func.sum(sql_case((overdue_clause(on), 1), else_=0)),
        )
        .where(ChecklistItem.case_id.in_(bindparam("case_ids", expanding=True)))
        .group_by(ChecklistItem.case_id)
    )


def progress_of(items: list[ChecklistItem], on: date) -> Progress:
    progress = Progress()
    for item in items:
        if item.counts_for_progress:
            progress.applicable += 1
            progress.done += item.state == ItemState.DONE
        progress.overdue += item.is_overdue(on)
    return progress

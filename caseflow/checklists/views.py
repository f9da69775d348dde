"""Shaping a case's checklist for the page: by person, then by category."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseflow.cases.models import Case, Person
from caseflow.checklists.models import Category, ChecklistItem
from caseflow.checklists.services import Progress, progress_of
from caseflow.extensions import db

CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}


@dataclass
class PersonChecklist:
    person: Person | None  # None: the whole household, or someone who left it
    former_name: str | None
    progress: Progress
    categories: list[tuple[Category, list[ChecklistItem]]] = field(default_factory=list)


def load_items(case: Case) -> list[ChecklistItem]:
    return list(
        db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.case_id == case.id)
            .options(selectinload(ChecklistItem.template_item))
        )
    )


def group_checklist(
    persons: list[Person], items: list[ChecklistItem], on: date
) -> list[PersonChecklist]:
    """Household items first, then each person in household order, then people who left."""
    buckets: dict[tuple, list[ChecklistItem]] = {}
    for item in items:
        owner = ("person", item.person_id) if item.person_id else ("other", item.former_person_name)
        buckets.setdefault(owner, []).append(item)
    ordered = [(None, None, buckets.pop(("other", None), []))]
    ordered += [(p, None, buckets.pop(("person", p.id), [])) for p in persons]
    ordered += [(None, name, rest) for (_kind, name), rest in sorted(buckets.items(), key=str)]
    groups = []
    for person, former_name, person_items in ordered:
        if not person_items and person is None:
            continue
        by_category: dict[Category, list[ChecklistItem]] = {}
        for item in sorted(
            person_items,
            key=lambda i: (
                CATEGORY_ORDER[i.template_item.category],
                i.template_item.position,
                i.id,
            ),
        ):
            by_category.setdefault(item.template_item.category, []).append(item)
        groups.append(
            PersonChecklist(
                person, former_name, progress_of(person_items, on), list(by_category.items())
            )
        )
    return groups


def progress_of_groups(groups: list[PersonChecklist]) -> Progress:
    """The case's progress: the sum over its people."""
    total = Progress()
    for group in groups:
        total.done += group.progress.done
        total.applicable += group.progress.applicable
        total.overdue += group.progress.overdue
    return total

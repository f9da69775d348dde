"""Shaping a case's checklist for the page: by person, then by category."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow.cases import labels as case_labels
from caseflow.cases.models import Case, Person
from caseflow.checklists.models import Category, ChecklistItem
from caseflow.checklists.services import Progress, progress_of
from caseflow.core.i18n import format_day
from caseflow.extensions import db

CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}


@dataclass
class PersonChecklist:
    person: Person | None  # None: the whole household, or someone who left it
    former_name: str | None
    progress: Progress
    categories: list[tuple[Category, list[ChecklistItem]]] = field(default_factory=list)
    heading: str = ""

    @property
    def open_categories(self) -> list[tuple[Category, list[ChecklistItem]]]:
        """The steps still to do (and those that no longer apply), by category."""
        return _split(self.categories, folded=False)

    @property
    def done_categories(self) -> list[tuple[Category, list[ChecklistItem]]]:
        """Done and not-applicable steps, by category: folded away on the case page."""
        return _split(self.categories, folded=True)

    @property
    def done_count(self) -> int:
        return sum(len(items) for _category, items in self.done_categories)

    @property
    def items(self) -> list[ChecklistItem]:
        return [item for _category, items in self.categories for item in items]


def _is_folded(item: ChecklistItem) -> bool:
    return not item.is_open and not item.no_longer_applies


def _split(categories, *, folded: bool) -> list[tuple[Category, list[ChecklistItem]]]:
    kept = [(c, [i for i in items if _is_folded(i) == folded]) for c, items in categories]
    return [(c, items) for c, items in kept if items]


def person_heading(person: Person, on: date, twins: bool = False) -> str:
    """ "Kian Karimi, child, 7": the name with the role and age that tell people apart.

    ``twins``: another person of the household has the same name, role and age, so the
    date of birth is added.
    """
    role = str(case_labels.HOUSEHOLD_ROLE[person.household_role]).lower()
    age = person.age_on(on)
    if age is None and person.is_erased:
        age = person.age_at_arrival
    if age is None:
        text = _("%(name)s, %(role)s", name=person.full_name, role=role)
    else:
        text = _("%(name)s, %(role)s, %(age)d", name=person.full_name, role=role, age=age)
    if twins and person.date_of_birth:
        text += f" ({format_day(person.date_of_birth)})"
    return text


def _headings(persons: list[Person], on: date) -> dict[int, str]:
    plain = {p.id: person_heading(p, on) for p in persons}
    seen: dict[str, int] = {}
    for text in plain.values():
        seen[text] = seen.get(text, 0) + 1
    return {
        p.id: person_heading(p, on, twins=True) if seen[plain[p.id]] > 1 else plain[p.id]
        for p in persons
    }


def load_items(case: Case) -> list[ChecklistItem]:
    """The case's steps with their templates, in one query (joined, not a second one)."""
    return list(
        db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.case_id == case.id)
            .options(joinedload(ChecklistItem.template_item))
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
    headings = _headings(persons, on)
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
                person,
                former_name,
                progress_of(person_items, on),
                list(by_category.items()),
                heading=headings[person.id] if person else "",
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

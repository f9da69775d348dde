"""Editing checklist templates and their items. None of these commit."""

from sqlalchemy import func, select

from caseflow.cases.models import CaseType
from caseflow.checklists.models import ChecklistTemplate, TemplateItem
from caseflow.extensions import db

ITEM_FIELDS = (
    "category",
    "title_en",
    "title_nl",
    "title_fr",
    "explanation_en",
    "explanation_nl",
    "explanation_fr",
    "scope",
    "nationality_group",
    "household_roles",
    "min_age",
    "max_age",
    "case_type_ids",
    "deadline_kind",
    "deadline_value",
    "deadline_value_to",
    "is_required",
    "is_active",
    "partner_type",
    "partners_for_client",
)


def _centre_case_types(centre_id: int, ids: list[int]) -> list[CaseType]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(CaseType).where(CaseType.centre_id == centre_id, CaseType.id.in_(ids))
        )
    )


def save_template(
    centre_id: int,
    template: ChecklistTemplate | None,
    *,
    name: str,
    case_type_ids: list[int],
    is_active: bool,
) -> ChecklistTemplate:
    """Create or change a template; only the centre's own case types are linked. Flushes."""
    # Looked up before the new template joins the session, so no flush happens halfway.
    case_types = _centre_case_types(centre_id, case_type_ids)
    if template is None:
        template = ChecklistTemplate(centre_id=centre_id, case_types=case_types)
        db.session.add(template)
    else:
        template.case_types = case_types
    template.name = name
    template.is_active = is_active
    db.session.flush()
    return template


def save_item(template: ChecklistTemplate, item: TemplateItem | None, **values) -> TemplateItem:
    """Create (at the end of the list) or change a template item. Flushes.

    Case type ids that are not the centre's are dropped. Existing cases keep their
    items until their household or dates change (see checklists.services.sync_checklist).
    """
    values["case_type_ids"] = [
        t.id for t in _centre_case_types(template.centre_id, values.get("case_type_ids") or [])
    ]
    values["nationality_group"] = values.get("nationality_group") or None
    values["partner_type"] = values.get("partner_type") or None
    values["partners_for_client"] = bool(values.get("partners_for_client"))
    if item is None:
        last = db.session.scalar(
            select(func.max(TemplateItem.position)).where(TemplateItem.template_id == template.id)
        )
        item = TemplateItem(template_id=template.id, position=(last or 0) + 1)
        db.session.add(item)
    for name in ITEM_FIELDS:
        setattr(item, name, values[name])
    db.session.flush()
    return item


def move_item(item: TemplateItem, step: int) -> None:
    """Swap an item with its neighbour above (step -1) or below (+1). Flushes."""
    siblings = list(
        db.session.scalars(
            select(TemplateItem)
            .where(TemplateItem.template_id == item.template_id)
            .order_by(TemplateItem.position, TemplateItem.id)
        )
    )
    index = siblings.index(item)
    target = index + step
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    db.session.flush()

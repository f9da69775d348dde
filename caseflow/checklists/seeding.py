"""Loading the Flemish catalogue (catalogue.py) into a centre's templates. Idempotent."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseflow.cases.queries import centre_case_types
from caseflow.centres.models import Centre
from caseflow.checklists.catalogue import TEMPLATES
from caseflow.checklists.models import (
    Category,
    ChecklistTemplate,
    DeadlineKind,
    NationalityGroup,
    Scope,
    TemplateItem,
)
from caseflow.extensions import db


def _deadline_columns(deadline: dict) -> dict:
    kind = DeadlineKind(deadline["kind"])
    if kind == DeadlineKind.EXPIRY_WINDOW:
        return {
            "deadline_kind": kind,
            "deadline_value": deadline["from_months"],
            "deadline_value_to": deadline["to_months"],
        }
    value = deadline.get("days", deadline.get("months", deadline.get("age")))
    return {"deadline_kind": kind, "deadline_value": value, "deadline_value_to": None}


def _item(template: ChecklistTemplate, position: int, spec: dict, type_ids: dict) -> TemplateItem:
    applies = spec["applies"]
    group = applies.get("nationality_group")
    wanted_types = [type_ids[n] for n in applies.get("case_types") or [] if n in type_ids]
    return TemplateItem(
        template_id=template.id,
        key=spec["key"],
        position=position,
        category=Category(spec["category"]),
        **{f"title_{lang}": text for lang, text in spec["title"].items()},
        **{f"explanation_{lang}": text for lang, text in spec["explanation"].items()},
        scope=Scope(applies["scope"]),
        nationality_group=NationalityGroup(group) if group else None,
        household_roles=list(applies.get("household_roles") or []),
        min_age=applies.get("min_age"),
        max_age=applies.get("max_age"),
        case_type_ids=wanted_types,
        # Meant for case types this centre does not have (renamed?): an empty list would
        # mean "every case type", so the step starts retired instead.
        is_active=not (applies.get("case_types") and not wanted_types),
        is_required=bool(spec["required"]),
        **_deadline_columns(spec["deadline"]),
    )


def seed_catalogue(centre: Centre) -> int:
    """Add the catalogue's templates and items the centre does not have yet. Flushes.

    Matches by stable keys, so a second run adds nothing and never overwrites what an
    admin edited. Returns the number of items added.
    """
    case_types = centre_case_types(centre.id)
    type_ids = {t.name_en: t.id for t in case_types}
    existing = {
        t.key: t
        for t in db.session.scalars(
            select(ChecklistTemplate)
            .where(ChecklistTemplate.centre_id == centre.id, ChecklistTemplate.key.is_not(None))
            .options(selectinload(ChecklistTemplate.items))
        )
    }
    added = 0
    for spec in TEMPLATES:
        template = existing.get(spec["key"])
        known_keys = {item.key for item in template.items} if template else set()
        if template is None:
            template = ChecklistTemplate(centre_id=centre.id, key=spec["key"], name=spec["name"])
            template.case_types = [t for t in case_types if t.name_en in spec["case_types"]]
            # Same rule as for steps: no matching case type must not mean "all of them".
            template.is_active = not (spec["case_types"] and not template.case_types)
            db.session.add(template)
            db.session.flush()
        for position, item_spec in enumerate(spec["items"]):
            if item_spec["key"] not in known_keys:
                db.session.add(_item(template, position, item_spec, type_ids))
                added += 1
    db.session.flush()
    return added

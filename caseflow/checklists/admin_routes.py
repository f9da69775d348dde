"""Admin pages for checklist templates: list, edit, items, order, preview."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseflow.auth.access import requires
from caseflow.auth.permissions import can_manage_checklists
from caseflow.cases.models import Case, Person
from caseflow.cases.queries import centre_case_types
from caseflow.checklists import rules, template_services
from caseflow.checklists.admin_forms import PreviewForm, TemplateForm, TemplateItemForm
from caseflow.checklists.models import ChecklistTemplate, TemplateItem
from caseflow.checklists.services import planned_items
from caseflow.core.audit import annotate, audited
from caseflow.core.i18n import current_locale
from caseflow.extensions import db

bp = Blueprint("checklist_admin", __name__, url_prefix="/admin/checklists")


def _template_or_404(template_id: int) -> ChecklistTemplate:
    template = db.session.get(
        ChecklistTemplate,
        template_id,
        options=[selectinload(ChecklistTemplate.case_types), selectinload(ChecklistTemplate.items)],
    )
    if template is None or template.centre_id != current_user.centre_id:
        abort(404)
    return template


def _item_or_404(template: ChecklistTemplate, item_id: int) -> TemplateItem:
    item = db.session.get(TemplateItem, item_id)
    if item is None or item.template_id != template.id:
        abort(404)
    return item


def _case_type_choices() -> list[tuple[int, str]]:
    locale = current_locale()
    return [(t.id, t.name(locale)) for t in centre_case_types(current_user.centre_id)]


@bp.get("")
@requires(can_manage_checklists)
def index():
    templates = db.session.scalars(
        select(ChecklistTemplate)
        .where(ChecklistTemplate.centre_id == current_user.centre_id)
        .options(selectinload(ChecklistTemplate.case_types), selectinload(ChecklistTemplate.items))
        .order_by(ChecklistTemplate.is_active.desc(), ChecklistTemplate.name)
    ).all()
    return render_template("checklists/admin/index.html", templates=templates)


@bp.route("/new", methods=["GET", "POST"])
@audited("template.create", object_type="template", view_action=None)
@requires(can_manage_checklists)
def template_new():
    return _edit_template(None)


@bp.route("/<id:template_id>", methods=["GET", "POST"])
@audited("template.update", object_type="template", id_arg="template_id", view_action=None)
@requires(can_manage_checklists)
def template_edit(template_id: int):
    return _edit_template(_template_or_404(template_id))


def _edit_template(template: ChecklistTemplate | None):
    form = TemplateForm(obj=template if request.method == "GET" else None)
    form.case_type_ids.choices = _case_type_choices()
    if request.method == "GET" and template is not None:
        form.case_type_ids.data = [t.id for t in template.case_types]
    if form.validate_on_submit():
        saved = template_services.save_template(
            current_user.centre_id,
            template,
            name=form.name.data,
            case_type_ids=form.case_type_ids.data or [],
            is_active=form.is_active.data,
        )
        db.session.commit()
        annotate(object_id=saved.id)
        flash(_("Checklist saved."), "success")
        return redirect(url_for("checklist_admin.template_edit", template_id=saved.id))
    status = 400 if form.is_submitted() else 200
    return render_template("checklists/admin/template.html", form=form, template=template), status


@bp.route("/<id:template_id>/items/new", methods=["GET", "POST"])
@audited("template_item.create", object_type="template_item", view_action=None)
@requires(can_manage_checklists)
def item_new(template_id: int):
    return _edit_item(_template_or_404(template_id), None)


@bp.route("/<id:template_id>/items/<id:item_id>", methods=["GET", "POST"])
@audited("template_item.update", object_type="template_item", id_arg="item_id", view_action=None)
@requires(can_manage_checklists)
def item_edit(template_id: int, item_id: int):
    template = _template_or_404(template_id)
    return _edit_item(template, _item_or_404(template, item_id))


def _edit_item(template: ChecklistTemplate, item: TemplateItem | None):
    form = TemplateItemForm(obj=item if request.method == "GET" else None)
    form.case_type_ids.choices = _case_type_choices()
    if request.method == "GET" and item is not None:
        for name in ("category", "scope", "deadline_kind"):
            getattr(form, name).data = getattr(item, name).value
        form.nationality_group.data = item.nationality_group.value if item.nationality_group else ""
        form.partner_type.data = item.partner_type or ""
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in template_services.ITEM_FIELDS}
        values["household_roles"] = values["household_roles"] or []
        saved = template_services.save_item(template, item, **values)
        db.session.commit()
        annotate(object_id=saved.id, details={"template_id": template.id})
        flash(_("Step saved."), "success")
        return redirect(url_for("checklist_admin.template_edit", template_id=template.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "checklists/admin/item.html", form=form, template=template, item=item
    ), status


@bp.post("/<id:template_id>/items/<id:item_id>/move")
@audited("template_item.move", object_type="template_item", id_arg="item_id")
@requires(can_manage_checklists)
def item_move(template_id: int, item_id: int):
    template = _template_or_404(template_id)
    item = _item_or_404(template, item_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    template_services.move_item(item, step)
    db.session.commit()
    return redirect(
        url_for("checklist_admin.template_edit", template_id=template.id, _anchor=f"t-{item.id}")
    )


@bp.get("/<id:template_id>/preview")
@audited("template.preview", object_type="template", id_arg="template_id")
@requires(can_manage_checklists)
def preview(template_id: int):
    """For one household: the steps this template gives, with their due dates. Saves nothing."""
    template = _template_or_404(template_id)
    form = PreviewForm(request.args)
    case, rows = None, []
    if request.args and form.validate():
        case = db.session.scalar(
            select(Case).where(
                Case.centre_id == current_user.centre_id, Case.reference == form.reference.data
            )
        )
        if case is None:
            form.reference.errors.append(_("No case with this reference in your centre."))
        else:
            annotate(case_id=case.id)  # the preview shows this household
            rows = _preview_rows(template, case)
    return render_template(
        "checklists/admin/preview.html", template=template, form=form, case=case, rows=rows
    )


def _preview_rows(template: ChecklistTemplate, case: Case) -> list[tuple]:
    persons = db.session.scalars(
        select(Person).where(Person.case_id == case.id).order_by(Person.position)
    ).all()
    items = [i for i in template.items if i.is_active]
    if not template.applies_to_case_type(case.case_type_id):
        items = []
    by_id = {p.id: p for p in persons}
    rows = []
    for (_item_id, person_id), item in planned_items(case, persons, items).items():
        person = by_id.get(person_id)
        due = rules.due_date(item, case.arrival_date, person.date_of_birth if person else None)
        rows.append((person, item, due))
    order = {p.id: n for n, p in enumerate(persons)}
    rows.sort(key=lambda r: (order.get(r[0].id, -1) if r[0] else -1, r[1].position))
    return rows

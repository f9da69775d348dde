"""A case's checklist items: tick done, and the item page with its history."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from caseflow.attachments.forms import UploadForm
from caseflow.attachments.services import UploadRejected, item_attachments, store_upload
from caseflow.auth.permissions import can_edit_case
from caseflow.cases.access import case_access
from caseflow.cases.models import Case, Person
from caseflow.cases.services import check_version
from caseflow.checklists import labels, services
from caseflow.checklists.forms import ItemForm, TickForm
from caseflow.checklists.models import ChecklistEvent, ChecklistItem, DeadlineKind, ItemState
from caseflow.checklists.views import group_checklist, load_items
from caseflow.core.audit import annotate, audited
from caseflow.core.i18n import current_locale
from caseflow.core.time import today
from caseflow.core.transactions import unit_of_work
from caseflow.core.uploads import accepts_upload
from caseflow.extensions import db

bp = Blueprint("checklists", __name__, url_prefix="/cases/<id:case_id>/checklist")


def _item_of(case: Case, item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id, options=[joinedload(ChecklistItem.template_item)])
    if item is None or item.case_id != case.id:
        abort(404)
    return item


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/<id:item_id>/done")
@audited("checklist_item.done", object_type="checklist_item", id_arg="item_id")
@case_access(can_edit_case)
def tick(case: Case, item_id: int):
    """Mark one item done from the case page (a form post; the page script sends JSON).

    With ``undo`` (the page's "Undo" right after a tick), the item goes back to that open
    state instead; the audit event says so in its details.
    """
    item = _item_of(case, item_id)
    form = TickForm()
    if not form.validate():
        abort(400)
    wants_json = _wants_json()
    undo = ItemState(form.undo.data) if form.undo.data else None
    if undo is not None:
        annotate(details={"undo": undo.value})
    previous = item.state
    # A JSON caller shows the refusal itself; a form post sees it flashed.
    with unit_of_work(flash_category=None if wants_json else "danger") as work:
        check_version(item.version, form.version.data)
        services.set_state(item, current_user, undo or ItemState.DONE)
    if work.failed:
        if wants_json:
            return jsonify(error=str(work.error)), work.status
        return redirect(url_for("cases.detail", case_id=case.id, _anchor=f"item-{item_id}"))
    title = item.template_item.title(current_locale())
    if undo is not None:
        message = _("Step back to “%(state)s”: %(title)s", state=labels.STATE[undo], title=title)
    else:
        message = _("Step done: %(title)s", title=title)
    if wants_json:
        items = load_items(case)
        progress = services.progress_of(items, today())
        same_owner = [
            i
            for i in items
            if (i.person_id, i.former_person_name) == (item.person_id, item.former_person_name)
        ]
        person_progress = services.progress_of(same_owner, today())
        return jsonify(
            item_id=item.id,
            version=item.version,
            state=item.state.value,
            state_label=str(labels.STATE[item.state]),
            previous_state=previous.value,
            overdue_item=item.is_overdue(today()),
            done=progress.done,
            applicable=progress.applicable,
            overdue=progress.overdue,
            progress_text=progress_text(progress),
            person_progress_text=progress_text(person_progress),
            progress_parts=progress_parts(progress),
            person_progress_parts=progress_parts(person_progress),
            message=message,
        )
    flash(message, "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor=f"item-{item_id}"))


def progress_parts(progress: services.Progress) -> dict:
    """The progress line in two parts, so the page can style the overdue count."""
    return {
        "done": _("%(done)d of %(total)d done", done=progress.done, total=progress.applicable),
        "overdue": ngettext("%(num)d overdue", "%(num)d overdue", progress.overdue)
        if progress.overdue
        else "",
    }


def progress_text(progress: services.Progress) -> str:
    text = _("%(done)d of %(total)d done", done=progress.done, total=progress.applicable)
    if progress.overdue:
        text += " · " + ngettext("%(num)d overdue", "%(num)d overdue", progress.overdue)
    return text


@bp.route("/<id:item_id>", methods=["GET", "POST"])
@audited(
    "checklist_item.update",
    object_type="checklist_item",
    id_arg="item_id",
    view_action="checklist_item.view",
)
@case_access(post=can_edit_case)
def item(case: Case, item_id: int):
    """One item: its explanation, rule, state, dates, note and history."""
    checklist_item = _item_of(case, item_id)
    may_edit = can_edit_case(current_user, case)
    form = ItemForm(obj=checklist_item if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            with unit_of_work() as work:
                check_version(checklist_item.version, form.version.data)
                services.update_item(
                    checklist_item,
                    current_user,
                    state=ItemState(form.state.data),
                    reason=form.not_applicable_reason.data,
                    due_date_override=form.due_date_override.data,
                    expiry_date=form.expiry_date.data,
                    note=form.note.data,
                )
            if work.failed:
                status = work.status
            else:
                flash(_("Step saved."), "success")
                return redirect(url_for("cases.detail", case_id=case.id, _anchor=f"item-{item_id}"))
    else:
        form.state.data = checklist_item.state.value
    return _render_item(case, checklist_item, form, may_edit, status)


def _render_item(
    case: Case,
    checklist_item: ChecklistItem,
    form: ItemForm,
    may_edit: bool,
    status: int = 200,
    upload_form: UploadForm | None = None,
):
    """The step page, with its files (``upload_form``: one that holds a refusal)."""
    persons = db.session.scalars(
        select(Person).where(Person.case_id == case.id).order_by(Person.position, Person.id)
    ).all()
    person = next((p for p in persons if p.id == checklist_item.person_id), None)
    previous_item, next_item = _neighbours(case, persons, checklist_item)
    events = db.session.scalars(
        select(ChecklistEvent)
        .where(ChecklistEvent.item_id == checklist_item.id)
        .options(selectinload(ChecklistEvent.actor))
        .order_by(ChecklistEvent.id.desc())
    ).all()
    return render_template(
        "checklists/item.html",
        case=case,
        item=checklist_item,
        person=person,
        events=events,
        form=form,
        may_edit=may_edit,
        uses_expiry=checklist_item.template_item.deadline_kind == DeadlineKind.EXPIRY_WINDOW,
        previous_item=previous_item,
        next_item=next_item,
        attachments=item_attachments(checklist_item.id),
        upload_form=upload_form or UploadForm(formdata=None),
    ), status


@bp.post("/<id:item_id>/files")
@accepts_upload(back="checklists.item", anchor="files")
@audited("attachment.upload", object_type="checklist_item", id_arg="item_id")
@case_access(can_edit_case)
def upload(case: Case, item_id: int):
    """Attach a file to the step; a refusal re-shows the step page with the reason."""
    checklist_item = _item_of(case, item_id)
    upload_form = UploadForm()
    if upload_form.validate():
        db.session.commit()  # ends the access check's read: no lock while it is checked
        with unit_of_work(flash_category=None, catch=UploadRejected) as work:
            attachment = store_upload(
                case, upload_form.file.data, item=checklist_item, uploaded_by=current_user
            )
        if not work.failed:
            annotate(case_id=case.id, details={"attachment_id": attachment.id})
            flash(_("File attached: %(name)s", name=attachment.original_name), "success")
            return redirect(
                url_for("checklists.item", case_id=case.id, item_id=item_id, _anchor="files")
            )
        upload_form.refuse(str(work.error))
        checklist_item = _item_of(case, item_id)
    form = ItemForm(obj=checklist_item)
    form.state.data = checklist_item.state.value
    return _render_item(case, checklist_item, form, True, 400, upload_form=upload_form)


def _neighbours(case: Case, persons: list[Person], item: ChecklistItem):
    """The steps before and after ``item`` in the order of the case page's checklist."""
    order = [
        i for group in group_checklist(persons, load_items(case), today()) for i in group.items
    ]
    index = next(n for n, i in enumerate(order) if i.id == item.id)
    return (order[index - 1] if index > 0 else None), (
        order[index + 1] if index + 1 < len(order) else None
    )

"""Adding and editing case notes."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow.auth.permissions import can_edit_case, can_edit_note
from caseflow.cases.access import case_access, case_record
from caseflow.cases.models import Case
from caseflow.cases.page import render_case_page
from caseflow.core.audit import audited
from caseflow.core.errors import ConflictError
from caseflow.core.transactions import unit_of_work
from caseflow.extensions import db
from caseflow.notes import services
from caseflow.notes.forms import EditNoteForm, NoteForm
from caseflow.notes.models import Note, NoteRevision

bp = Blueprint("notes", __name__, url_prefix="/cases/<id:case_id>/notes")


@bp.post("")
@audited("note.create", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def add(case: Case):
    form = NoteForm()
    if not form.validate():
        return render_case_page(case, 400, note_form=form)
    services.add_note(case, current_user, form.body.data)
    db.session.commit()
    flash(_("Note added."), "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="notes"))


@bp.route("/<id:note_id>/edit", methods=["GET", "POST"])
@audited("note.update", object_type="note", id_arg="note_id", view_action="note.view")
@case_access()
@case_record(Note, "note_id", can_edit_note)
def edit(case: Case, note: Note):
    revisions = db.session.scalars(
        select(NoteRevision)
        .where(NoteRevision.note_id == note.id)
        .options(joinedload(NoteRevision.edited_by))
        .order_by(NoteRevision.id.desc())
    ).all()
    form = EditNoteForm(obj=note if request.method == "GET" else None)
    status = 200
    if form.is_submitted():
        if form.validate():
            with unit_of_work(catch=ConflictError) as work:
                services.edit_note(note, current_user, form.body.data, form.version.data)
            if work.failed:
                status = work.status
            else:
                flash(_("Note saved."), "success")
                return redirect(url_for("cases.detail", case_id=case.id, _anchor="notes"))
        else:
            status = 400
    else:
        form.version.data = note.version
    return render_template(
        "notes/edit.html", form=form, case=case, note=note, revisions=revisions
    ), status

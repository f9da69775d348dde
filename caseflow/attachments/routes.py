"""A case's files: upload to the case, download, delete. (A step's upload form posts to
``checklists.upload``, which re-shows the step page.)"""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.attachments import labels, services
from caseflow.attachments.forms import UploadForm
from caseflow.attachments.models import Attachment
from caseflow.attachments.services import UploadRejected
from caseflow.auth.permissions import can_edit_case
from caseflow.cases.access import case_access, case_record
from caseflow.cases.models import Case
from caseflow.cases.page import render_case_page
from caseflow.core.audit import annotate, audited
from caseflow.core.transactions import unit_of_work
from caseflow.core.uploads import accepts_upload
from caseflow.extensions import db

bp = Blueprint("attachments", __name__, url_prefix="/cases/<id:case_id>/files")


@bp.record_once
def _register_template_helpers(state) -> None:
    state.app.jinja_env.filters["filesize"] = labels.file_size
    state.app.jinja_env.globals["attachment_type_label"] = labels.type_label


@bp.post("")
@accepts_upload(back="cases.detail", anchor="files")
@audited("attachment.upload", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def upload(case: Case):
    """Attach a file to the case; a refusal re-shows the case page with the reason."""
    form = UploadForm()
    if not form.validate():
        return render_case_page(case, 400, upload_form=form)
    db.session.commit()  # ends the access check's read: no lock while the file is checked
    with unit_of_work(flash_category=None, catch=UploadRejected) as work:
        attachment = services.store_upload(case, form.file.data, uploaded_by=current_user)
    if work.failed:
        form.refuse(str(work.error))
        return render_case_page(case, 400, upload_form=form)
    annotate(details={"attachment_id": attachment.id})
    flash(_("File attached: %(name)s", name=attachment.original_name), "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="files"))


@bp.get("/<id:attachment_id>")
@audited("attachment.download", object_type="attachment", id_arg="attachment_id")
@case_access()
@case_record(Attachment, "attachment_id")
def download(case: Case, attachment: Attachment):
    """The file, as a download (personal data: every download is audited)."""
    return services.attachment_response(attachment)


@bp.post("/<id:attachment_id>/delete")
@audited("attachment.delete", object_type="attachment", id_arg="attachment_id")
@case_access(can_edit_case)
@case_record(Attachment, "attachment_id")
def delete(case: Case, attachment: Attachment):
    """Delete a file (row now, file once committed); back to where the button was."""
    name = attachment.original_name
    item_id = attachment.checklist_item_id
    with unit_of_work():
        services.delete_attachment(attachment, current_user)
    flash(_("File deleted: %(name)s", name=name), "success")
    if request.form.get("back") == "item" and item_id is not None:
        target = url_for("checklists.item", case_id=case.id, item_id=item_id, _anchor="files")
    else:
        target = url_for("cases.detail", case_id=case.id, _anchor="files")
    return redirect(target)

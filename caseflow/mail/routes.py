"""Emailing the checklist to a client, and the state of a case's emails."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.auth.permissions import can_edit_case
from caseflow.cases.access import case_access
from caseflow.cases.models import Case
from caseflow.core.audit import audited, record
from caseflow.core.transactions import unit_of_work
from caseflow.extensions import db
from caseflow.mail import client, services
from caseflow.mail.forms import EmailChecklistForm
from caseflow.mail.models import OutboxMessage
from caseflow.portal import services as portal_services

bp = Blueprint("mail", __name__, url_prefix="/cases/<id:case_id>")

# The preview shows where the link goes; the real one is made when the email is sent.
PREVIEW_PORTAL_URL = "https://…/p/…"


def _portal_link(case: Case):
    """Makes a new link to the client's page when the email is queued."""
    return lambda: portal_services.link_for_checklist_email(case, current_user)


@bp.route("/email-checklist", methods=["GET", "POST"])
@audited("email.queued", object_type="case", id_arg="case_id", view_action="email.view")
@case_access(can_edit_case)
def email_checklist(case: Case):
    """Pick recipients, preview the message in the client's language, send."""
    form = EmailChecklistForm()
    options = client.case_addresses(case)
    form.recipients.choices = [(address, f"{label} <{address}>") for address, label in options]
    preview = None
    status = 200
    if request.method == "GET":
        form.recipients.data = [address for address, _label in options[:1]]
        if options:  # the message as it stands, before any click
            preview = client.render_email(case, current_user, None)
    if form.validate_on_submit():
        if request.form.get("action") == "send":
            with unit_of_work() as work:
                client.email_checklist(
                    case,
                    current_user,
                    form.recipients.data,
                    form.personal_message.data,
                    portal_link=_portal_link(case) if form.include_portal_link.data else None,
                )
            if work.failed:
                status = 400
            else:
                flash(_("The checklist email is on its way."), "success")
                return redirect(url_for("cases.detail", case_id=case.id, _anchor="emails"))
        else:
            record("email.preview", object_type="case", object_id=case.id, case_id=case.id)
        preview = client.render_email(
            case,
            current_user,
            form.personal_message.data,
            PREVIEW_PORTAL_URL if form.include_portal_link.data else None,
        )
    elif form.is_submitted():
        status = 400
    return render_template(
        "mail/email_checklist.html", case=case, form=form, options=options, preview=preview
    ), status


@bp.post("/emails/<id:message_id>/retry")
@audited("email.retry", object_type="email", id_arg="message_id")
@case_access(can_edit_case)
def retry(case: Case, message_id: int):
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.case_id != case.id:
        abort(404)
    with unit_of_work("warning") as work:
        services.retry(message)
    if work.failed:
        return redirect(url_for("cases.detail", case_id=case.id, _anchor="emails"))
    flash(_("The email will be sent again."), "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="emails"))

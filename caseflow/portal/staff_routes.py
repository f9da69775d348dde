"""The advisor's side of the client's page: send the link, revoke it, and handle the
client's "I have done this" claims. The case page shows the panel
(``portal/_case_panel.html``, loaded through ``cases.page.register_page_extension``)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.auth.permissions import can_edit_case
from caseflow.cases.access import case_access, case_record
from caseflow.cases.models import Case
from caseflow.cases.page import register_page_extension, render_case_page
from caseflow.core.audit import audited
from caseflow.core.transactions import unit_of_work
from caseflow.mail.client import case_addresses
from caseflow.portal import services
from caseflow.portal.forms import (
    ConfirmClaimForm,
    RevokeLinkForm,
    SendBackClaimForm,
    SendLinkForm,
)
from caseflow.portal.models import ClientClaim

bp = Blueprint("portal_staff", __name__, url_prefix="/cases/<id:case_id>/client-page")


def _panel(case: Case) -> dict:
    """The case page's "Client page" panel: three queries, whatever the case holds."""
    return {
        "case_portal": services.case_portal(case.id),
        "portal_send_back_form": SendBackClaimForm(formdata=None),
    }


@bp.record_once
def _register(state) -> None:
    register_page_extension(_panel)


def _back(case: Case):
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="client-page"))


@bp.route("/send", methods=["GET", "POST"])
@audited("portal.send", object_type="case", id_arg="case_id", view_action="portal.send_view")
@case_access(can_edit_case)
def send(case: Case):
    """Send the client a (new) link to their page, in their language."""
    form = SendLinkForm()
    options = case_addresses(case)
    form.recipients.choices = [(address, f"{label} <{address}>") for address, label in options]
    status = 200
    if request.method == "GET":
        form.recipients.data = [address for address, _label in options[:1]]
    elif form.validate():
        with unit_of_work() as work:
            services.send_link(case, current_user, form.recipients.data)
        if not work.failed:
            flash(_("The link to the client's page is on its way."), "success")
            return _back(case)
        status = 400
    else:
        status = 400
    return render_template(
        "portal/send.html",
        case=case,
        form=form,
        options=options,
        live=services.live_link(case.id),
    ), status


@bp.post("/revoke")
@audited("portal.revoke", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def revoke(case: Case):
    form = RevokeLinkForm()
    if form.validate():
        with unit_of_work() as work:
            revoked = services.revoke_links(case, current_user)
        if not work.failed and revoked:
            flash(_("The link to the client's page no longer works."), "success")
    return _back(case)


@bp.post("/claims/<id:claim_id>/confirm")
@audited("portal.claim_confirm", object_type="portal_claim", id_arg="claim_id")
@case_access(can_edit_case)
@case_record(ClientClaim, "claim_id")
def confirm(case: Case, claim: ClientClaim):
    form = ConfirmClaimForm()
    if form.validate():
        with unit_of_work("warning") as work:
            services.confirm_claim(claim, current_user)
        if not work.failed:
            flash(_("Confirmed: the step is ticked done."), "success")
    return _back(case)


@bp.post("/claims/<id:claim_id>/send-back")
@audited("portal.claim_send_back", object_type="portal_claim", id_arg="claim_id")
@case_access(can_edit_case)
@case_record(ClientClaim, "claim_id")
def send_back(case: Case, claim: ClientClaim):
    form = SendBackClaimForm()
    if not form.validate():
        flash(_("The reason is too long or contains characters that are not allowed."), "danger")
        return render_case_page(case, 400)
    with unit_of_work("warning") as work:
        services.send_back_claim(claim, current_user, form.reason.data)
    if not work.failed:
        flash(_("Sent back: the client sees that the step is not done yet."), "success")
    return _back(case)

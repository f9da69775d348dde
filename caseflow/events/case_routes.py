"""The case page's "Event invitations" panel: the household's consent to invitations
(record, withdraw). Loaded through ``cases.page.register_page_extension`` (one query)."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.auth.permissions import can_edit_case
from caseflow.cases.access import case_access
from caseflow.cases.models import Case
from caseflow.cases.page import register_page_extension, render_case_page
from caseflow.core.audit import audited
from caseflow.core.transactions import unit_of_work
from caseflow.events import consent as consents
from caseflow.events.forms import GiveConsentForm, WithdrawConsentForm
from caseflow.events.models import ConsentChannel

bp = Blueprint("event_consent", __name__, url_prefix="/cases/<id:case_id>/event-invitations")


def _panel(case: Case) -> dict:
    """One query: the case's consent row."""
    return {
        "event_consent": consents.consent_of(case.id),
        "event_consent_form": GiveConsentForm(formdata=None),
        "event_withdraw_form": WithdrawConsentForm(formdata=None),
    }


@bp.record_once
def _register(state) -> None:
    register_page_extension(_panel)


def _back(case: Case):
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="event-invitations"))


@bp.post("/consent")
@audited("event_consent.give", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def give(case: Case):
    form = GiveConsentForm()
    if not form.validate():
        flash(_("Tick the box to confirm that the household agreed."), "danger")
        return render_case_page(case, 400)
    with unit_of_work() as work:
        consents.give_consent(case, current_user)
    if work.failed:
        return render_case_page(case, work.status)
    flash(_("Consent to event invitations recorded."), "success")
    return _back(case)


@bp.post("/consent/withdraw")
@audited("event_consent.withdraw", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def withdraw(case: Case):
    form = WithdrawConsentForm()
    if not form.validate():
        return render_case_page(case, 400)
    consent = consents.consent_of(case.id)
    with unit_of_work():
        withdrawn = consent is not None and consents.withdraw_consent(
            consent, current_user, ConsentChannel.STAFF
        )
    if withdrawn:
        flash(_("Consent to event invitations withdrawn: no more invitations."), "success")
    else:
        flash(_("There was no consent to withdraw."), "info")
    return _back(case)

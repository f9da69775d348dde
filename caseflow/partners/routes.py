"""The partner directory (/partners) and referrals from a case. The case page shows
the referrals panel (``partners/_case_panel.html``, loaded through
``cases.page.register_page_extension``)."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from caseflow.auth.access import requires
from caseflow.auth.permissions import (
    can_change_referral,
    can_manage_partners,
    can_read_partners,
    can_refer_case,
)
from caseflow.cases.access import case_access, case_record
from caseflow.cases.models import Case
from caseflow.cases.page import load_case_for_page, register_page_extension, render_case_page
from caseflow.core.audit import audited
from caseflow.core.forms import parse_id
from caseflow.core.time import today
from caseflow.core.transactions import unit_of_work
from caseflow.core.web import page_number
from caseflow.extensions import db
from caseflow.partners import labels, services
from caseflow.partners.forms import PartnerForm, ReferralForm, ReferralStateForm
from caseflow.partners.models import Partner, Referral, ReferralState

bp = Blueprint("partners", __name__)

PER_PAGE = 25


# The refer form's default follow-up date (My work lists it from then on).
FOLLOW_UP_DAYS = 14


def _panel(case: Case) -> dict:
    """The case page's "Referrals" panel: one query (the newest referrals and how many
    there are in all)."""
    referrals, total = services.case_referrals(case.id, limit=services.CASE_PANEL_LIMIT)
    return {
        "case_referrals": referrals,
        "case_referrals_hidden": total - len(referrals),
        "referral_state_form": ReferralStateForm(formdata=None),
    }


@bp.record_once
def _register(state) -> None:
    register_page_extension(_panel)
    state.app.jinja_env.globals["partner_labels"] = labels
    # Checklist steps that recommend a type of partner (the step page, the client's
    # checklist and page) ask through this, so checklists, documents and portal do not
    # import this package.
    state.app.jinja_env.globals["partners_by_type"] = services.partners_by_type


def _search() -> services.PartnerSearch:
    args = request.args
    return services.PartnerSearch(
        q=args.get("q", "").strip()[:100],
        type=args.get("type", ""),
        municipality=args.get("municipality", "").strip()[:80],
        language=args.get("language", ""),
        inactive=args.get("inactive") == "1" and can_manage_partners(current_user),
    )


@bp.get("/partners")
@audited("partners.list")
@requires(can_read_partners)
def index():
    """The centre's partner network: search by name or topic, type, municipality and
    language; paginated."""
    search = _search()
    pagination = db.paginate(
        services.partner_query(current_user.centre_id, search),
        page=page_number(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "partners/index.html",
        pagination=pagination,
        search=search,
        can_manage=can_manage_partners(current_user),
    )


def _own_partner(partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None or partner.centre_id != current_user.centre_id:
        abort(404)
    return partner


@bp.route("/partners/new", methods=["GET", "POST"])
@audited("partners.create", view_action="partners.create_form")
@requires(can_manage_partners)
def new():
    form = PartnerForm()
    if request.method == "GET":
        form.email_language.data = "nl"
        return render_template("partners/edit.html", form=form, partner=None)
    if not form.validate():
        return render_template("partners/edit.html", form=form, partner=None), 400
    with unit_of_work() as work:
        partner = services.create_partner(current_user.centre_id, form.to_data())
    if work.failed:
        return render_template("partners/edit.html", form=form, partner=None), work.status
    flash(_("Partner added: %(name)s.", name=partner.name), "success")
    return redirect(url_for("partners.index"))


@bp.route("/partners/<id:partner_id>/edit", methods=["GET", "POST"])
@audited(
    "partners.edit", object_type="partner", id_arg="partner_id", view_action="partners.edit_form"
)
@requires(can_manage_partners)
def edit(partner_id: int):
    partner = _own_partner(partner_id)
    if request.method == "GET":
        form = PartnerForm(obj=partner)
        form.type.data = partner.type.value
        form.email_language.data = partner.email_language.value
        form.languages.data = partner.language_codes
        return render_template("partners/edit.html", form=form, partner=partner)
    form = PartnerForm()
    if not form.validate():
        return render_template("partners/edit.html", form=form, partner=partner), 400
    with unit_of_work() as work:
        services.update_partner(partner, form.to_data())
    if work.failed:
        return render_template("partners/edit.html", form=form, partner=partner), work.status
    flash(_("Partner saved: %(name)s.", name=partner.name), "success")
    return redirect(url_for("partners.index"))


def _referral_form(case: Case, formdata=None) -> ReferralForm:
    form = ReferralForm() if formdata is None else ReferralForm(formdata=formdata)
    partners = services.active_partners(case.centre_id, limit=services.REFER_CHOICES_LIMIT)
    # Grouped by type (an <optgroup> per type, no JavaScript needed); capped.
    form.partner_id.choices = [SelectChoice("", _("Choose a partner"))] + [
        SelectChoice(
            str(p.id),
            f"{p.name} ({labels.PARTNER_TYPE[p.type]})",  # screen readers may skip optgroups
            optgroup=str(labels.PARTNER_TYPE[p.type]),
        )
        for p in partners
    ]
    form.person_ids.choices = [(str(p.id), p.full_name) for p in case.persons if not p.is_erased]
    return form


def _has_email(case: Case) -> bool:
    """Whether the client could be emailed (the contact address or a person's)."""
    return bool(case.contact_email or any(p.email for p in case.persons if not p.is_erased))


@bp.route("/cases/<id:case_id>/referrals/new", methods=["GET", "POST"])
@audited("referral.create", object_type="case", id_arg="case_id", view_action="referral.form")
@case_access(can_refer_case, load=load_case_for_page)
def refer(case: Case):
    """Refer the household (some of its persons) to a partner of the centre."""
    form = _referral_form(case)
    if request.method == "GET":
        form.person_ids.data = [str(p.id) for p in case.persons if not p.is_erased]
        form.consent.data = "no"
        form.follow_up_on.data = today() + timedelta(days=FOLLOW_UP_DAYS)
        form.email_client.data = _has_email(case)
        return render_template("partners/refer.html", case=case, form=form)
    if not form.validate():
        return render_template("partners/refer.html", case=case, form=form), 400
    person_ids = [parse_id(value) for value in form.person_ids.data]
    with unit_of_work(flash_category=None) as work:
        result = services.create_referral(
            case,
            current_user,
            partner_id=parse_id(form.partner_id.data) or 0,
            person_ids=[pid for pid in person_ids if pid],
            reason=form.reason.data,
            consent=form.consent.data == "yes",
            details=list(form.details.data or []),
            follow_up_on=form.follow_up_on.data,
            email_client=bool(form.email_client.data),
        )
    if work.failed:
        return render_template(
            "partners/refer.html", case=case, form=form, error=work.error
        ), work.status
    if result.emailed_to == "partner":
        flash(_("Referral saved: the introduction email to the partner is on its way."), "success")
    elif result.emailed_to == "client":
        flash(_("Referral saved: the client receives the partner's details by email."), "success")
    elif form.consent.data != "yes" and not form.email_client.data and _has_email(case):
        flash(_("Referral saved. Give the client the partner's details yourself."), "success")
    else:
        flash(
            _(
                "Referral saved. The case has no email address: give the client the "
                "partner's details yourself."
            ),
            "warning",
        )
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="referrals"))


@bp.post("/cases/<id:case_id>/referrals/<id:referral_id>/state")
@audited("referral.state", object_type="referral", id_arg="referral_id")
@case_access(can_refer_case)
@case_record(Referral, "referral_id", can_change_referral)
def change_state(case: Case, referral: Referral):
    form = ReferralStateForm()
    if not form.validate():
        errors = [str(e) for field in form for e in field.errors]
        flash(" ".join(errors), "danger")
        return render_case_page(case, 400)
    with unit_of_work() as work:  # a stale form (409) or an erased case: flashed
        services.change_referral_state(
            referral,
            current_user,
            ReferralState(form.state.data),
            form.follow_up_on.data,
            form.version.data,
        )
    if work.failed:  # the case page again, with the error flashed and its status
        return render_case_page(case, work.status)
    flash(_("Referral updated."), "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="referrals"))

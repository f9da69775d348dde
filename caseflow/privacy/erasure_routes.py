"""Erasure pages: erase a whole case, or one person of it (team leads and admins, with
re-authentication, a reason and the reference typed again)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.auth.reauth import requires_recent_login
from caseflow.cases.access import case_access, case_record
from caseflow.cases.models import Case, Person
from caseflow.core.audit import audited
from caseflow.core.database import checkpoint_wal
from caseflow.core.transactions import unit_of_work
from caseflow.privacy import erasure
from caseflow.privacy.erasure_forms import EraseForm

bp = Blueprint("erasure", __name__, url_prefix="/cases")


@bp.record_once
def _register_template_globals(state) -> None:
    state.app.jinja_env.globals["can_erase_case"] = erasure.can_erase_case


@bp.route("/<int:case_id>/erase", methods=["GET", "POST"])
@audited("privacy.erase", object_type="case", id_arg="case_id", view_action="case.view")
@case_access(erasure.can_erase_case)
@requires_recent_login()  # a refused POST comes back to this same page
def erase_case(case: Case):
    form = EraseForm()
    if form.validate_on_submit() and form.reference_matches(case.reference):
        with unit_of_work() as work:
            erasure.erase_case(case, reason=form.reason.data, actor=current_user)
        if not work.failed:
            checkpoint_wal()  # after the commit: no earlier page versions left in the WAL
            flash(_("The case's personal data was erased."), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
        return render_template("privacy/erase.html", form=form, case=case, person=None), 400
    status = 400 if form.is_submitted() else 200
    return render_template("privacy/erase.html", form=form, case=case, person=None), status


@bp.route("/<int:case_id>/persons/<int:person_id>/erase", methods=["GET", "POST"])
@audited("privacy.erase", object_type="person", id_arg="person_id", view_action="case.view")
@case_access(erasure.can_erase_case)
@case_record(Person, "person_id")
@requires_recent_login()
def erase_person(case: Case, person: Person):
    if person.erased_at is not None:
        flash(_("This person has already been erased."), "info")
        return redirect(url_for("cases.detail", case_id=case.id))
    form = EraseForm()
    if form.validate_on_submit() and form.reference_matches(case.reference):
        with unit_of_work() as work:
            erasure.erase_person(person, reason=form.reason.data, actor=current_user)
        if not work.failed:
            checkpoint_wal()
            flash(_("The person's personal data was erased."), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
        return render_template("privacy/erase.html", form=form, case=case, person=person), 400
    status = 400 if form.is_submitted() else 200
    return render_template("privacy/erase.html", form=form, case=case, person=person), status

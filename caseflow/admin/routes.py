"""User and case-type administration. Admins only; everything stays within their centre."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from caseflow.admin.forms import CaseTypeForm, CentreSettingsForm
from caseflow.auth import services as users
from caseflow.auth import twofactor
from caseflow.auth.access import requires
from caseflow.auth.forms import NewUserForm, PasswordResetForm, UserForm
from caseflow.auth.models import Role, User
from caseflow.auth.permissions import can_manage_case_types, can_manage_users
from caseflow.auth.reauth import (
    ask_for_reauthentication,
    recently_authenticated,
    requires_recent_login,
)
from caseflow.cases.models import CaseType
from caseflow.cases.queries import centre_case_types
from caseflow.cases.services import save_case_type
from caseflow.core import audit
from caseflow.core.audit import annotate, audited
from caseflow.core.named_lists import save_entry
from caseflow.core.transactions import unit_of_work
from caseflow.core.web import page_number
from caseflow.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

USERS_PER_PAGE = 50


def _centre_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.centre_id != current_user.centre_id:
        abort(404)
    return user


@bp.get("/users")
@requires(can_manage_users)
def users_index():
    pagination = db.paginate(
        select(User)
        .where(User.centre_id == current_user.centre_id)
        .order_by(User.is_active_account.desc(), func.lower(User.full_name), User.id),
        page=page_number(),
        per_page=USERS_PER_PAGE,
        error_out=False,
    )
    return render_template("admin/users.html", pagination=pagination)


@bp.route("/users/new", methods=["GET", "POST"])
@requires(can_manage_users)
def user_new():
    form = NewUserForm()
    if form.validate_on_submit():
        with unit_of_work(None) as work:
            # Passwords an admin chooses are temporary: the user replaces it at first login.
            user = users.create_user(
                current_user.centre,
                form.email.data,
                form.full_name.data,
                Role(form.role.data),
                form.password.data,
                is_active=form.is_active.data,
                temporary_password=True,
                actor=current_user,
            )
        if isinstance(work.error, users.PasswordRejected):
            form.password.errors = [*form.password.errors, *work.error.problems]
        elif isinstance(work.error, users.EmailUnavailable):
            # Finding 6. Emails are logins, unique across every centre of the installation,
            # so a refusal cannot be avoided; it must not tell an admin of centre A whether
            # the address is used in centre B. The refusal is one neutral message that
            # never says where, and the response (status, page, message, and the work
            # done: one lookup, no password hashing) is the same for an address used in
            # the admin's own centre as for one used in any other centre. What remains
            # known is "this address cannot be used here", which is also all the admin
            # would learn from their own user list. Each refusal is audited (denied),
            # so a data protection officer sees an admin probing addresses.
            form.email.errors = [*form.email.errors, str(work.error)]
            audit.record(
                "user.created",
                outcome=audit.DENIED,
                object_type="user",
                details={"reason": "email_unavailable"},
            )
        elif work.failed:
            form.email.errors = [*form.email.errors, str(work.error)]
        else:
            flash(_("User %(name)s created.", name=user.full_name), "success")
            return redirect(url_for("admin.users_index"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/user_new.html", form=form), status


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@requires(can_manage_users)
def user_edit(user_id: int):
    user = _centre_user_or_404(user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.role.data = user.role.value
        form.is_active.data = user.is_active_account
    reset_form = PasswordResetForm(formdata=None)
    if form.validate_on_submit():
        # A role change or (de)activation needs a recent password; a new name does not.
        sensitive = (
            Role(form.role.data) != user.role or form.is_active.data != user.is_active_account
        )
        if sensitive and not recently_authenticated():
            return ask_for_reauthentication(url_for("admin.user_edit", user_id=user.id))
        with unit_of_work() as work:
            users.update_user(
                current_user,
                user,
                full_name=form.full_name.data,
                role=Role(form.role.data),
                is_active=form.is_active.data,
            )
        if not work.failed:
            flash(_("User saved."), "success")
            return redirect(url_for("admin.users_index"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "admin/user_edit.html", form=form, user=user, reset_form=reset_form
    ), status


def _user_page(user_id: int) -> str:
    return url_for("admin.user_edit", user_id=user_id)


@bp.post("/users/<id:user_id>/password")
@requires(can_manage_users)
@requires_recent_login(back=_user_page)
def user_reset_password(user_id: int):
    user = _centre_user_or_404(user_id)
    reset_form = PasswordResetForm()
    if reset_form.validate():
        with unit_of_work(None, catch=users.PasswordRejected) as work:
            users.reset_password(current_user, user, reset_form.new_password.data)
        if work.failed:
            reset_form.new_password.errors = [
                *reset_form.new_password.errors,
                *work.error.problems,
            ]
        else:
            flash(
                _(
                    "The password of %(name)s was reset; their sessions were ended.",
                    name=user.full_name,
                ),
                "success",
            )
            return redirect(url_for("admin.user_edit", user_id=user.id))
    form = UserForm(obj=user, formdata=None)
    form.role.data = user.role.value
    form.is_active.data = user.is_active_account
    return render_template("admin/user_edit.html", form=form, user=user, reset_form=reset_form), 400


@bp.post("/users/<id:user_id>/second-factor")
@requires(can_manage_users)
@requires_recent_login(back=_user_page)
def user_reset_second_factor(user_id: int):
    """For a user who lost their phone and codes: off, sessions ended, user told by email."""
    user = _centre_user_or_404(user_id)
    if not user.has_second_factor:
        flash(_("%(name)s has no second factor.", name=user.full_name), "info")
        return redirect(_user_page(user.id))
    twofactor.disable(user, current_user)
    users.end_sessions(user)
    db.session.commit()
    flash(
        _(
            "The second factor of %(name)s was reset; their sessions were ended.",
            name=user.full_name,
        ),
        "success",
    )
    return redirect(_user_page(user.id))


@bp.route("/case-types", methods=["GET", "POST"])
@audited("case_type.create", object_type="case_type", view_action=None)
@requires(can_manage_case_types)
def case_types():
    form = CaseTypeForm()
    saved = save_entry(
        form,
        lambda values: save_case_type(current_user.centre_id, None, **values),
        saved=_("Case type added."),
        list_endpoint="admin.case_types",
        new=True,
    )
    if saved:
        return saved
    return render_template(
        "shared/named_list.html",
        form=form,
        heading=_("Case types"),
        entries=centre_case_types(current_user.centre_id),
        edit_url=lambda entry: url_for("admin.case_type_edit", case_type_id=entry.id),
        empty_text=_("No case types yet."),
        add_heading=_("Add a case type"),
        add_label=_("Add case type"),
    ), (400 if form.is_submitted() else 200)


@bp.route("/case-types/<id:case_type_id>", methods=["GET", "POST"])
@audited("case_type.update", object_type="case_type", id_arg="case_type_id", view_action=None)
@requires(can_manage_case_types)
def case_type_edit(case_type_id: int):
    case_type = db.session.get(CaseType, case_type_id)
    if case_type is None or case_type.centre_id != current_user.centre_id:
        abort(404)
    # Only a GET shows the stored values: a post missing a field must not keep them.
    form = CaseTypeForm(obj=case_type if request.method == "GET" else None)
    saved = save_entry(
        form,
        lambda values: save_case_type(current_user.centre_id, case_type, **values),
        saved=_("Case type saved."),
        list_endpoint="admin.case_types",
        new=False,
    )
    if saved:
        return saved
    return render_template(
        "shared/named_entry_edit.html",
        form=form,
        entry=case_type,
        heading=_("Edit case type"),
        retired_hint=_(
            "A retired case type stays on existing cases but is no longer offered for new ones."
        ),
        list_url=url_for("admin.case_types"),
    ), (400 if form.is_submitted() else 200)


@bp.route("/centre", methods=["GET", "POST"])
@audited("centre.update", object_type="centre", view_action=None)
@requires(can_manage_users)
@requires_recent_login()
def centre_settings():
    centre = current_user.centre
    form = CentreSettingsForm(obj=centre if request.method == "GET" else None)
    if form.validate_on_submit():
        changed = [
            name
            for name in ("closing_needs_approval", "leads_need_second_factor", "retention_months")
            if getattr(centre, name) != getattr(form, name).data
        ]
        for name in changed:
            setattr(centre, name, getattr(form, name).data)
        db.session.commit()
        annotate(object_id=centre.id, details={"fields": changed})
        flash(_("Centre settings saved."), "success")
        return redirect(url_for("admin.centre_settings"))
    status = 400 if form.is_submitted() else 200
    return render_template("admin/centre.html", form=form, centre=centre), status

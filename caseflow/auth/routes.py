"""Login, logout and the user's own profile."""

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from caseflow.auth import services
from caseflow.auth.forms import (
    ChoosePasswordForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
)
from caseflow.auth.models import User
from caseflow.auth.passwords import verify_password
from caseflow.core.transactions import unit_of_work
from caseflow.core.urls import safe_next
from caseflow.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Accept a cookie only while its session token is the user's current one."""
    ident, _sep, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    user = db.session.get(User, int(ident))
    if user is None or user.session_token != token or not user.is_active_account:
        return None
    return user


def _login_key() -> str:
    return "login:" + services.normalise_email(request.form.get("email", ""))[:254]


def _login_failed(response) -> bool:
    # Only failed attempts count towards the per-account limit.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_login_failed,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_login_key,
    deduct_when=_login_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            locale = session.get("locale")
            session.clear()  # no session fixation: nothing from before the login survives
            if locale:
                session["locale"] = locale
            session.permanent = True
            session["login_at"] = session["seen_at"] = time.time()
            login_user(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
        db.session.rollback()
        # One message whether or not the email exists.
        flash(_("The email address or password is not correct."), "danger")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


def _profile_page(form=None, password_form=None, status=200):
    if form is None:
        form = ProfileForm(obj=current_user, formdata=None)
        form.locale.data = current_user.locale or ""
    return render_template(
        "auth/profile.html", form=form, password_form=password_form or PasswordChangeForm()
    ), status


@bp.get("/profile")
def profile():
    return _profile_page()


@bp.post("/profile")
def save_profile():
    form = ProfileForm()
    if not form.validate():
        return _profile_page(form=form, status=400)
    current_user.full_name = form.full_name.data
    current_user.locale = form.locale.data or None
    db.session.commit()
    flash(_("Your profile has been saved."), "success")
    return redirect(url_for("auth.profile"))


def _password_change_key() -> str:
    # Per user (not per session or address): a stolen session guesses no faster elsewhere.
    return f"password-change:{getattr(current_user, 'id', None)}"


def _wrong_current_password(_response) -> bool:
    # Only a wrong current password counts (not a weak new one or a missing field).
    return bool(g.get("wrong_current_password"))


@bp.post("/profile/password")
@limiter.limit(
    lambda: current_app.config["PASSWORD_CHANGE_FAILURES_PER_USER"],
    key_func=_password_change_key,
    deduct_when=_wrong_current_password,
)
def change_password():
    form = PasswordChangeForm()
    if form.validate():
        if not verify_password(current_user.password_hash, form.current_password.data):
            g.wrong_current_password = True
            form.current_password.errors.append(_("This is not your current password."))
        else:
            with unit_of_work(None, catch=services.PasswordRejected) as work:
                services.change_own_password(current_user, form.new_password.data)
            if work.failed:
                form.new_password.errors.extend(work.error.problems)
            else:
                # This session continues with the new token; every other one has ended.
                login_user(current_user._get_current_object())
                flash(
                    _("Your password has been changed. Other sessions were logged out."), "success"
                )
                return redirect(url_for("auth.profile"))
    return _profile_page(password_form=form, status=400)


# Reachable while a temporary password is in use (besides the page to replace it).
TEMPORARY_PASSWORD_ENDPOINTS = frozenset(
    {"auth.choose_password", "auth.logout", "auth.login", "main.set_language", "main.healthz"}
)


@bp.before_app_request
def _require_own_password():
    """A user with a temporary password (set by an admin or the CLI) reaches no page
    until they chose their own: every other request is sent to the page for that."""
    if (
        request.endpoint is None
        or request.endpoint in TEMPORARY_PASSWORD_ENDPOINTS
        or request.endpoint.endswith("static")  # static and bootstrap.static
        or not current_user.is_authenticated
        or not current_user.must_change_password
    ):
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.choose_password", next=safe_next(target)))


@bp.route("/password/new", methods=["GET", "POST"])
def choose_password():
    """Replace a temporary password with one of the user's own."""
    next_url = safe_next(request.args.get("next")) or url_for("main.home")
    if not current_user.must_change_password:
        return redirect(next_url)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        with unit_of_work(None, catch=services.PasswordRejected) as work:
            services.change_own_password(current_user, form.new_password.data)
        if work.failed:
            form.new_password.errors = [*form.new_password.errors, *work.error.problems]
        else:
            login_user(current_user._get_current_object())
            flash(_("Your password has been saved."), "success")
            return redirect(next_url)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/choose_password.html", form=form), status

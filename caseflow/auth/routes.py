"""Login (password, then the second factor), logout, re-authentication and the profile."""

import hashlib
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
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from caseflow.auth import devices, reauth, services, sessions, twofactor
from caseflow.auth.forms import (
    ChoosePasswordForm,
    DisableSecondFactorForm,
    EnrolForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    ReauthForm,
    RenewCodesForm,
    SecondFactorForm,
)
from caseflow.auth.models import User
from caseflow.auth.passwords import verify_password
from caseflow.core import audit
from caseflow.core.transactions import unit_of_work
from caseflow.core.urls import safe_next
from caseflow.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)

# The session key of a login that waits for its second factor.
PENDING = "pending_login"
# Endpoints a user whose centre requires a second factor reaches before enrolling.
ALLOWED_BEFORE_ENROLMENT = frozenset(
    {
        "auth.second_factor_setup",
        "auth.logout",
        "auth.login",
        "auth.second_factor",
        "main.set_language",
        "main.healthz",
        "static",
        "bootstrap.static",
    }
)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Accept a cookie only while its session row is open and its token current."""
    ident, token, key = ([*user_id.split(":", 2), "", ""])[:3]
    if not ident.isdigit() or not token or not key:
        return None
    found = sessions.load(int(ident), token, key)
    return found[0] if found else None


@bp.before_app_request
def _enforce_second_factor_enrolment():
    """With the centre's setting on, a team lead or admin without a second factor sees
    nothing but the enrolment page (checked here for every request, not per view)."""
    if request.endpoint is None or request.endpoint in ALLOWED_BEFORE_ENROLMENT:
        return None
    if current_user.is_authenticated and current_user.must_enrol_second_factor:
        return redirect(url_for("auth.second_factor_setup"))
    return None


# Rate limits ------------------------------------------------------------------------


def _login_email() -> str:
    return services.normalise_email(request.form.get("email", ""))[:254]


def _login_device() -> str | None:
    """The nonce of a valid device cookie for the account being tried (no DB without one)."""

    def compute():
        if devices.nonce_for_any() is None:
            return None
        user = services.find_user_by_email(_login_email())
        return devices.nonce_for(user.id if user else None)

    return devices.cached("login_device", compute)


def _pending_user_id() -> int | None:
    data = session.get(PENDING)
    return data.get("uid") if isinstance(data, dict) else None


def _code_device() -> str | None:
    return devices.cached("code_device", lambda: devices.nonce_for(_pending_user_id()))


def _failed(flag: str):
    # Only wrong credentials count: not a form with a missing field, not a bad CSRF token.
    return lambda _response: bool(g.get(flag))


def _limit(setting: str):
    return lambda: current_app.config[setting]


def _user_key() -> str:
    return f"reauth/{current_user.id if current_user.is_authenticated else '-'}"


def _device_key(nonce) -> str:
    return f"device/{nonce or '-'}"


def _retry_after_seconds() -> int:
    limit = limiter.current_limit
    if limit is None:
        return 60
    return max(1, int(limit.reset_at - time.time()))


@bp.after_app_request
def _retry_after(response):
    if response.status_code == 429 and "Retry-After" not in response.headers:
        response.headers["Retry-After"] = str(_retry_after_seconds())
    return response


# Login -----------------------------------------------------------------------------


def _fresh_session() -> None:
    """No session fixation: nothing from before survives but the language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def _password_fingerprint(user: User) -> str:
    """Ties a pending login to the password and sessions it was started with."""
    return hashlib.sha256(f"{user.password_hash}|{user.session_token}".encode()).hexdigest()[:32]


def _finish_login(user: User, next_url: str | None, method: str | None):
    _fresh_session()
    session.permanent = True
    session["login_at"] = session["seen_at"] = time.time()
    reauth.mark_authenticated()
    sessions.start_session(user)
    services.record_login(user)
    login_user(user)
    details = {"second_factor": method} if method else None
    audit.record("auth.login", object_type="user", object_id=user.id, actor=user, details=details)
    if method == twofactor.RECOVERY_CODE:
        left = twofactor.recovery_codes_left(user)
        flash(
            ngettext(
                "You used a recovery code; %(num)d is left. Make new ones on your profile.",
                "You used a recovery code; %(num)d are left. Make new ones on your profile.",
                left,
            ),
            "warning",
        )
    db.session.commit()
    response = redirect(safe_next(next_url) or url_for("main.home"))
    devices.remember(response, user)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    _limit("LOGIN_FAILURES_PER_ADDRESS"),
    methods=["POST"],
    deduct_when=_failed("login_failed"),
    exempt_when=lambda: _login_device() is not None,
)
@limiter.limit(
    _limit("LOGIN_FAILURES_PER_ACCOUNT"),
    methods=["POST"],
    key_func=lambda: f"login/{_login_email()}",
    deduct_when=_failed("login_failed"),
    exempt_when=lambda: _login_device() is not None,
)
@limiter.limit(
    _limit("LOGIN_FAILURES_PER_DEVICE"),
    methods=["POST"],
    key_func=lambda: _device_key(_login_device()),
    deduct_when=_failed("login_failed"),
    exempt_when=lambda: _login_device() is None,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        next_url = safe_next(request.args.get("next"))
        user, ok = services.check_credentials(form.email.data, form.password.data)
        if ok:
            services.upgrade_hash(user, form.password.data)
            if user.has_second_factor:
                _fresh_session()
                session[PENDING] = {
                    "uid": user.id,
                    "at": time.time(),
                    "next": next_url or "",
                    "fails": 0,
                    "fp": _password_fingerprint(user),
                }
                db.session.commit()
                return redirect(url_for("auth.second_factor"))
            return _finish_login(user, next_url, None)
        g.login_failed = True
        audit.record(
            "auth.login",
            outcome=audit.FAILED,
            object_type="user" if user else None,
            object_id=user.id if user else None,
            actor=user,
        )
        services.note_failed_login(form.email.data)
        db.session.commit()
        # One message whether or not the email exists.
        flash(_("The email address or password is not correct."), "danger")
        return render_template("auth/login.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


def _pending_login() -> tuple[User, dict] | None:
    """The user whose password was just right, while their code page may still be used."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    age = time.time() - float(data.get("at", 0))
    if not 0 <= age <= current_app.config["SECOND_FACTOR_PENDING_SECONDS"]:
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.is_active_account or not user.has_second_factor:
        return None
    if data.get("fp") != _password_fingerprint(user):
        return None
    return user, data


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(
    _limit("SECOND_FACTOR_FAILURES_PER_ACCOUNT"),
    methods=["POST"],
    key_func=lambda: f"second-factor/{_pending_user_id()}",
    deduct_when=_failed("code_failed"),
    exempt_when=lambda: _code_device() is not None,
)
@limiter.limit(
    _limit("LOGIN_FAILURES_PER_DEVICE"),
    methods=["POST"],
    key_func=lambda: _device_key(_code_device()),
    deduct_when=_failed("code_failed"),
    exempt_when=lambda: _code_device() is None,
)
def second_factor():
    """The code page: only after the right password, and never a login without a code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    pending = _pending_login()
    if pending is None or (request.method == "POST" and request.form.get("cancel")):
        session.pop(PENDING, None)
        flash(_("Please log in with your email address and password."), "info")
        return redirect(url_for("auth.login"))
    user, data = pending
    form = SecondFactorForm()
    if form.validate_on_submit():
        method = twofactor.check_code(user, form.code.data)
        if method is not None:
            return _finish_login(user, data.get("next"), method)
        g.code_failed = True
        services.note_failed_login(user.email)
        db.session.commit()
        data["fails"] = int(data.get("fails", 0)) + 1
        if data["fails"] >= current_app.config["SECOND_FACTOR_MAX_ATTEMPTS"]:
            session.pop(PENDING, None)
            flash(_("Too many wrong codes. Please log in again."), "danger")
            return redirect(url_for("auth.login"))
        session[PENDING] = data
        form.code.errors.append(_("That code is not right, or it has been used already."))
        return render_template("auth/second_factor.html", form=form), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/second_factor.html", form=form), status


@bp.post("/logout")
def logout():
    user = current_user._get_current_object()
    sessions.end_current(user)
    audit.record("auth.logout", object_type="user", object_id=user.id, actor=user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("auth.login"))


# Re-authentication -----------------------------------------------------------------


@bp.route("/reauth", methods=["GET", "POST"], endpoint="reauth")
@limiter.limit(
    _limit("REAUTH_FAILURES_PER_USER"),
    methods=["POST"],
    key_func=_user_key,
    deduct_when=_failed("reauth_failed"),
)
def reauth_page():
    """Password (and code when enrolled) again; then back where the user was."""
    form = ReauthForm()
    user = current_user._get_current_object()
    next_url = safe_next(request.args.get("next")) or url_for("main.home")
    if form.validate_on_submit():
        ok = verify_password(user.password_hash, form.password.data)
        if ok and user.has_second_factor:
            if not form.code.data:
                form.code.errors.append(_("Enter a code from your authenticator app."))
                return render_template("auth/reauth.html", form=form, next_url=next_url), 400
            ok = twofactor.check_code(user, form.code.data, context="reauth") is not None
        if ok:
            reauth.mark_authenticated()
            audit.record("auth.reauthenticated", object_type="user", object_id=user.id)
            db.session.commit()
            return redirect(next_url)
        g.reauth_failed = True
        audit.record(
            "auth.reauthenticated", outcome=audit.FAILED, object_type="user", object_id=user.id
        )
        db.session.commit()
        flash(_("That is not right. Please try again."), "danger")
        return render_template("auth/reauth.html", form=form, next_url=next_url), 401
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reauth.html", form=form, next_url=next_url), status


# Profile ---------------------------------------------------------------------------


def _profile_page(form=None, password_form=None, disable_form=None, renew_form=None, status=200):
    if form is None:
        form = ProfileForm(obj=current_user, formdata=None)
        form.locale.data = current_user.locale or ""
    user = current_user._get_current_object()
    return render_template(
        "auth/profile.html",
        form=form,
        password_form=password_form or PasswordChangeForm(),
        disable_form=disable_form or DisableSecondFactorForm(formdata=None),
        renew_form=renew_form or RenewCodesForm(formdata=None),
        recovery_codes_left=twofactor.recovery_codes_left(user) if user.has_second_factor else 0,
        user_sessions=sessions.active_sessions(user),
        this_session=sessions.current_key_hash(user),
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
            user = current_user._get_current_object()
            with unit_of_work(None, catch=services.PasswordRejected) as work:
                services.change_own_password(user, form.new_password.data)
                # This session continues under a new key; every other one has ended.
                sessions.start_session(user)
            if work.failed:
                form.new_password.errors.extend(work.error.problems)
            else:
                login_user(user)
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
        user = current_user._get_current_object()
        with unit_of_work(None, catch=services.PasswordRejected) as work:
            services.change_own_password(user, form.new_password.data)
            # This session continues under a new key; every other one has ended.
            sessions.start_session(user)
        if work.failed:
            form.new_password.errors = [*form.new_password.errors, *work.error.problems]
        else:
            login_user(user)
            flash(_("Your password has been saved."), "success")
            return redirect(next_url)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/choose_password.html", form=form), status


@bp.post("/profile/sessions/end-others")
def end_other_sessions():
    user = current_user._get_current_object()
    ended = sessions.end_all(user, keep_current=True)
    audit.record(
        "auth.sessions_ended", object_type="user", object_id=user.id, details={"count": ended}
    )
    db.session.commit()
    flash(_("You have been logged out everywhere else."), "success")
    return redirect(url_for("auth.profile"))


# Second factor on the profile ------------------------------------------------------


def _enrol_page(form: EnrolForm, secret: str, status: int = 200):
    user = current_user._get_current_object()
    form.token.data = twofactor.enrolment_token(user, secret)
    uri = twofactor.provisioning_uri(user, secret)
    qr = twofactor.qr_svg(uri, _("QR code for your authenticator app"))
    return render_template("auth/enrol.html", form=form, secret=secret, qr=qr), status


@bp.route("/profile/second-factor", methods=["GET", "POST"])
def second_factor_setup():
    """Turn the second factor on: scan, then confirm with a code (shown codes once)."""
    user = current_user._get_current_object()
    if user.has_second_factor:
        flash(_("Your second factor is already on."), "info")
        return redirect(url_for("auth.profile"))
    form = EnrolForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        secret = twofactor.secret_from_token(user, form.token.data) if form.token.data else None
        return _enrol_page(form, secret or twofactor.new_secret(), status)
    secret = twofactor.secret_from_token(user, form.token.data)
    if secret is None:
        form.code.errors.append(_("This page had expired. Scan the new code and try again."))
        return _enrol_page(form, twofactor.new_secret(), 400)
    with unit_of_work(None) as work:
        codes = twofactor.enable(user, secret, form.code.data)
    if work.failed:
        form.code.errors.append(str(work.error))
        return _enrol_page(form, secret, 400)
    # Shown in this response only (never stored in a cookie, never shown again).
    return render_template("auth/recovery_codes.html", codes=codes, enrolled=True)


@bp.post("/profile/second-factor/disable")
@limiter.limit(
    _limit("REAUTH_FAILURES_PER_USER"),
    key_func=_user_key,
    deduct_when=_failed("reauth_failed"),
)
def second_factor_disable():
    user = current_user._get_current_object()
    form = DisableSecondFactorForm()
    if not user.has_second_factor:
        return redirect(url_for("auth.profile"))
    if form.validate():
        if user.is_lead and user.centre.leads_need_second_factor:
            flash(_("Your centre requires a second factor for your role."), "danger")
            return _profile_page(disable_form=form, status=400)
        if not verify_password(user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        elif twofactor.check_code(user, form.code.data, context="disable") is None:
            form.code.errors.append(_("That code is not right, or it has been used already."))
        else:
            twofactor.disable(user, user)
            db.session.commit()
            flash(_("Your second factor is off."), "success")
            return redirect(url_for("auth.profile"))
        g.reauth_failed = True
        db.session.commit()  # the audit of a wrong code
    return _profile_page(disable_form=form, status=400)


@bp.post("/profile/recovery-codes")
@limiter.limit(
    _limit("REAUTH_FAILURES_PER_USER"),
    key_func=_user_key,
    deduct_when=_failed("reauth_failed"),
)
def recovery_codes_renew():
    user = current_user._get_current_object()
    form = RenewCodesForm()
    if not user.has_second_factor:
        return redirect(url_for("auth.profile"))
    if form.validate():
        if form.current_password.data:
            ok = verify_password(user.password_hash, form.current_password.data)
        elif form.code.data:
            ok = twofactor.check_code(user, form.code.data, context="recovery_codes") is not None
        else:
            ok = False
        if ok:
            codes = twofactor.renew_recovery_codes(user)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, enrolled=False)
        g.reauth_failed = True
        db.session.commit()
        form.current_password.errors.append(_("Enter your current password or a current code."))
    return _profile_page(renew_form=form, status=400)

"""Request-wide behaviour: login by default, session timeouts, headers, error pages."""

import logging
import time
import uuid

from flask import (
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter, ValidationError

from caseflow.core import audit, uploads
from caseflow.core.forms import MAX_ID
from caseflow.extensions import db, limiter, login_manager

log = logging.getLogger(__name__)

# Deny by default: every endpoint needs a login except these.
# auth.second_factor is the code page between the password and the login: it serves
# only a browser that has just given the right password (the auth package checks).
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.second_factor",
        "main.healthz",
        "main.set_language",
        "static",
        "bootstrap.static",
        # A calendar app cannot log in: the secret address is the credential
        # (caseflow/calendar/routes.py answers 404 to anything but a live address).
        "calendar.feed",
        # The client's own page: clients have no account, the secret link is the
        # credential (caseflow/portal/routes.py: 404 unknown, 410 dead, rate limited).
        "portal.page",
        "portal.claim",
        "portal.question",
        "portal.upload",
        "portal.upload_document",
        # The personal event invitation link: the secret address is the credential
        # (caseflow/events/public_routes.py: 404 unknown, rate limited).
        "event_invite.page",
        "event_invite.register",
        "event_invite.decline",
        "event_invite.unsubscribe",
        # Clients ask for help online without an account (caseflow/webintake): the form
        # and its thank-you page. Abuse checks, rate and size limits guard the form.
        "webintake.request_form",
        "webintake.thanks",
    }
)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


MAX_PAGE = 10_000


def page_number() -> int:
    """The ``page`` query argument, clamped to a sane range (huge offsets overflow)."""
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


class IdConverter(BaseConverter):
    """``<id:name>``: a positive id that fits the database; anything else is a 404."""

    regex = r"[1-9][0-9]{0,9}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def is_production(app: Flask) -> bool:
    return not (app.debug or app.testing)


def _require_login():
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return _enforce_session_limits()


def _enforce_session_limits():
    now = time.time()
    idle = current_app.config["IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    last_seen = session.get("seen_at", now)
    logged_in = session.get("login_at", now)
    if now - last_seen > idle or now - logged_in > absolute:
        logout_user()
        session.clear()
        flash(_("Your session has expired. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.full_path))
    session["seen_at"] = now
    return None


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if is_production(current_app):
        headers.setdefault(
            "Strict-Transport-Security", f"max-age={current_app.config['HSTS_MAX_AGE']}"
        )
    if request.endpoint not in ("static", "bootstrap.static"):
        # Pages show personal data: never keep them in a shared or back-button cache.
        headers["Cache-Control"] = "no-store"
        headers.add("Vary", "Cookie")
    return response


def _error_page(status: int, template: str, **context):
    return render_template(f"errors/{template}.html", **context), status


def _too_many_requests():
    """The 429 page, with Retry-After: the seconds until the breached limit resets."""
    body, status = _error_page(429, "429")
    response = current_app.make_response((body, status))
    breached = limiter.current_limit
    if breached is not None:
        response.headers["Retry-After"] = str(max(int(breached.reset_at - time.time()), 1))
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return _error_page(400, "csrf")

    @app.errorhandler(StaleDataError)
    def stale_data(_error):
        db.session.rollback()
        return _error_page(409, "409")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 429:
            return _too_many_requests()
        if error.code in (403, 404, 409):
            return _error_page(error.code, str(error.code))
        if error.code == 413:
            # Raised before the body is read (Content-Length over MAX_CONTENT_LENGTH).
            # A route that takes files sends the uploader back to its page instead.
            sent_back = uploads.too_large_response()
            if sent_back is not None:
                return sent_back
            limit = current_app.config["MAX_CONTENT_LENGTH"] or 0
            return _error_page(413, "413", max_megabytes=f"{limit / 1024 / 1024:g}")
        if error.code == 405:
            return _error_page(
                405, "generic", code=405, title=_("This action is not allowed here.")
            )
        if error.code == 400:
            return _error_page(
                400, "generic", code=400, title=_("The request could not be understood.")
            )
        return error

    @app.errorhandler(500)
    def server_error(_error):
        # Reached for unhandled exceptions outside testing (tests see them raised).
        reference = uuid.uuid4().hex[:10]
        # Logs carry the reference and the request path only, never form data.
        log.exception("Unhandled error %s on %s %s", reference, request.method, request.path)
        db.session.rollback()
        return _error_page(500, "500", reference=reference)


def init_app(app: Flask) -> None:
    uploads.init_app(app)
    app.before_request(_require_login)
    app.after_request(_security_headers)
    register_error_handlers(app)
    audit.init_app(app)  # after the headers hook, so it runs first (see audit.init_app)

"""The personal calendar feed (no login: calendar apps cannot log in) and its address
on the profile page (create / regenerate, revoke)."""

from datetime import datetime, time

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, select

from caseflow.auth.models import User
from caseflow.calendar import services
from caseflow.core.audit import DENIED, OK, AuditEvent, annotate, audited, record
from caseflow.core.time import utcnow
from caseflow.core.transactions import unit_of_work
from caseflow.extensions import db, limiter

bp = Blueprint("calendar", __name__)


def _setting(name: str):
    return lambda: current_app.config[name]


def _token_key() -> str:
    return "calendar-feed:" + services.token_hash((request.view_args or {}).get("token", ""))


def _address_key() -> str:
    return f"calendar-miss:{request.remote_addr}"


def _already_recorded(user: User, outcome: str) -> bool:
    """A feed read by this user from this address was recorded today (UTC) already."""
    midnight = datetime.combine(utcnow().date(), time.min)
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    AuditEvent.user_id == user.id,
                    AuditEvent.action == "calendar.feed",
                    AuditEvent.outcome == outcome,
                    AuditEvent.occurred_at >= midnight,
                    AuditEvent.source_address == request.remote_addr,
                )
            )
        )
    )


def _audit_read(user: User, outcome: str) -> None:
    """One ``calendar.feed`` row per user, address, outcome and day: a calendar app polls
    all day long, and a row per poll would bury everything else in the trail; a new
    address (a leaked address used elsewhere) still gets its own row."""
    if not _already_recorded(user, outcome):
        record("calendar.feed", outcome=outcome, object_type="user", object_id=user.id, actor=user)


@bp.get("/calendar/<token>.ics")
@limiter.limit(_setting("CALENDAR_FEED_PER_TOKEN"), key_func=_token_key)
@limiter.limit(
    _setting("CALENDAR_FEED_MISSES_PER_ADDRESS"),
    key_func=_address_key,
    deduct_when=lambda response: response.status_code == 404,
)
def feed(token: str):
    """The feed: 404 for an unknown or revoked address and for a deactivated user."""
    user = services.user_for_token(token)
    if user is None:
        deactivated = db.session.scalar(
            select(User)
            .join(services.CalendarFeed, services.CalendarFeed.user_id == User.id)
            .where(services.CalendarFeed.token_hash == services.token_hash(token))
        )
        if deactivated is not None:
            _audit_read(deactivated, DENIED)
        abort(404)
    body = services.build_feed(
        user,
        request.host.split(":")[0],
        lambda case_id: url_for("cases.detail", case_id=case_id, _external=True),
    )
    _audit_read(user, OK)
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="caseflow.ics"'
    return response


@bp.post("/profile/calendar")
@audited("calendar.create", object_type="user")
def create():
    """Make the feed address, or a new one (the old one stops working at once)."""
    annotate(object_id=current_user.id)
    had_one = services.feed_of(current_user) is not None
    with unit_of_work():
        services.create_feed(current_user)
    if had_one:
        flash(_("Your calendar has a new address. The old address no longer works."), "success")
    else:
        flash(_("Your calendar address is ready. Add it to your calendar app."), "success")
    return redirect(url_for("auth.profile", _anchor="calendar-heading"))


@bp.post("/profile/calendar/revoke")
@audited("calendar.revoke", object_type="user")
def revoke():
    annotate(object_id=current_user.id)
    with unit_of_work():
        removed = services.revoke_feed(current_user)
    if removed:
        flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("auth.profile", _anchor="calendar-heading"))


@bp.app_context_processor
def _calendar_feed_context():
    """``calendar_feed_address()`` for the profile page: the current user's address."""

    def calendar_feed_address() -> dict | None:
        if not current_user.is_authenticated:
            return None
        feed = services.feed_of(current_user)
        if feed is None:
            return None
        token = services.feed_token(feed)
        url = url_for("calendar.feed", token=token, _external=True) if token else None
        return {"url": url, "created_at": feed.created_at}

    return {"calendar_feed_address": calendar_feed_address}

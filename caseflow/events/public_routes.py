"""The personal invitation link: ``/e/<token>`` (no login: the secret address is the
credential). The page shows the event and this household's answer, nothing else about
the case. An unknown address answers 404 with a page that tells nothing. Rate limited per
network address like the client page. ``/e/<token>/unsubscribe`` takes the one-click
POST of mail programs (RFC 8058, List-Unsubscribe-Post), so it is exempt from CSRF: all
it can do is stop invitations to the household the link belongs to.
"""

import flask_babel
from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _

from caseflow.core.audit import record
from caseflow.core.i18n import client_page
from caseflow.core.secret_links import keep_private, rate_limited
from caseflow.core.transactions import unit_of_work
from caseflow.events import invitations
from caseflow.events.client_forms import DeclineForm, RegisterForm, UnsubscribeForm
from caseflow.events.consent import consent_of
from caseflow.events.models import Event, EventInvitation, InvitationStatus
from caseflow.extensions import csrf, db

bp = Blueprint("event_invite", __name__, url_prefix="/e")

MISS_STATUSES = (404,)


keep_private(bp)
_limits = rate_limited("event-link", MISS_STATUSES)


def _gone():
    return render_template("public/events/gone.html", centre_name=None), 404


def _open(token: str) -> tuple[EventInvitation | None, Event | None]:
    """The invitation and its event; the page's language is the client's."""
    invitation = invitations.find(token)
    if invitation is None:
        return None, None
    g.client_locale_default = invitation.language
    session.setdefault("client_locale", invitation.language)
    flask_babel.refresh()
    return invitation, db.session.get(Event, invitation.event_id)


def _render(token, invitation, event, status=200, register_form=None):
    from caseflow.centres.models import Centre

    centre = db.session.get(Centre, event.centre_id)
    consent = consent_of(invitation.case_id)
    return render_template(
        "public/events/invitation.html",
        token=token,
        invitation=invitation,
        event=event,
        centre_name=centre.name,
        lang=str(flask_babel.get_locale()),
        is_open=invitations.is_open(event),
        subscribed=consent is not None and consent.is_active,
        register_form=register_form or RegisterForm(formdata=None, people=invitation.people or 1),
        decline_form=DeclineForm(formdata=None),
        unsubscribe_form=UnsubscribeForm(formdata=None),
    ), status


def _record(action: str, invitation: EventInvitation, **details) -> None:
    record(
        action,
        object_type="event_invitation",
        object_id=invitation.id,
        case_id=invitation.case_id,
        details=details or None,
    )


@bp.get("/<token>")
@client_page
@_limits
def page(token: str):
    invitation, event = _open(token)
    if invitation is None:
        return _gone()
    _record("event_invitation.open", invitation)
    return _render(token, invitation, event)


@bp.post("/<token>/register")
@client_page
@_limits
def register(token: str):
    invitation, event = _open(token)
    if invitation is None:
        return _gone()
    form = RegisterForm()
    if not form.validate():
        return _render(token, invitation, event, 400, register_form=form)
    with unit_of_work() as work:
        status = invitations.register(invitation, event, form.people.data)
    if work.failed:
        return _render(token, invitation, event, work.status, register_form=form)
    _record("event_invitation.register", invitation, people=form.people.data, status=status.value)
    if status == InvitationStatus.WAITING:
        flash(_("The event is full: you are on the waiting list. We will let you know."), "info")
    else:
        flash(_("Thank you, you are registered."), "success")
    return redirect(url_for("event_invite.page", token=token))


@bp.post("/<token>/decline")
@client_page
@_limits
def decline(token: str):
    invitation, event = _open(token)
    if invitation is None:
        return _gone()
    if not DeclineForm().validate():
        return _render(token, invitation, event, 400)
    with unit_of_work() as work:
        invitations.decline(invitation, event)
    if work.failed:
        return _render(token, invitation, event, work.status)
    _record("event_invitation.decline", invitation)
    flash(_("Thank you for letting us know. Perhaps next time!"), "success")
    return redirect(url_for("event_invite.page", token=token))


@bp.route("/<token>/unsubscribe", methods=["GET", "POST"])
@csrf.exempt
@client_page
@_limits
def unsubscribe(token: str):
    """GET: the page with its one button; POST (the button, or a mail program's
    one-click request): no more invitations, the consent is withdrawn."""
    from flask import request

    invitation, event = _open(token)
    if invitation is None:
        return _gone()
    if request.method == "GET":
        return render_template(
            "public/events/unsubscribe.html",
            token=token,
            centre_name=None,
            done=False,
            unsubscribe_form=UnsubscribeForm(formdata=None),
        )
    with unit_of_work():
        invitations.unsubscribe(invitation)
    _record("event_invitation.unsubscribe", invitation)
    return render_template(
        "public/events/unsubscribe.html", token=token, centre_name=None, done=True
    )

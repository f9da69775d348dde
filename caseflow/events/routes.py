"""The centre's events: the calendar (everyone), create / edit / publish / cancel (team
leads and admins). Each page shows only the user's own centre's events (404 otherwise)."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.auth.access import requires
from caseflow.auth.permissions import can_manage_events, can_see_events, can_work_the_door
from caseflow.cases.queries import centre_case_types
from caseflow.core.audit import annotate, audited
from caseflow.core.downloads import download, safe_filename
from caseflow.core.i18n import current_locale
from caseflow.core.transactions import unit_of_work
from caseflow.events import door, exports, invitations, labels, services
from caseflow.events.forms import (
    AttendanceForm,
    EditEventForm,
    EventForm,
    EventStatusForm,
    InviteForm,
    UnmarkForm,
    WalkInForm,
)
from caseflow.events.models import EVENT_LANGUAGES, Event, EventStatus

bp = Blueprint("events", __name__)


def _event(event_id: int) -> Event:
    """The event of the user's centre, else 404; a draft is only for who manages events."""
    event = services.centre_event(current_user.centre_id, event_id)
    if event is None:
        abort(404)
    if event.status == EventStatus.DRAFT and not can_manage_events(current_user):
        abort(404)
    return event


def _context(**extra) -> dict:
    return {"labels": labels, "event_languages": EVENT_LANGUAGES, **extra}


@bp.get("/events")
@requires(can_see_events)
def index():
    """The calendar: events that have not ended yet (and of the last 30 days), by date."""
    events = services.upcoming_events(
        current_user.centre_id, include_drafts=can_manage_events(current_user), past_days=30
    )
    return render_template("events/index.html", **_context(months=_by_month(events)))


def _by_month(events: list[Event]) -> list[tuple[str, list[Event]]]:
    """The events grouped by their month in Brussels ("November 2026")."""
    months: dict[tuple[int, int], list[Event]] = {}
    for event in events:
        local = services.utc_to_brussels(event.starts_at)
        months.setdefault((local.year, local.month), []).append(event)
    return [(format_date(date(y, m, 1), "MMMM yyyy"), group) for (y, m), group in months.items()]


@bp.route("/events/new", methods=["GET", "POST"])
@audited("event.create", object_type="event", view_action=None)
@requires(can_manage_events)
def new():
    form = _with_partners(EventForm())
    if not form.is_submitted():
        form.organiser.data = current_user.centre.name
    if form.validate_on_submit():
        with unit_of_work() as work:
            event = services.create_event(current_user.centre_id, current_user, form.to_data())
        if not work.failed:
            annotate(object_id=event.id)
            flash(_("Event saved as a draft."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    status = 400 if form.is_submitted() else 200
    return render_template("events/form.html", **_context(form=form, event=None)), status


@bp.get("/events/<id:event_id>")
@audited("event.view", object_type="event", id_arg="event_id")
@requires(can_see_events)
def detail(event_id: int):
    event = _event(event_id)
    return render_template(
        "events/detail.html",
        **_context(
            event=event,
            status_form=EventStatusForm(version=event.version),
            answers=invitations.answer_counts(event.id),
            partner=services.partner_of(event),
        ),
    )


@bp.route("/events/<id:event_id>/edit", methods=["GET", "POST"])
@audited("event.update", object_type="event", id_arg="event_id", view_action="event.view")
@requires(can_manage_events)
def edit(event_id: int):
    event = _event(event_id)
    if event.status == EventStatus.CANCELLED:
        flash(_("A cancelled event cannot be changed."), "danger")
        return redirect(url_for("events.detail", event_id=event.id))
    form = EditEventForm()
    if not form.is_submitted():
        form.process(data=_form_data(event))
    _with_partners(form, event.partner_id)
    coming = _offer_notices(form, event)
    if form.validate_on_submit():
        with unit_of_work() as work:
            changed = services.update_event(event, form.to_data(), form.version.data)
            told = (
                invitations.send_change_notices(event, current_user, changed)
                if form.wants_notices()
                else 0
            )
        if not work.failed:
            annotate(details={"changed": changed, "told": told})
            flash(_("Event saved."), "success")
            if told:
                flash(
                    ngettext(
                        "%(num)d household gets an email about the change.",
                        "%(num)d households get an email about the change.",
                        told,
                    ),
                    "success",
                )
            return redirect(url_for("events.detail", event_id=event.id))
        return render_template(
            "events/form.html", **_context(form=form, event=event, coming=coming)
        ), work.status
    status = 400 if form.is_submitted() else 200
    return render_template(
        "events/form.html", **_context(form=form, event=event, coming=coming)
    ), status


def _offer_notices(form: EditEventForm, event: Event) -> int:
    """How many households a change would be told to (the box is shown when any), with
    the box's label counting them."""
    coming = invitations.coming_count(event.id) if invitations.is_open(event) else 0
    if coming:
        form.notify.label.text = ngettext(
            "Tell the %(num)d registered or waiting household",
            "Tell the %(num)d registered and waiting households",
            coming,
        )
    return coming


def _with_partners(form: EventForm, current: int | None = None) -> EventForm:
    """The select of the centre's active partners (optional)."""
    form.partner_id.choices = [("", _("None"))] + [
        (str(pid), name) for pid, name in services.partner_choices(current_user.centre_id, current)
    ]
    return form


def _form_data(event: Event) -> dict:
    data = {name: getattr(event, name) for name in services.FIELDS}
    data.update(
        event_type=event.event_type.value,
        starts_at=services.utc_to_brussels(event.starts_at),
        ends_at=services.utc_to_brussels(event.ends_at),
        audience_languages=event.languages,
        partner_id=str(event.partner_id) if event.partner_id else "",
        version=event.version,
    )
    return data


def _change_status(event_id: int, change, message: str):
    event = _event(event_id)
    form = EventStatusForm()
    if not form.validate():
        abort(400)
    with unit_of_work() as work:
        change(event, form.version.data)
    if not work.failed:
        flash(message, "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.post("/events/<id:event_id>/publish")
@audited("event.publish", object_type="event", id_arg="event_id")
@requires(can_manage_events)
def publish(event_id: int):
    return _change_status(event_id, services.publish_event, _("Event published."))


@bp.post("/events/<id:event_id>/cancel")
@audited("event.cancel", object_type="event", id_arg="event_id")
@requires(can_manage_events)
def cancel(event_id: int):
    """Cancel, and email the registered households (and the waiting list)."""
    event = _event(event_id)
    form = EventStatusForm()
    if not form.validate():
        abort(400)
    with unit_of_work() as work:
        services.cancel_event(event, form.version.data)
        told = invitations.send_cancellations(event, current_user)
    if not work.failed:
        flash(
            ngettext(
                "Event cancelled. %(num)d household (registered or on the waiting list) gets"
                " an email.",
                "Event cancelled. %(num)d households (registered or on the waiting list) get"
                " an email.",
                told,
            ),
            "success",
        )
    return redirect(url_for("events.detail", event_id=event.id))


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.case_type.choices = [("", _("Any case type"))] + [
        (str(t.id), t.name) for t in centre_case_types(current_user.centre_id)
    ]
    return form


def _filters(form: InviteForm) -> invitations.RecipientFilters:
    return invitations.RecipientFilters(
        arrived_months=form.arrived_months.data,
        municipality=form.municipality.data or "",
        case_type=form.case_type.data or "",
        has_children=bool(form.has_children.data),
        status=form.status.data or "",
    )


def _preview_counts(result: invitations.Preview) -> dict:
    return {
        "matching": result.matching,
        "invited": result.invited,
        "no_consent": result.no_consent,
        "no_email": result.no_email,
        "already_invited": result.already_invited,
        "other_language": result.other_language,
    }


@bp.route("/events/<id:event_id>/invite", methods=["GET", "POST"])
@audited("event.invite", object_type="event", id_arg="event_id", view_action="event.view")
@requires(can_manage_events)
def invite(event_id: int):
    """Choose the households (filters + consent), see the preview, then send exactly the
    previewed households: Send posts the previewed filters (hidden) and their digest."""
    event = _event(event_id)
    form = _invite_form()
    if not form.is_submitted():
        return render_template("events/invite.html", **_context(event=event, form=form))
    if not form.validate():
        return render_template("events/invite.html", **_context(event=event, form=form)), 400
    if request.form.get("action") != "send":
        result = invitations.preview(current_user, event, _filters(form))
        # A preview sends nothing: its audit event says so (with the counts it showed).
        annotate(details={"preview": True, **_preview_counts(result)})
        return render_template(
            "events/invite.html",
            **_context(
                event=event, form=form, preview=result, digest=invitations.recipients_digest(result)
            ),
        )
    # The digest is checked again inside the send, under the event row's lock: two Sends
    # at once take turns, and the second finds the households invited already (409).
    with unit_of_work() as work:
        result = invitations.send_invitations(
            current_user, event, _filters(form), form.recipients_digest.data
        )
    if work.status == 409:
        annotate(details={"recipients_changed": True})
        current = invitations.preview(current_user, event, _filters(form))
        digest = invitations.recipients_digest(current)
        return render_template(
            "events/invite.html", **_context(event=event, form=form, preview=current, digest=digest)
        ), 409
    if work.failed:
        return render_template("events/invite.html", **_context(event=event, form=form)), 400
    annotate(details={"invited": result.invited})
    flash(
        ngettext(
            "%(num)d invitation is on its way.",
            "%(num)d invitations are on their way (sent at a steady pace).",
            result.invited,
        ),
        "success",
    )
    return redirect(url_for("events.detail", event_id=event.id))


def _door_page(event: Event, status: int = 200, walk_in_form=None, failed_form=None):
    rows, walk_ins = door.door_list(event)
    return render_template(
        "events/door.html",
        **_context(
            event=event,
            rows=rows,
            walk_ins=walk_ins,
            walk_in_form=walk_in_form or WalkInForm(formdata=None),
            unmark_form=UnmarkForm(formdata=None),
            failed_form=failed_form,
            registered_people=sum(r.invitation.people or 0 for r in rows if r.invitation.is_coming),
            present_people=sum(r.invitation.attended_people or 0 for r in rows)
            + sum(w.people for w in walk_ins),
        ),
    ), status


@bp.get("/events/<id:event_id>/door")
@audited("event.door_list", object_type="event", id_arg="event_id")
@requires(can_work_the_door)
def door_list(event_id: int):
    """The list to tick at the door (works on a phone): any staff member of the centre,
    for a published or cancelled event (a draft is a 404 for advisors)."""
    return _door_page(_event(event_id))


def _door_invitation(event: Event, invitation_id: int):
    invitation = door.event_invitation(event, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


@bp.post("/events/<id:event_id>/door/<id:invitation_id>")
@audited("event.attendance", object_type="event", id_arg="event_id")
@requires(can_work_the_door)
def attended(event_id: int, invitation_id: int):
    event = _event(event_id)
    invitation = _door_invitation(event, invitation_id)
    form = AttendanceForm()
    if not form.validate():
        return _door_page(event, 400, failed_form=form)
    with unit_of_work() as work:
        door.mark_attended(invitation, event, current_user, form.people.data)
    if work.failed:
        return _door_page(event, work.status)
    annotate(
        case_id=invitation.case_id,
        details={"invitation": invitation.id, "people": form.people.data},
    )
    return redirect(url_for("events.door_list", event_id=event.id, _anchor=f"row-{invitation.id}"))


@bp.post("/events/<id:event_id>/door/<id:invitation_id>/undo")
@audited("event.attendance", object_type="event", id_arg="event_id")
@requires(can_work_the_door)
def unmark(event_id: int, invitation_id: int):
    event = _event(event_id)
    invitation = _door_invitation(event, invitation_id)
    if not UnmarkForm().validate():
        abort(400)
    was = invitation.attended_people
    with unit_of_work():
        door.unmark_attended(invitation, event, current_user)
    annotate(
        case_id=invitation.case_id,
        details={"undo": True, "invitation": invitation.id, "people": was},
    )
    return redirect(url_for("events.door_list", event_id=event.id, _anchor=f"row-{invitation.id}"))


@bp.post("/events/<id:event_id>/door/walk-in")
@audited("event.walk_in", object_type="event", id_arg="event_id")
@requires(can_work_the_door)
def walk_in(event_id: int):
    event = _event(event_id)
    form = WalkInForm()
    if not form.validate():
        return _door_page(event, 400, walk_in_form=form)
    with unit_of_work() as work:
        door.add_walk_in(event, current_user, form.name.data, form.people.data)
    if work.failed:
        return _door_page(event, work.status, walk_in_form=form)
    flash(_("Walk-in added."), "success")
    return redirect(url_for("events.door_list", event_id=event.id, _anchor="walk-ins"))


@bp.post("/events/<id:event_id>/door/walk-in/<id:walk_in_id>/remove-name")
@audited("event.walk_in_remove_name", object_type="event", id_arg="event_id")
@requires(can_manage_events)
def remove_walk_in_name(event_id: int, walk_in_id: int):
    """A walk-in asked for their name to be removed: the name goes, the count stays."""
    event = _event(event_id)
    walk_in = door.event_walk_in(event, walk_in_id)
    if walk_in is None:
        abort(404)
    if not UnmarkForm().validate():
        abort(400)
    with unit_of_work() as work:
        door.remove_walk_in_name(walk_in)
    if not work.failed:
        annotate(details={"walk_in": walk_in.id})
        flash(_("The walk-in's name is removed."), "success")
    return redirect(url_for("events.door_list", event_id=event.id, _anchor="walk-ins"))


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/events/<id:event_id>/attendance.<fmt>")
@audited("event.attendance_export", object_type="event", id_arg="event_id")
@requires(can_manage_events)
def attendance_export(event_id: int, fmt: str):
    """The attendance list with names, for the organising centre (CSV or Excel)."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    event = _event(event_id)
    door_rows, walk_ins = door.door_list(event)
    data = exports.rows(door_rows, walk_ins)
    title = event.title_in(current_locale())
    body = exports.to_csv(data) if fmt == "csv" else exports.to_xlsx(title, data)
    local = services.utc_to_brussels(event.starts_at)
    name = safe_filename(f"attendance-{local:%Y-%m-%d}-{event.id}", suffix=f".{fmt}")
    return download(body, name, EXPORT_TYPES[fmt])


@bp.app_context_processor
def _events_context():
    return {"can_manage_events": can_manage_events, "can_work_the_door": can_work_the_door}

"""The door list: who registered (and who is on the waiting list), ticked at the door,
and walk-ins added by name. No commits."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from caseflow.auth.models import User
from caseflow.cases.models import ActivityKind, Case
from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.events.invitations import _timeline
from caseflow.events.models import Event, EventInvitation, InvitationStatus, WalkIn
from caseflow.extensions import db

MAX_PEOPLE = 20


@dataclass
class DoorRow:
    invitation: EventInvitation
    household: str  # the household name (its reference once erased)
    reference: str


def door_list(event: Event) -> tuple[list[DoorRow], list[WalkIn]]:
    """The registered, waiting and attended households (by name), and the walk-ins. Two
    queries."""
    rows = db.session.execute(
        select(EventInvitation, Case.household_name, Case.reference)
        .join(Case, Case.id == EventInvitation.case_id)
        .where(
            EventInvitation.event_id == event.id,
            (EventInvitation.status.in_((InvitationStatus.REGISTERED, InvitationStatus.WAITING)))
            | EventInvitation.attended_at.is_not(None),
        )
        .order_by(Case.household_sort, Case.id)
    ).all()
    walk_ins = list(
        db.session.scalars(select(WalkIn).where(WalkIn.event_id == event.id).order_by(WalkIn.id))
    )
    return [DoorRow(i, name, ref) for i, name, ref in rows], walk_ins


def event_invitation(event: Event, invitation_id: int) -> EventInvitation | None:
    return db.session.scalar(
        select(EventInvitation).where(
            EventInvitation.id == invitation_id, EventInvitation.event_id == event.id
        )
    )


def _check_people(people: int) -> None:
    if not 1 <= people <= MAX_PEOPLE:
        raise DomainError(_("Enter a number of people from 1 to %(max)d.", max=MAX_PEOPLE))


def mark_attended(invitation: EventInvitation, event: Event, actor: User, people: int) -> None:
    """Ticked at the door: the household came, with ``people`` people. Flushes."""
    _check_people(people)
    first_time = invitation.attended_at is None
    invitation.attended_at = invitation.attended_at or utcnow()
    invitation.attended_people = people
    if first_time:
        _timeline(invitation.case_id, actor, ActivityKind.EVENT_ATTENDED, event, people=people)
    db.session.flush()


def unmark_attended(invitation: EventInvitation, event: Event, actor: User) -> None:
    """Ticked by mistake. The case's timeline is append-only (like every undo in the
    app, e.g. a checklist step put back), so the "attended" entry stays and an
    "attendance undone" entry follows it; ticking again writes "attended" again.
    Flushes."""
    if invitation.attended_at is None:
        return
    _timeline(
        invitation.case_id,
        actor,
        ActivityKind.EVENT_ATTENDANCE_UNDONE,
        event,
        people=invitation.attended_people,
    )
    invitation.attended_at = None
    invitation.attended_people = None
    db.session.flush()


def add_walk_in(event: Event, actor: User, name: str, people: int) -> WalkIn:
    _check_people(people)
    walk_in = WalkIn(event_id=event.id, name=name.strip(), people=people, added_by_id=actor.id)
    db.session.add(walk_in)
    db.session.flush()
    return walk_in


def event_walk_in(event: Event, walk_in_id: int) -> WalkIn | None:
    return db.session.scalar(
        select(WalkIn).where(WalkIn.id == walk_in_id, WalkIn.event_id == event.id)
    )


def remove_walk_in_name(walk_in: WalkIn) -> None:
    """Remove a walk-in's name (on their request): the number of people stays for the
    counts. Flushes."""
    walk_in.name = ""
    db.session.flush()


# --- retention (caseflow/privacy/retention.py) ---------------------------------------


def _old_walk_ins_clause(centre_id: int, cutoff: datetime):
    old_events = select(Event.id).where(Event.centre_id == centre_id, Event.ends_at < cutoff)
    return (WalkIn.event_id.in_(old_events), WalkIn.name != "")


def old_walk_in_names_due(centre_id: int, cutoff: datetime) -> int:
    return db.session.scalar(
        select(func.count(WalkIn.id)).where(*_old_walk_ins_clause(centre_id, cutoff))
    )


def remove_old_walk_in_names(centre_id: int, cutoff: datetime) -> int:
    """Retention: the names of the walk-ins of the centre's events that ended before
    ``cutoff`` are removed; how many people came stays for the report. Flushes."""
    result = db.session.execute(
        update(WalkIn)
        .where(*_old_walk_ins_clause(centre_id, cutoff))
        .values(name="")
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0

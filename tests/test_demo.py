"""The demo caseload dates its history along each case's life, not at seeding time."""

from datetime import UTC, timedelta

from sqlalchemy import select

from caseflow.cases.models import Activity, Case, CaseStatus
from caseflow.checklists.models import ChecklistEvent, ChecklistItem, ItemState
from caseflow.core.time import BRUSSELS, today, utcnow
from caseflow.demo import seed_demo
from caseflow.extensions import db
from caseflow.followups.models import FollowUp
from caseflow.notes.models import Note


def _brussels_day(moment):
    return moment.replace(tzinfo=UTC).astimezone(BRUSSELS).date()


def test_demo_history_happens_along_each_case_s_life(app):
    assert seed_demo()
    db.session.commit()
    now = utcnow()
    cases = {case.id: case for case in db.session.scalars(select(Case))}

    # Consent is recorded the day the case was opened, not the day the demo was loaded.
    for case in cases.values():
        assert case.consent_on == _brussels_day(case.created_at)
        assert case.created_at.date() >= case.arrival_date - timedelta(days=1)
    assert len({case.consent_on for case in cases.values()}) > 30
    assert sum(case.consent_on == today() for case in cases.values()) < 5

    notes = db.session.scalars(select(Note)).all()
    assert len(notes) > 30
    for note in notes:
        assert cases[note.case_id].created_at < note.created_at < now
    assert len({note.created_at.date() for note in notes}) > 20
    assert sum(note.created_at.date() == now.date() for note in notes) < len(notes) / 4

    for followup in db.session.scalars(select(FollowUp)):
        assert cases[followup.case_id].created_at < followup.created_at < now
        if followup.completed_at:
            assert followup.created_at < followup.completed_at < now

    done = db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.state == ItemState.DONE)
    ).all()
    assert done
    for item in done:
        assert cases[item.case_id].created_at < item.completed_at < now
    assert len({item.completed_at.date() for item in done}) > 20
    events = db.session.scalars(select(ChecklistEvent)).all()
    assert all(event.created_at < now for event in events)
    assert sum(event.created_at.date() == now.date() for event in events) < len(events) / 4
    assert len({event.created_at.date() for event in events}) > 20

    # Each case's timeline reads in the order things happened, and ends before now.
    for case_id in cases:
        moments = db.session.scalars(
            select(Activity.created_at).where(Activity.case_id == case_id).order_by(Activity.id)
        ).all()
        assert moments == sorted(moments)
        assert moments[0] == cases[case_id].created_at and moments[-1] < now
    for case in cases.values():
        if case.status == CaseStatus.CLOSED:
            assert case.created_at < case.closed_at == case.status_changed_at < now


def test_demo_has_first_line_contacts(app):
    from caseflow.contacts.models import Contact

    assert seed_demo()
    db.session.commit()
    logged = db.session.scalars(select(Contact)).all()
    assert len(logged) >= 40
    assert len({c.channel for c in logged}) >= 4
    assert any(c.converted_at for c in logged) and any(c.name for c in logged)
    # Some are about a case that already existed (the case page lists them).
    assert any(c.case_id and not c.converted_at for c in logged)
    assert all(c.contact_date <= today() for c in logged)


def test_demo_has_events_with_answers_and_attendance(app):
    from caseflow.events.models import (
        Event,
        EventInvitation,
        EventStatus,
        InvitationConsent,
        InvitationStatus,
        WalkIn,
    )

    assert seed_demo()
    db.session.commit()
    now = utcnow()
    events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
    past, upcoming, draft = events
    assert past.ends_at < now < upcoming.starts_at < draft.starts_at
    assert (past.status, upcoming.status, draft.status) == (
        EventStatus.PUBLISHED,
        EventStatus.PUBLISHED,
        EventStatus.DRAFT,
    )
    consents = db.session.scalars(select(InvitationConsent)).all()
    assert len(consents) > 10 and all(c.given_at < now for c in consents)
    consenting = {c.case_id for c in consents}
    invitations = db.session.scalars(select(EventInvitation)).all()
    assert {i.case_id for i in invitations} <= consenting
    came = [i for i in invitations if i.attended_at]
    assert came and all(i.event_id == past.id for i in came)
    assert all(i.status == InvitationStatus.REGISTERED for i in came)
    coming = [i for i in invitations if i.event_id == upcoming.id and i.is_coming]
    assert coming and all(i.attended_at is None for i in coming)
    assert all(i.invited_at < now for i in invitations)
    assert all(i.invited_at < i.responded_at < now for i in invitations if i.responded_at)
    assert len(db.session.scalars(select(WalkIn)).all()) == 2

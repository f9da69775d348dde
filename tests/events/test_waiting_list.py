"""The waiting list moves up (issue 15's gaps, 1): when a registered household declines
or comes with fewer people, the first waiting household whose party fits gets the place
and an email in its language (through the outbox) with its personal link; the capacity
is never exceeded."""

from sqlalchemy import select

from caseflow.events.invitations import places_taken
from caseflow.events.models import EventInvitation, InvitationStatus
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from tests.events.test_invitations import LINK, _invite_one


def _statuses():
    db.session.expire_all()
    return dict(db.session.execute(select(EventInvitation.case_id, EventInvitation.status)).all())


def _promotions():
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "event_place_free"))
    )


def test_a_decline_gives_the_place_to_the_waiting_household(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households, capacity=3)
    visitor = client_for(None)
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "2"})
    visitor.post_form(f"{links[cases['B'].id]}/register", {"people": "2"})
    assert _statuses()[cases["B"].id] == InvitationStatus.WAITING
    assert _promotions() == []

    assert visitor.post_form(f"{links[cases['A'].id]}/decline").status_code == 302

    statuses = _statuses()
    assert statuses[cases["A"].id] == InvitationStatus.DECLINED
    assert statuses[cases["B"].id] == InvitationStatus.REGISTERED
    assert places_taken(event.id) == 2 <= event.capacity
    [message] = _promotions()  # the Dutch household, in Dutch, to the person's address
    assert message.case_id == cases["B"].id
    assert message.recipients == ["eva.jansen@example.net"]
    assert message.subject == "Een plaats voor u: Taalcafé"
    assert "wachtlijst" in message.text_body
    # The email's link opens the household's invitation, which shows it registered.
    new_link = LINK.search(message.text_body).group(1)
    page = visitor.get(new_link)
    assert page.status_code == 200
    assert 'data-answer="registered"' in page.get_data(as_text=True)
    # The case's timeline says so.
    lead = households[0]
    timeline = client_for(lead).get(f"/cases/{cases['B'].id}?lang=en").get_data(as_text=True)
    assert timeline.count("Registered for an event") >= 1


def test_a_party_that_does_not_fit_keeps_waiting(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households, capacity=3)
    visitor = client_for(None)
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "3"})
    visitor.post_form(f"{links[cases['B'].id]}/register", {"people": "2"})
    # A comes with 2 instead of 3: one place free, B's party of 2 does not fit.
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "2"})
    assert _statuses()[cases["B"].id] == InvitationStatus.WAITING
    assert _promotions() == []
    assert places_taken(event.id) == 2
    # A comes alone: two places free, B moves up; never more than the capacity.
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "1"})
    assert _statuses()[cases["B"].id] == InvitationStatus.REGISTERED
    assert places_taken(event.id) == 3 == event.capacity
    assert [m.case_id for m in _promotions()] == [cases["B"].id]


def test_a_waiting_household_that_declines_frees_nothing(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households, capacity=2)
    visitor = client_for(None)
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "2"})
    visitor.post_form(f"{links[cases['B'].id]}/register", {"people": "1"})
    visitor.post_form(f"{links[cases['B'].id]}/decline")
    statuses = _statuses()
    assert statuses[cases["A"].id] == InvitationStatus.REGISTERED
    assert statuses[cases["B"].id] == InvitationStatus.DECLINED
    assert _promotions() == []
    assert places_taken(event.id) == 2


def test_asking_for_more_places_than_are_free_keeps_the_registration(
    client_for, centre, households
):
    event, cases, links = _invite_one(client_for, centre, households, capacity=3)
    visitor = client_for(None)
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "2"})
    visitor.post_form(f"{links[cases['B'].id]}/register", {"people": "1"})
    # Full: A asks for 3 instead of 2; one place more is not free.
    response = visitor.post_form(f"{links[cases['A'].id]}/register?lang=en", {"people": "3"})
    assert response.status_code == 400
    assert "your registration for 2 people stands" in response.get_data(as_text=True)
    statuses = _statuses()
    assert statuses[cases["A"].id] == InvitationStatus.REGISTERED
    assert places_taken(event.id) == 3


def test_no_decline_once_the_event_started(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households, capacity=3)
    visitor = client_for(None)
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "2"})
    event = db.session.get(type(event), event.id)
    event.starts_at = event.starts_at.replace(year=2020)
    event.ends_at = event.ends_at.replace(year=2020)
    db.session.commit()
    response = visitor.post_form(f"{links[cases['A'].id]}/decline")
    assert response.status_code == 400
    assert _statuses()[cases["A"].id] == InvitationStatus.REGISTERED

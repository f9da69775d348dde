"""A published event's date, time, place or online link changes (issue 15 follow-ups):
the registered and waiting households are told by email (their language, their personal
link), unless the lead unticks the box; the case timeline records it."""

import re
from datetime import timedelta

from sqlalchemy import select

from caseflow.cases.models import Activity, ActivityKind
from caseflow.core.audit import AuditEvent
from caseflow.core.time import today
from caseflow.events.models import EventInvitation, InvitationStatus
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from tests.conftest import db_digest
from tests.events.test_invitations import LINK, _invite_one

DAY = today() + timedelta(days=20)
NEW_DAY = today() + timedelta(days=27)


def _form(event, **changes) -> dict:
    """The edit form as the page fills it, with ``changes``."""
    return {
        "title_nl": "Taalcafé",
        "title_en": "Language café",
        "title_fr": "Café des langues",
        "description_fr": "Venez pratiquer le néerlandais.",
        "event_type": "language_cafe",
        "starts_at": f"{DAY:%Y-%m-%d}T18:00",
        "ends_at": f"{DAY:%Y-%m-%d}T20:00",
        "place": "Library Hasselt",
        "online_url": "",
        "capacity": "2",
        "audience_languages": ["nl", "en", "fr"],
        "organiser": "Welcome centre",
        "partner_id": "",
        "partner_name": "",
        "version": str(event.version),
        "notify_offered": "1",
        "notify": "y",
        **changes,
    }


def _coming(client_for, centre, households):
    """The Dubois family (French) registered for 2 of the 2 places, the Jansen family
    (Dutch) on the waiting list."""
    event, cases, links = _invite_one(client_for, centre, households, capacity=2)
    visitor = client_for(None)
    assert visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "2"}).status_code
    visitor.post_form(f"{links[cases['B'].id]}/register", {"people": "1"})
    statuses = dict(
        db.session.execute(select(EventInvitation.case_id, EventInvitation.status)).all()
    )
    assert statuses == {cases["A"].id: InvitationStatus.REGISTERED, cases["B"].id: "waiting"}
    return event, cases, links


def _changes() -> dict[str, OutboxMessage]:
    return {
        m.recipients[0]: m
        for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "event_changed")
        )
    }


def test_a_new_date_and_place_are_emailed_to_who_is_coming(
    client_for, make_user, centre, households
):
    event, cases, links = _coming(client_for, centre, households)
    lead = households[0]
    client = client_for(lead)
    page = client.get(f"/events/{event.id}/edit?lang=en").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="notify"[^>]*>', page).group(0)
    assert "checked" in box
    assert "Tell the 2 registered and waiting households" in page
    dutch_lead = client_for(make_user("team_lead", locale="nl"))
    dutch_page = dutch_lead.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert "Breng de 2 ingeschreven en wachtende huishoudens op de hoogte" in dutch_page

    response = client.post_form(
        f"/events/{event.id}/edit",
        _form(
            event,
            starts_at=f"{NEW_DAY:%Y-%m-%d}T19:30",
            ends_at=f"{NEW_DAY:%Y-%m-%d}T21:00",
            place="Cultural centre, Kunstlaan 5",
        ),
    )

    assert response.status_code == 302
    flashed = client.get(f"/events/{event.id}?lang=en").get_data(as_text=True)
    assert "2 households get an email about the change." in flashed
    mails = _changes()
    assert set(mails) == {"dubois@example.net", "eva.jansen@example.net"}
    french, dutch = mails["dubois@example.net"], mails["eva.jansen@example.net"]
    assert french.subject == "Modifié : Café des langues"
    assert dutch.subject == "Gewijzigd: Taalcafé"
    assert "Café des langues a changé." in french.text_body
    assert "Cultural centre, Kunstlaan 5 (modifié)" in french.text_body
    assert f"{NEW_DAY:%d/%m/%Y} 19:30 - {NEW_DAY:%d/%m/%Y} 21:00 (modifié)" in french.text_body
    assert "Votre inscription est maintenue." in french.text_body
    assert "U staat op de wachtlijst" in dutch.text_body
    assert "Cultural centre, Kunstlaan 5" in (french.html_body or "")
    # Each carries the household's personal link (a new one: the earlier stops working).
    new_link = LINK.search(french.text_body).group(1)
    visitor = client_for(None)
    assert visitor.get(new_link).status_code == 200
    assert visitor.get(links[cases["A"].id]).status_code == 404
    # The case timelines record it; the audit trail says what changed and how many.
    for case in (cases["A"], cases["B"]):
        entry = db.session.scalar(
            select(Activity).where(
                Activity.case_id == case.id, Activity.kind == ActivityKind.EVENT_CHANGED
            )
        )
        assert entry.details["fields"] == ["starts_at", "ends_at", "place"]
        assert entry.actor_id == lead.id
    timeline = client.get(f"/cases/{cases['A'].id}?lang=en").get_data(as_text=True)
    assert "Told about a change to an event</strong>: Language café" in timeline
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "event.update", AuditEvent.outcome == "ok")
    )
    assert audit.details["told"] == 2 and audit.details["changed"][-1] == "place"


def test_who_declined_or_was_only_invited_is_not_told(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households)
    visitor = client_for(None)
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "1"})
    visitor.post_form(f"{links[cases['B'].id]}/decline")
    client = client_for(households[0])
    page = client.get(f"/events/{event.id}/edit?lang=en").get_data(as_text=True)
    assert "Tell the 1 registered or waiting household" in page
    client.post_form(
        f"/events/{event.id}/edit",
        _form(event, capacity="", online_url="https://meet.example.org/cafe"),
    )
    assert set(_changes()) == {"dubois@example.net"}
    assert "https://meet.example.org/cafe (modifié)" in _changes()["dubois@example.net"].text_body


def test_a_description_change_tells_nobody(client_for, centre, households):
    event, _cases, _links = _coming(client_for, centre, households)
    client = client_for(households[0])
    response = client.post_form(
        f"/events/{event.id}/edit", _form(event, description_fr="Apportez votre bonne humeur.")
    )
    assert response.status_code == 302
    assert _changes() == {}
    assert (
        db.session.scalar(select(Activity).where(Activity.kind == ActivityKind.EVENT_CHANGED))
        is None
    )


def test_an_unticked_box_tells_nobody(client_for, centre, households):
    event, cases, links = _coming(client_for, centre, households)
    client = client_for(households[0])
    form = _form(event, place="Library Hasselt, first floor")
    del form["notify"]
    response = client.post_form(f"/events/{event.id}/edit", form)
    assert response.status_code == 302
    db.session.expire_all()
    assert event.place == "Library Hasselt, first floor"
    assert _changes() == {}
    assert (
        db.session.scalar(select(Activity).where(Activity.kind == ActivityKind.EVENT_CHANGED))
        is None
    )
    assert client_for(None).get(links[cases["A"].id]).status_code == 200  # the link stands


def test_the_box_is_not_shown_when_nobody_is_coming(client_for, centre, households):
    """No registered or waiting household when the page was loaded: no box. Whoever
    registered since is told all the same."""
    event, cases, links = _invite_one(client_for, centre, households)
    client = client_for(households[0])
    page = client.get(f"/events/{event.id}/edit?lang=en").get_data(as_text=True)
    assert 'name="notify"' not in page and "notify_offered" not in page
    client_for(None).post_form(f"{links[cases['A'].id]}/register", {"people": "1"})
    form = _form(event, starts_at=f"{DAY:%Y-%m-%d}T17:00", capacity="")
    del form["notify"], form["notify_offered"]
    assert client.post_form(f"/events/{event.id}/edit", form).status_code == 302
    assert set(_changes()) == {"dubois@example.net"}


def test_a_cancelled_event_is_neither_edited_nor_told(client_for, centre, households):
    event, _cases, _links = _coming(client_for, centre, households)
    event.status = event.status.CANCELLED
    db.session.commit()
    client = client_for(households[0])
    before = db_digest()
    response = client.post_form(f"/events/{event.id}/edit", _form(event, place="Elsewhere"))
    assert response.status_code == 302  # a cancelled event is not edited
    assert db_digest() == before

"""Inviting households (issue 15, steps 3 and 4): recipients by the case list's filters
plus consent, the preview, invitations in each client's language through the outbox
(List-Unsubscribe too, at a steady pace), the personal link: register, waiting list,
decline, no more invitations."""

import re
from datetime import datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from caseflow.cases.models import ClientLanguage, HouseholdRole
from caseflow.core.time import today
from caseflow.events.consent import consent_of, give_consent
from caseflow.events.models import ConsentChannel, EventInvitation, InvitationStatus
from caseflow.events.services import create_event, publish_event
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from tests.conftest import db_digest, person

LINK = re.compile(r"https?://[^/\s]+(/e/[A-Za-z0-9_-]+)")
FILTERS = {"arrived_months": "6", "municipality": "", "case_type": "", "status": ""}


def make_event(centre, lead, capacity=None):
    start = datetime.combine(today() + timedelta(days=20), datetime.min.time()).replace(hour=18)
    event = create_event(
        centre.id,
        lead,
        {
            "title_nl": "Taalcafé",
            "title_en": "Language café",
            "title_fr": "Café des langues",
            "description_fr": "Venez pratiquer le néerlandais.",
            "event_type": "language_cafe",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "place": "Library Hasselt",
            "capacity": capacity,
            "audience_languages": ["nl", "en", "fr"],
            "organiser": "Welcome centre",
        },
    )
    publish_event(event, None)
    db.session.commit()
    return event


@pytest.fixture
def households(make_user, make_case):
    """A (French, consent, contact email, a child), B (Dutch, consent, only a person's
    email), C (no consent), D (consent, no email), E (consent, arrived long ago)."""
    lead = make_user("team_lead")
    recent = today() - relativedelta(months=2)

    def case(name, consent=True, **fields):
        made = make_case(lead, household_name=name, **fields)
        if consent:
            give_consent(made, lead)
        db.session.commit()
        return made

    cases = {
        "A": case(
            "Dubois family",
            arrival_date=recent,
            contact_email="dubois@example.net",
            client_language=ClientLanguage.FR,
            persons=[person("Amélie"), person("Léa", role=HouseholdRole.CHILD)],
        ),
        "B": case(
            "Jansen family",
            arrival_date=recent,
            client_language=ClientLanguage.NL,
            persons=[person("Eva", email="eva.jansen@example.net")],
        ),
        "C": case(
            "Kowalski family", consent=False, arrival_date=recent, contact_email="k@example.net"
        ),
        "D": case("Nakamura family", arrival_date=recent),
        "E": case(
            "Old family",
            arrival_date=today() - relativedelta(years=3),
            contact_email="old@example.net",
        ),
    }
    return lead, cases


def _preview(client, event, filters=FILTERS):
    response = client.post_form(f"/events/{event.id}/invite", {**filters, "action": "preview"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    return {
        key: int(re.search(rf'data-count="{key}">(\d+)<', body).group(1))
        for key in ("matching", "invited", "no-consent", "no-email", "already")
    }


def test_the_preview_counts_invited_and_excluded_households(client_for, centre, households):
    lead, _cases = households
    event = make_event(centre, lead)
    client = client_for(lead)
    before = db_digest()
    counts = _preview(client, event)
    assert counts == {"matching": 4, "invited": 2, "no-consent": 1, "no-email": 1, "already": 0}
    assert db_digest() == before  # a preview sends and stores nothing
    # "Has children" narrows it to the Dubois family.
    with_children = _preview(client, event, {**FILTERS, "has_children": "y"})
    assert with_children["matching"] == 1 and with_children["invited"] == 1


def test_sending_invites_only_consenting_households_in_their_language(
    client_for, centre, households, smtp
):
    lead, cases = households
    event = make_event(centre, lead)
    response = client_for(lead).post_form(
        f"/events/{event.id}/invite", {**FILTERS, "action": "send"}
    )
    assert response.status_code == 302

    invited = db.session.scalars(select(EventInvitation)).all()
    assert {i.case_id for i in invited} == {cases["A"].id, cases["B"].id}
    mails = {m["To"]: m for m in smtp.inbox.messages}
    assert set(mails) == {"dubois@example.net", "eva.jansen@example.net"}
    french, dutch = mails["dubois@example.net"], mails["eva.jansen@example.net"]
    assert french["Subject"] == "Invitation : Café des langues"
    assert dutch["Subject"] == "Uitnodiging: Taalcafé"
    assert "Venez pratiquer le néerlandais." in french.get_body(("plain",)).get_content()
    assert (
        str(french["List-Unsubscribe"]).strip().startswith("<http")
        and "/unsubscribe>" in french["List-Unsubscribe"]
    )
    assert french["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Only the hash of each personal link is stored.
    text = french.get_body(("plain",)).get_content()
    token = LINK.search(text).group(1).removeprefix("/e/")
    assert len(token) >= 43 and all(token not in (i.token_hash or "") for i in invited)

    # Nobody is invited twice.
    again = _preview(client_for(lead), event)
    assert again["already"] == 2 and again["invited"] == 0


def test_a_draft_event_invites_nobody(client_for, centre, households):
    lead, _cases = households
    event = make_event(centre, lead)
    event.status = event.status.DRAFT
    db.session.commit()
    client = client_for(lead)
    before = db_digest()
    response = client.post_form(f"/events/{event.id}/invite", {**FILTERS, "action": "send"})
    assert response.status_code == 400
    assert "Publish the event before inviting anyone." in response.get_data(as_text=True)
    assert db_digest() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("arrived_months", "0", "between 1 and 120"),
        ("arrived_months", "many", "Not a valid integer"),
        ("municipality", "Hasselt\r\nBcc: x@example.org", "not allowed"),
        ("case_type", "99999", "Not a valid choice"),
    ],
)
def test_bad_filters_are_refused(client_for, centre, households, field, value, message):
    lead, _cases = households
    event = make_event(centre, lead)
    client = client_for(lead)
    before = db_digest()
    response = client.post_form(
        f"/events/{event.id}/invite", {**FILTERS, field: value, "action": "send"}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db_digest() == before


def test_invitations_go_out_at_a_steady_pace(
    app, client_for, centre, households, monkeypatch, queued_tasks
):
    monkeypatch.setitem(app.config, "EVENT_INVITATIONS_PER_MINUTE", 1)
    lead, _cases = households
    event = make_event(centre, lead)
    client_for(lead).post_form(f"/events/{event.id}/invite", {**FILTERS, "action": "send"})
    due = sorted(
        db.session.scalars(
            select(OutboxMessage.next_attempt_at).where(OutboxMessage.kind == "event_invitation")
        )
    )
    assert len(due) == 2
    assert timedelta(seconds=59) < due[1] - due[0] <= timedelta(seconds=61)


def _invite_one(client_for, centre, households, capacity=None):
    lead, cases = households
    event = make_event(centre, lead, capacity=capacity)
    client_for(lead).post_form(f"/events/{event.id}/invite", {**FILTERS, "action": "send"})
    links = {}
    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "event_invitation")
    ):
        links[message.case_id] = LINK.search(message.text_body).group(1)
    return event, cases, links


def test_the_client_registers_through_the_link(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households)
    visitor = client_for(None)
    page = visitor.get(links[cases["A"].id])
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Café des langues" in body and '<html lang="fr">' in body
    assert "Dubois" not in body and "Amélie" not in body  # nothing of the case
    assert page.headers["Cache-Control"] == "no-store"

    response = visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "3"})
    assert response.status_code == 302
    invitation = db.session.scalar(
        select(EventInvitation).where(EventInvitation.case_id == cases["A"].id)
    )
    assert invitation.status == InvitationStatus.REGISTERED and invitation.people == 3
    assert 'data-answer="registered"' in visitor.get(links[cases["A"].id]).get_data(as_text=True)


def test_a_full_event_puts_the_client_on_the_waiting_list(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households, capacity=3)
    first, second = client_for(None), client_for(None)
    first.post_form(f"{links[cases['A'].id]}/register", {"people": "2"})
    second.post_form(f"{links[cases['B'].id]}/register", {"people": "2"})
    statuses = dict(
        db.session.execute(select(EventInvitation.case_id, EventInvitation.status)).all()
    )
    assert statuses[cases["A"].id] == InvitationStatus.REGISTERED
    assert statuses[cases["B"].id] == InvitationStatus.WAITING


def test_declining(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households)
    visitor = client_for(None)
    assert visitor.post_form(f"{links[cases['B'].id]}/decline").status_code == 302
    invitation = db.session.scalar(
        select(EventInvitation).where(EventInvitation.case_id == cases["B"].id)
    )
    assert invitation.status == InvitationStatus.DECLINED


@pytest.mark.parametrize("people", ["0", "11", "-1", "three", "", "99999999999999999999"])
def test_a_bad_number_of_people_is_refused(client_for, centre, households, people):
    event, cases, links = _invite_one(client_for, centre, households)
    visitor = client_for(None)
    before = db_digest()
    response = visitor.post_form(f"{links[cases['A'].id]}/register", {"people": people})
    assert response.status_code == 400
    assert "number" in response.get_data(as_text=True)
    invitation = db.session.scalar(
        select(EventInvitation).where(EventInvitation.case_id == cases["A"].id)
    )
    assert invitation.status == InvitationStatus.INVITED
    assert db_digest() == before


def test_no_more_invitations_withdraws_the_consent_in_one_click(
    client_for, centre, households, app
):
    event, cases, links = _invite_one(client_for, centre, households)
    # A mail program's one-click POST (RFC 8058): no CSRF token, no session.
    raw = app.test_client()
    response = raw.post(
        f"{links[cases['A'].id]}/unsubscribe", data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    consent = consent_of(cases["A"].id)
    assert not consent.is_active and consent.withdrawn_via == ConsentChannel.CLIENT_LINK
    assert consent.withdrawn_by_id is None
    # Twice is harmless; the case page says the client withdrew it.
    assert raw.post(f"{links[cases['A'].id]}/unsubscribe").status_code == 200
    lead = households[0]
    page = client_for(lead).get(f"/cases/{cases['A'].id}").get_data(as_text=True)
    assert "The client withdrew the consent on" in page
    # The next preview leaves the household out.
    assert consent_of(cases["B"].id).is_active


def test_unknown_links_tell_nothing(client_for):
    visitor = client_for(None)
    for path in ("/e/" + "x" * 43, "/e/short", "/e/" + "A" * 43 + "/unsubscribe"):
        response = visitor.get(path + "?lang=en")
        assert response.status_code == 404
        assert "This link does not work" in response.get_data(as_text=True)


def test_registration_closes_when_the_event_is_cancelled(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households)
    event.status = event.status.CANCELLED
    db.session.commit()
    visitor = client_for(None)
    body = visitor.get(links[cases["A"].id]).get_data(as_text=True)
    assert "Cette activité a été annulée." in body
    before = db_digest()
    response = visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "1"})
    assert response.status_code == 400
    assert db_digest() == before


def test_cancelling_emails_the_registered_households_in_their_language(
    client_for, centre, households, smtp
):
    event, cases, links = _invite_one(client_for, centre, households)
    visitor = client_for(None)
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "2"})
    visitor.post_form(f"{links[cases['B'].id]}/decline")
    smtp.inbox.envelopes.clear()
    lead = households[0]
    response = client_for(lead).post_form(f"/events/{event.id}/cancel", {"version": event.version})
    assert response.status_code == 302
    [mail] = smtp.inbox.messages  # the Dutch household declined: no email for them
    assert mail["To"] == "dubois@example.net"
    assert mail["Subject"] == "Annulé : Café des langues"


def test_the_case_timeline_shows_invited_and_registered(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households)
    client_for(None).post_form(f"{links[cases['A'].id]}/register", {"people": "2"})
    lead = households[0]
    page = client_for(lead).get(f"/cases/{cases['A'].id}?lang=en").get_data(as_text=True)
    assert "Invited to an event</strong>: Language café" in page
    assert "Registered for an event</strong>: Language café (2 people)" in page


def test_the_event_page_counts_the_answers(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households)
    client_for(None).post_form(f"{links[cases['A'].id]}/register", {"people": "3"})
    page = client_for(households[0]).get(f"/events/{event.id}").get_data(as_text=True)
    assert 'data-answer-count="registered">1<' in page
    assert 'data-answer-count="invited">1<' in page
    assert "(3 people)" in page

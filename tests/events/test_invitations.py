"""Inviting households (issue 15, steps 3 and 4): recipients by the case list's filters
plus consent, the preview, invitations in each client's language through the outbox
(List-Unsubscribe too, at a steady pace), the personal link: register, waiting list,
decline, no more invitations."""

import hashlib
import re
from datetime import datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from caseflow.cases.models import ClientLanguage, HouseholdRole
from caseflow.core.audit import AuditEvent
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


DIGEST = re.compile(r'name="recipients_digest" value="([0-9a-f]{64})"')


def _digest(*case_ids: int) -> str:
    """The digest the preview carries: of the recipients' case ids, sorted."""
    return hashlib.sha256(",".join(str(i) for i in sorted(case_ids)).encode()).hexdigest()


def _send(client, event, filters=FILTERS):
    """Preview, then press Send as the preview shows it: its hidden fields carry the
    previewed filters and the digest of the households it listed."""
    body = client.post_form(
        f"/events/{event.id}/invite", {**filters, "action": "preview"}
    ).get_data(as_text=True)
    digest = DIGEST.search(body).group(1)
    return client.post_form(
        f"/events/{event.id}/invite", {**filters, "recipients_digest": digest, "action": "send"}
    )


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
    response = _send(client_for(lead), event)
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
    lead, cases = households
    event = make_event(centre, lead)
    event.status = event.status.DRAFT
    db.session.commit()
    client = client_for(lead)
    before = db_digest()
    # A draft's preview shows no Send button; a crafted Send with the right digest:
    digest = _digest(cases["A"].id, cases["B"].id)
    response = client.post_form(
        f"/events/{event.id}/invite", {**FILTERS, "recipients_digest": digest, "action": "send"}
    )
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
    _send(client_for(lead), event)
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
    assert _send(client_for(lead), event).status_code == 302
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
    # The next preview leaves the household out: one more without consent, and it is
    # not among the recipients.
    assert consent_of(cases["B"].id).is_active
    other = make_event(centre, lead)
    counts = _preview(client_for(lead), other)
    assert counts["no-consent"] == 2 and counts["invited"] == 1
    with app.test_request_context():
        from caseflow.events.invitations import RecipientFilters, preview

        result = preview(lead, other, RecipientFilters(arrived_months=6))
    assert [r.case_id for r in result.recipients] == [cases["B"].id]


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


# --- review findings (issue 15) ----------------------------------------------------------


def test_send_goes_only_to_the_previewed_households(client_for, centre, households):
    """Send carries the previewed filters (hidden) and a digest of the households shown:
    a change since the preview is refused, nothing sent, until previewed again."""
    lead, cases = households
    event = make_event(centre, lead)
    client = client_for(lead)
    url = f"/events/{event.id}/invite"
    body = client.post_form(url, {**FILTERS, "action": "preview"}).get_data(as_text=True)
    digest = DIGEST.search(body).group(1)
    assert digest == _digest(cases["A"].id, cases["B"].id)
    send_form = body[body.index('id="preview"') :]
    assert 'type="hidden" name="arrived_months" value="6"' in send_form
    # The filter fields were edited after the preview (only households with children):
    before = db_digest()
    edited = client.post_form(
        url, {**FILTERS, "has_children": "y", "recipients_digest": digest, "action": "send"}
    )
    assert edited.status_code == 409
    assert "The recipients changed since the preview: preview again." in edited.get_data(
        as_text=True
    )
    assert db_digest() == before
    # The Kowalski family gave consent since the preview: the same filters, more households.
    give_consent(cases["C"], lead)
    db.session.commit()
    before = db_digest()
    changed = client.post_form(url, {**FILTERS, "recipients_digest": digest, "action": "send"})
    assert changed.status_code == 409
    assert db_digest() == before
    assert db.session.scalar(select(OutboxMessage)) is None
    # No digest at all (a Send without a preview) is refused too.
    assert client.post_form(url, {**FILTERS, "action": "send"}).status_code == 409
    assert db_digest() == before
    # Previewed again: the three households are invited.
    assert _send(client, event).status_code == 302
    invited = db.session.scalars(select(EventInvitation.case_id)).all()
    assert set(invited) == {cases["A"].id, cases["B"].id, cases["C"].id}


def test_a_bad_digest_is_refused(client_for, centre, households):
    lead, _cases = households
    event = make_event(centre, lead)
    client = client_for(lead)
    before = db_digest()
    response = client.post_form(
        f"/events/{event.id}/invite",
        {**FILTERS, "recipients_digest": "<script>", "action": "send"},
    )
    assert response.status_code == 400
    assert db_digest() == before


def test_a_preview_is_audited_as_a_preview(client_for, centre, households):
    from caseflow.core.audit import AuditEvent

    lead, _cases = households
    event = make_event(centre, lead)
    client = client_for(lead)
    _preview(client, event)
    [previewed] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "event.invite")
    ).all()
    assert previewed.details["preview"] is True
    assert previewed.details["invited"] == 2 and previewed.details["no_consent"] == 1
    _send(client, event)
    sent = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "event.invite")
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).one()
    assert "preview" not in sent.details and sent.details["invited"] == 2


def _queued(case_id):
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case_id, OutboxMessage.kind == "event_invitation"
        )
    ).all()


@pytest.mark.parametrize("how", ["client_link", "staff"])
def test_withdrawing_the_consent_cancels_the_queued_invitations(
    app, client_for, centre, households, monkeypatch, queued_tasks, smtp, how
):
    from caseflow.mail.models import OutboxStatus
    from caseflow.mail.services import deliver_due

    monkeypatch.setitem(app.config, "EVENT_INVITATIONS_PER_MINUTE", 1)
    event, cases, links = _invite_one(client_for, centre, households)
    lead = households[0]
    assert [m.status for m in _queued(cases["A"].id)] == [OutboxStatus.QUEUED]
    if how == "client_link":
        raw = app.test_client()
        response = raw.post(f"{links[cases['A'].id]}/unsubscribe")
    else:
        response = client_for(lead).post_form(
            f"/cases/{cases['A'].id}/event-invitations/consent/withdraw"
        )
    assert response.status_code in (200, 302)
    [cancelled] = _queued(cases["A"].id)
    assert cancelled.status == OutboxStatus.CANCELLED
    assert cancelled.text_body == "" and cancelled.html_body is None
    assert cancelled.headers is None  # the personal link is gone too
    assert [m.status for m in _queued(cases["B"].id)] == [OutboxStatus.QUEUED]
    # The worker's sweep, later: only the household that still consents gets one.
    deliver_due(event.starts_at - timedelta(days=1))
    assert [m["To"] for m in smtp.inbox.messages] == ["eva.jansen@example.net"]
    assert _queued(cases["A"].id)[0].status == OutboxStatus.CANCELLED
    page = client_for(lead).get(f"/cases/{cases['A'].id}").get_data(as_text=True)
    assert "Cancelled" in page


def test_a_child_s_address_is_never_used(client_for, centre, make_user, make_case):
    lead = make_user("team_lead")
    case = make_case(
        lead,
        household_name="Silva family",
        arrival_date=today() - relativedelta(months=1),
        persons=[
            person("Tiago", role=HouseholdRole.CHILD, email="tiago@example.net"),
            person("Marta", email="marta@example.net"),
        ],
    )
    child_only = make_case(
        lead,
        household_name="Costa family",
        arrival_date=today() - relativedelta(months=1),
        persons=[person("Rui", role=HouseholdRole.CHILD, email="rui@example.net")],
    )
    give_consent(case, lead)
    give_consent(child_only, lead)
    db.session.commit()
    event = make_event(centre, lead)
    client = client_for(lead)
    counts = _preview(client, event)
    assert counts["invited"] == 1 and counts["no-email"] == 1
    assert _send(client, event).status_code == 302
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.recipients == ["marta@example.net"]


def test_the_cancellation_flash_counts_the_waiting_list_as_such(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households, capacity=2)
    visitor = client_for(None)
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "2"})
    visitor.post_form(f"{links[cases['B'].id]}/register", {"people": "1"})  # waiting list
    lead = households[0]
    client = client_for(lead)
    client.post_form(f"/events/{event.id}/cancel", {"version": event.version})
    page = client.get(f"/events/{event.id}?lang=en").get_data(as_text=True)
    assert "2 households (registered or on the waiting list) get an email." in page
    assert "registered households get" not in page


def test_the_preview_shows_who_speaks_none_of_the_event_s_languages(
    client_for, centre, households, smtp
):
    """A Dutch-only event: the French household is counted (not excluded); the lead
    decides. Its invitation goes out in French all the same."""
    lead, _cases = households
    event = make_event(centre, lead)
    event.audience_languages = "nl"
    db.session.commit()
    client = client_for(lead)
    response = client.post_form(
        f"/events/{event.id}/invite?lang=en", {**FILTERS, "action": "preview"}
    )
    body = response.get_data(as_text=True)
    assert "Of these, households whose language is none of the event's (Dutch)" in body
    assert 'data-count="other-language">1<' in body and 'data-count="invited">2<' in body
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "event.invite"))
    assert audit.details["other_language"] == 1
    event.audience_languages = "nl,fr"
    db.session.commit()
    assert 'data-count="other-language">0<' in client.post_form(
        f"/events/{event.id}/invite", {**FILTERS, "action": "preview"}
    ).get_data(as_text=True)
    assert _send(client, event).status_code == 302
    assert {m["Subject"] for m in smtp.inbox.messages} == {
        "Invitation : Café des langues",
        "Uitnodiging: Taalcafé",
    }

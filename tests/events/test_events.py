"""Events of the centre (issue 15, step 1): create, edit, publish, cancel; who sees what;
Brussels time in, UTC stored; bad input refused with nothing stored."""

from datetime import datetime

import pytest
from sqlalchemy import select

from caseflow.core.time import today
from caseflow.events.models import Event, EventStatus, EventType
from caseflow.events.services import create_event, publish_event
from caseflow.extensions import db
from tests.conftest import db_digest
from tests.forms_helpers import LONG, MISSING, XSS, apply, assert_refused

Y = today().year + 1  # next year: within the form's range, 5 March in CET, 1 July in CEST

GOOD = {
    "title_nl": "Taalcafé in Hasselt",
    "title_en": "Language café in Hasselt",
    "description_en": "Practise Dutch over coffee.",
    "event_type": "language_cafe",
    "starts_at": f"{Y}-03-05T19:00",
    "ends_at": f"{Y}-03-05T21:00",
    "place": "Library, Main square 1",
    "online_url": "",
    "capacity": "30",
    "audience_languages": ["nl", "en"],
    "organiser": "Welcome centre",
    "partner_name": "Library Hasselt",
}


def make_event(centre, lead, published=True, **fields) -> Event:
    data = {
        "title_en": "Tax info session",
        "event_type": "info_session",
        "starts_at": datetime(Y, 6, 1, 10, 0),
        "ends_at": datetime(Y, 6, 1, 12, 0),
        "place": "Town hall",
        "audience_languages": ["en"],
        "organiser": "The centre",
        **fields,
    }
    event = create_event(centre.id, lead, data)
    if published:
        publish_event(event, None)
    db.session.commit()
    return event


def test_a_team_lead_creates_an_event_in_brussels_time(client_for, make_user):
    lead = make_user("team_lead")
    client = client_for(lead)
    assert client.get("/events/new").status_code == 200

    response = client.post_form("/events/new", GOOD)

    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert event.centre_id == lead.centre_id
    assert event.status == EventStatus.DRAFT
    assert event.event_type == EventType.LANGUAGE_CAFE
    # 19:00 in Brussels in March (CET, UTC+1) is 18:00 UTC.
    assert event.starts_at == datetime(Y, 3, 5, 18, 0)
    assert event.ends_at == datetime(Y, 3, 5, 20, 0)
    assert event.audience_languages == "nl,en"
    assert event.capacity == 30
    assert event.title_fr is None and event.partner_name == "Library Hasselt"
    page = client.get(response.location).get_data(as_text=True)
    assert "Language café in Hasselt" in page
    assert f"05/03/{Y} 19:00" in page  # shown again in Brussels time


def test_summer_time_is_two_hours_ahead_of_utc(client_for, make_user):
    client = client_for(make_user("admin"))
    data = apply(GOOD, {"starts_at": f"{Y}-07-01T19:00", "ends_at": f"{Y}-07-01T22:30"})
    assert client.post_form("/events/new", data).status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert (event.starts_at, event.ends_at) == (
        datetime(Y, 7, 1, 17, 0),
        datetime(Y, 7, 1, 20, 30),
    )


def test_an_advisor_sees_published_events_not_drafts_and_cannot_create(
    client_for, make_user, centre
):
    lead, advisor = make_user("team_lead"), make_user("advisor")
    make_event(centre, lead, title_en="Published family day")
    draft = make_event(centre, lead, published=False, title_en="Secret draft picnic")
    client = client_for(advisor)

    calendar = client.get("/events").get_data(as_text=True)

    assert "Published family day" in calendar
    assert "Secret draft picnic" not in calendar
    assert "New event" not in calendar
    assert client.get(f"/events/{draft.id}").status_code == 404
    before = db_digest()
    assert client.post_form("/events/new", GOOD).status_code == 403
    assert db_digest() == before
    # The team lead sees the draft in the calendar, marked as a draft.
    lead_calendar = client_for(lead).get("/events").get_data(as_text=True)
    assert "Secret draft picnic" in lead_calendar and "Draft" in lead_calendar


def test_another_centres_events_stay_hidden(client_for, make_user, centre, other_centre):
    lead = make_user("team_lead")
    event = make_event(centre, lead, title_en="Our networking evening")
    stranger = client_for(make_user("admin", centre_=other_centre))

    assert "Our networking evening" not in stranger.get("/events").get_data(as_text=True)
    assert stranger.get(f"/events/{event.id}").status_code == 404
    before = db_digest()
    assert stranger.post_form(f"/events/{event.id}/edit", GOOD).status_code == 404
    assert stranger.post_form(f"/events/{event.id}/cancel", {"version": 2}).status_code == 404
    assert db_digest() == before


def test_edit_publish_and_cancel(client_for, make_user, centre):
    lead = make_user("team_lead")
    event = make_event(centre, lead, published=False)
    client = client_for(lead)
    form_page = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'value="{Y}-06-01T10:00"' in form_page  # 08:00 UTC shown as 10:00 Brussels

    response = client.post_form(
        f"/events/{event.id}/edit", apply(GOOD, {"version": event.version, "capacity": ""})
    )
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.title_en == "Language café in Hasselt" and event.capacity is None

    client.post_form(f"/events/{event.id}/publish", {"version": event.version})
    db.session.refresh(event)
    assert event.status == EventStatus.PUBLISHED
    client.post_form(f"/events/{event.id}/cancel", {"version": event.version})
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED
    assert "Cancelled" in client.get(f"/events/{event.id}").get_data(as_text=True)
    # A cancelled event is no longer edited.
    before = db_digest()
    refused = client.post_form(f"/events/{event.id}/edit", apply(GOOD, {"version": event.version}))
    assert refused.status_code == 302 and db_digest() == before


def test_a_stale_edit_is_a_conflict(client_for, make_user, centre):
    lead = make_user("team_lead")
    event = make_event(centre, lead)
    client = client_for(lead)
    before = db_digest()
    response = client.post_form(
        f"/events/{event.id}/edit", apply(GOOD, {"version": event.version - 1})
    )
    assert_refused(response, before, "Someone else changed this", statuses=(409,))


def test_the_calendar_speaks_dutch(client_for, make_user, centre):
    lead = make_user("team_lead", locale="nl")
    make_event(centre, lead, title_nl="Infosessie belastingen", title_en="Tax session")
    page = client_for(lead).get("/events").get_data(as_text=True)
    assert "Infosessie belastingen" in page and "Tax session" not in page
    assert f"juni {Y}" in page and "Nieuwe activiteit" in page


REQUIRED = "This field is required."
WHEN = "Enter a date and time"

EVENT_ERRORS = [
    pytest.param(
        {"title_nl": "", "title_en": "", "title_fr": MISSING},
        "at least one language",
        id="no-title",
    ),
    pytest.param({"title_en": LONG}, "longer than 200", id="title-10k"),
    pytest.param({"title_nl": "Taal\x00café"}, "not allowed", id="title-nul"),
    pytest.param({"title_en": "Language\ncafé"}, "not allowed", id="title-line-break"),
    pytest.param({"description_en": LONG}, "longer than 4000", id="description-10k"),
    pytest.param({"event_type": "party"}, "Not a valid choice", id="type-unknown"),
    pytest.param({"event_type": MISSING}, "Not a valid choice", id="type-absent"),
    pytest.param({"starts_at": ""}, WHEN, id="start-empty"),
    pytest.param({"starts_at": f"05/03/{Y} 19:00"}, WHEN, id="start-dd-mm"),
    pytest.param({"starts_at": f"{Y}-02-30T19:00"}, WHEN, id="start-feb-30"),
    pytest.param({"ends_at": MISSING}, WHEN, id="end-absent"),
    pytest.param({"ends_at": f"{Y}-03-05T18:00"}, "end must be after the start", id="end-before"),
    pytest.param({"ends_at": f"{Y}-03-05T19:00"}, "end must be after the start", id="end-equal"),
    pytest.param({"ends_at": f"{Y}-04-05T19:00"}, "at most fourteen days", id="end-month-later"),
    pytest.param({"starts_at": "9999-01-01T10:00"}, "three years ahead", id="start-9999"),
    pytest.param({"starts_at": "2001-01-01T10:00"}, "a year ago", id="start-2001"),
    pytest.param({"place": "", "online_url": ""}, "place or an online link", id="nowhere"),
    pytest.param({"online_url": "javascript:alert(1)"}, "https://", id="url-javascript"),
    pytest.param({"online_url": "http://meet.example.org/x"}, "https://", id="url-http"),
    pytest.param({"online_url": "https://x/" + LONG}, "longer than 500", id="url-10k"),
    pytest.param({"capacity": "0"}, "between 1 and 10000", id="capacity-0"),
    pytest.param({"capacity": "-5"}, "between 1 and 10000", id="capacity-negative"),
    pytest.param({"capacity": "many"}, "Not a valid integer", id="capacity-text"),
    pytest.param({"capacity": "99999999999999999999"}, "between 1", id="capacity-huge"),
    pytest.param({"audience_languages": MISSING}, "at least one language", id="no-language"),
    pytest.param({"audience_languages": ["de"]}, "not a valid choice", id="language-unknown"),
    pytest.param({"organiser": ""}, REQUIRED, id="organiser-empty"),
    pytest.param({"organiser": " \t "}, REQUIRED, id="organiser-blank"),
    pytest.param(
        {"partner_name": "Partner\r\nBcc: x@example.org"}, "not allowed", id="partner-crlf"
    ),
]


@pytest.mark.parametrize(("overrides", "message"), EVENT_ERRORS)
def test_bad_input_is_refused_and_nothing_is_stored(client_for, make_user, overrides, message):
    client = client_for(make_user("team_lead"))
    before = db_digest()
    response = client.post_form("/events/new", apply(GOOD, overrides))
    assert_refused(response, before, message)
    assert db_digest() == before


def test_bad_input_on_edit_changes_nothing(client_for, make_user, centre):
    lead = make_user("team_lead")
    event = make_event(centre, lead)
    client = client_for(lead)
    before = db_digest()
    response = client.post_form(
        f"/events/{event.id}/edit", apply(GOOD, {"version": event.version, "ends_at": ""})
    )
    assert_refused(response, before, WHEN)


def test_text_is_shown_escaped(client_for, make_user):
    client = client_for(make_user("team_lead"))
    response = client.post_form("/events/new", apply(GOOD, {"title_en": XSS, "place": XSS}))
    page = client.get(response.location).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.parametrize("event_id", ["abc", "-1", "99999", "1.5"])
def test_odd_event_ids_are_not_found(client_for, make_user, event_id):
    assert client_for(make_user("team_lead")).get(f"/events/{event_id}").status_code == 404


def test_an_event_that_has_started_can_no_longer_be_cancelled(
    client_for, make_user, centre, make_case
):
    """Cancelling a past event would email its households about an event that is over."""
    from caseflow.events.models import EventInvitation, InvitationStatus
    from caseflow.mail.models import OutboxMessage

    lead = make_user("team_lead")
    event = make_event(centre, lead)
    case = make_case(lead, contact_email="family@example.net")
    db.session.add(
        EventInvitation(
            event_id=event.id, case_id=case.id, language="en", status=InvitationStatus.REGISTERED
        )
    )
    event.starts_at = datetime(today().year - 1, 6, 1, 8, 0)
    event.ends_at = datetime(today().year - 1, 6, 1, 10, 0)
    db.session.commit()
    client = client_for(lead)
    before = db_digest()
    response = client.post_form(f"/events/{event.id}/cancel", {"version": event.version})
    assert response.status_code == 302
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "This event has started already: it can no longer be cancelled." in page
    assert db_digest() == before
    db.session.refresh(event)
    assert event.status == EventStatus.PUBLISHED
    assert db.session.scalar(select(OutboxMessage)) is None

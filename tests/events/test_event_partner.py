"""The event's partner (issue 15's gaps, 3): optionally one of the centre's active
partners from the directory, besides the free-text name for a partner not in it."""

from sqlalchemy import select

from caseflow.events.models import Event
from caseflow.extensions import db
from caseflow.partners.services import create_partner
from tests.conftest import db_digest
from tests.events.test_events import GOOD, make_event
from tests.forms_helpers import apply, assert_refused


def _partner(centre, name, active=True):
    partner = create_partner(
        centre.id,
        {
            "name": name,
            "type": "health_fund",
            "email": "intake@example.org",
            "email_language": "nl",
            "languages": ["nl"],
        },
    )
    partner.is_active = active
    db.session.commit()
    return partner


def test_the_form_offers_the_centres_active_partners(client_for, make_user, centre, other_centre):
    library = _partner(centre, "Library Hasselt")
    closed = _partner(centre, "Closed Sports Club", active=False)
    elsewhere = _partner(other_centre, "Antwerp Choir")
    lead = make_user("team_lead")
    client = client_for(lead)
    page = client.get("/events/new").get_data(as_text=True)
    assert f'<option value="{library.id}">Library Hasselt</option>' in page
    assert "Closed Sports Club" not in page and "Antwerp Choir" not in page

    response = client.post_form(
        "/events/new", apply(GOOD, {"partner_id": str(library.id), "partner_name": ""})
    )

    assert response.status_code == 302
    event = db.session.scalars(select(Event)).one()
    assert (event.partner_id, event.partner_name) == (library.id, None)
    detail = client.get(response.location).get_data(as_text=True)
    assert "Library Hasselt" in detail
    # Neither another centre's partner nor an inactive one can be posted.
    for partner in (elsewhere, closed):
        before = db_digest()
        refused = client.post_form("/events/new", apply(GOOD, {"partner_id": str(partner.id)}))
        assert_refused(refused, before, "Not a valid choice")


def test_a_free_name_and_a_directory_partner_together(client_for, make_user, centre):
    library = _partner(centre, "Library Hasselt")
    lead = make_user("team_lead")
    event = make_event(centre, lead)
    client = client_for(lead)
    response = client.post_form(
        f"/events/{event.id}/edit",
        apply(
            GOOD,
            {
                "version": event.version,
                "partner_id": str(library.id),
                "partner_name": "Neighbourhood Choir",
            },
        ),
    )
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.partner_id, event.partner_name) == (library.id, "Neighbourhood Choir")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Library Hasselt, Neighbourhood Choir" in page
    # The partner is closed later: the event keeps it, and its form still shows it.
    library.is_active = False
    db.session.commit()
    form = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{library.id}">Library Hasselt</option>' in form or (
        f'value="{library.id}" selected' in form
    )
    # No partner at all is fine too.
    response = client.post_form(
        f"/events/{event.id}/edit",
        apply(GOOD, {"version": event.version, "partner_id": "", "partner_name": ""}),
    )
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.partner_id, event.partner_name) == (None, None)

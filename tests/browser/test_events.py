"""Issue 15 end to end: a team lead creates an event, previews and sends invitations to
a filtered group (only consenting households get one, each in their language, at the
SMTP test server), a client registers through the link on a 390 px phone, another stops
the invitations, the door list marks attendance, and the funder report counts it."""

import re
import time
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.cases.models import ClientLanguage
from caseflow.core.time import today
from caseflow.events.consent import consent_of, give_consent
from caseflow.events.models import EventInvitation, InvitationStatus
from caseflow.extensions import db
from tests.browser.axe_check import AXE_MISSING, violations_here
from tests.browser.conftest import CHROMIUM, release_db
from tests.browser.test_main_flows import flash, log_in
from tests.conftest import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    AXE_MISSING,
]

LINK = re.compile(r"https?://[^/\s]+(/e/[A-Za-z0-9_-]+)")


@pytest.fixture
def browser_context_args(browser_context_args) -> dict:
    return {**browser_context_args, "bypass_csp": True}  # axe is injected as a script


def _wait_for(inbox, count: int) -> list:
    deadline = time.monotonic() + 10
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return inbox.messages


def test_an_event_from_invitation_to_the_funder_report(
    page: Page, browser, base_url, centre, make_staff, make_case, smtp
):
    lead_staff = make_staff("team_lead", name="Lotte Lead")
    lead = db.session.get(User, lead_staff.id)
    recent = today() - relativedelta(months=2)

    def household(name, email, language, consent=True, municipality="Hasselt"):
        case = make_case(
            lead,
            household_name=name,
            arrival_date=recent,
            municipality=municipality,
            contact_email=email,
            client_language=language,
            persons=[person(name.split()[0])],
        )
        if consent:
            give_consent(case, lead)
        db.session.commit()
        return case.id

    dubois = household("Dubois family", "dubois@example.net", ClientLanguage.FR)
    jansen = household("Jansen family", "jansen@example.net", ClientLanguage.NL)
    household("Kowalski family", "kowalski@example.net", ClientLanguage.EN, consent=False)
    household("Genk family", "genk@example.net", ClientLanguage.EN, municipality="Genk")
    release_db()
    day = today() + timedelta(days=10)
    problems: list[str] = []

    # The team lead creates the event and publishes it.
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, lead_staff)
    page.goto("/events")
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Title in Dutch").fill("Taalcafé")
    page.get_by_label("Title in English").fill("Language café")
    page.get_by_label("Title in French").fill("Café des langues")
    page.get_by_label("Description in French").fill("Venez pratiquer le néerlandais.")
    page.get_by_label("Type").select_option(label="Language café")
    page.get_by_label("Starts (Brussels time)").fill(f"{day.isoformat()}T19:00")
    page.get_by_label("Ends (Brussels time)").fill(f"{day.isoformat()}T21:00")
    page.get_by_label("Place (address)").fill("Library, Hasselt")
    page.get_by_label("Capacity (people)").fill("20")
    page.get_by_label("Dutch", exact=True).check()
    page.get_by_label("French", exact=True).check()
    page.get_by_role("button", name="Save event").click()
    expect(flash(page)).to_contain_text("Event saved as a draft.")
    page.get_by_role("button", name="Publish").click()
    expect(flash(page)).to_contain_text("Event published.")

    # Invitations: those who arrived in the last 6 months in Hasselt, with consent.
    page.get_by_role("link", name="Invite households").click()
    page.get_by_label("Arrived in the last (months)").fill("6")
    page.get_by_label("Municipality").fill("Hasselt")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.locator('[data-count="matching"]')).to_have_text("3")
    expect(preview.locator('[data-count="invited"]')).to_have_text("2")
    expect(preview.locator('[data-count="no-consent"]')).to_have_text("1")
    problems += violations_here(page, "invitation preview")
    page.get_by_role("button", name="Send 2 invitations").click()
    expect(flash(page)).to_contain_text("2 invitations are on their way")

    mails = {m["To"]: m for m in _wait_for(smtp.inbox, 2)}
    assert set(mails) == {"dubois@example.net", "jansen@example.net"}  # not Kowalski, Genk
    assert mails["dubois@example.net"]["Subject"] == "Invitation : Café des langues"
    assert mails["jansen@example.net"]["Subject"] == "Uitnodiging: Taalcafé"
    link = {
        to: LINK.search(m.get_body(("plain",)).get_content()).group(1) for to, m in mails.items()
    }
    assert mails["jansen@example.net"]["List-Unsubscribe"]

    # The French family registers on a phone.
    phone = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, locale="fr-BE", bypass_csp=True
    )
    client = phone.new_page()
    client.goto(link["dubois@example.net"])
    expect(client.get_by_role("heading", level=1)).to_have_text("Café des langues")
    expect(client.get_by_text("Dubois")).to_have_count(0)  # nothing of the case
    problems += violations_here(client, "invitation page (390 px)")
    client.get_by_label("Combien de personnes viendront ?").fill("2")
    client.get_by_role("button", name="S’inscrire").click()
    expect(client.get_by_text("Merci, vous êtes inscrit.")).to_be_visible()
    expect(client.get_by_text("Vous êtes inscrit, pour 2 personnes.")).to_be_visible()

    # The Dutch family wants no more invitations.
    other = phone.new_page()
    other.goto(link["jansen@example.net"] + "/unsubscribe?lang=nl")
    other.get_by_role("button", name="Stop de uitnodigingen").click()
    expect(other.locator("[data-unsubscribed]")).to_be_visible()
    phone.close()
    db.session.expire_all()
    assert consent_of(jansen).withdrawn_at is not None
    invitation = db.session.scalar(select(EventInvitation).where(EventInvitation.case_id == dubois))
    assert (invitation.status, invitation.people) == (InvitationStatus.REGISTERED, 2)
    release_db()

    # At the door, on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Door list").click()
    page.get_by_role("button", name=re.compile(r"^Present\W+Dubois family$")).click()
    expect(page.locator(f'[data-present="{invitation.id}"]')).to_be_visible()
    problems += violations_here(page, "door list (390 px)")

    # The funder report counts the event, the invitations and the attendance.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/reports/funder?period=month&on={day.isoformat()}")
    events = page.locator("#t-events").locator("xpath=..")
    expect(events.get_by_role("row", name=re.compile("^Events held"))).to_contain_text("1")
    expect(events.get_by_role("row", name=re.compile("^Invitations sent"))).to_contain_text("2")
    expect(events.get_by_role("row", name=re.compile(r"^Attendance \(people\)"))).to_contain_text(
        "2"
    )
    assert problems == [], "\n".join(problems)

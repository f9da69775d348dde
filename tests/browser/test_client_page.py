"""The client's page, end to end in a browser: the advisor sends the link, the client
opens it on a 390 px phone (in French, axe clean), says a step is done and asks a
question; the advisor confirms the step; the advisor revokes the link, which then
answers 410 with the friendly page."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from caseflow.cases.models import ClientLanguage
from caseflow.checklists.models import ChecklistItem, ItemState
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from caseflow.portal.models import ClientMessage
from tests.browser.axe_check import AXE_MISSING, violations_here
from tests.browser.conftest import CHROMIUM, release_db
from tests.conftest import PASSWORD, person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    AXE_MISSING,
]

LINK = re.compile(r"https?://[^/\s]+(/p/[A-Za-z0-9_-]+)")


@pytest.fixture
def browser_context_args(browser_context_args) -> dict:
    # axe is injected as a script, which the app's CSP rightly forbids: only here.
    return {**browser_context_args, "bypass_csp": True}


def _no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_advisor_sends_the_link_client_reports_and_asks_advisor_confirms_then_revokes(
    page: Page, browser: Browser, base_url, centre, make_user, make_case
):
    seed_catalogue(centre)
    advisor = make_user("advisor", name="Arne Advisor")
    case = make_case(
        advisor,
        household_name="Karimi household",
        arrival_date=today() - timedelta(days=60),
        client_language=ClientLanguage.FR,
        contact_email="karimi@example.net",
        persons=[person("Shirin", "Karimi", date_of_birth=date(1988, 1, 1))],
    )
    db.session.commit()
    case_id, email = case.id, advisor.email
    release_db()

    # The advisor sends the client their page.
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    page.goto(f"/cases/{case_id}")
    panel = page.get_by_role("region", name="Client page")
    panel.get_by_role("link", name="Send the client their page").click()
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("The link to the client's page is on its way.")).to_be_visible()
    problems = violations_here(page, "case page with a live link")

    body = db.session.scalars(
        select(OutboxMessage.text_body).where(OutboxMessage.kind == "portal_link")
    ).one()
    path = LINK.search(body).group(1)
    release_db()

    # The client, on a phone, without any login.
    phone = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    client = phone.new_page()
    client.goto(path)
    expect(client.get_by_role("heading", level=1)).to_have_text(
        "Vos démarches pour vous installer en Belgique"
    )
    expect(client.get_by_text("Arne Advisor")).to_be_visible()
    problems += violations_here(client, "client page (fr, 390 px)")
    assert _no_sideways_scroll(client), "the client page scrolls sideways at 390 px"

    step = client.locator(".cf-portal-step").first
    step_title = step.locator("p.fw-bold").inner_text()
    step.get_by_role("button", name=re.compile("^C'est fait")).click()
    expect(client.get_by_text("Merci. Votre personne de contact va vérifier")).to_be_visible()
    expect(client.get_by_text("Vous nous avez signalé que c'est fait.")).to_be_visible()

    client.get_by_label("Votre question").fill("Faut-il apporter le bail original ?")
    client.get_by_role("button", name="Envoyer ma question").click()
    expect(client.get_by_text("Votre question a été envoyée")).to_be_visible()
    problems += violations_here(client, "client page after posts (fr, 390 px)")

    # The advisor sees both on My work and confirms the step on the case page.
    page.goto("/")
    updates = page.get_by_role("region", name="Client updates")
    expect(updates).to_contain_text("The client says this step is done")
    expect(updates).to_contain_text("The client asked a question")
    page.goto(f"/cases/{case_id}")
    panel = page.get_by_role("region", name="Client page")
    expect(panel).to_contain_text("Faut-il apporter le bail original ?")
    panel.get_by_role("button", name=re.compile("^Confirm and tick")).click()
    expect(page.get_by_text("Confirmed: the step is ticked done.")).to_be_visible()
    release_db()
    done = db.session.scalars(
        select(ChecklistItem).where(
            ChecklistItem.case_id == case_id, ChecklistItem.state == ItemState.DONE
        )
    ).all()
    assert len(done) == 1
    assert db.session.scalars(select(ClientMessage.body)).all() == [
        "Faut-il apporter le bail original ?"
    ]
    release_db()
    client.reload()
    expect(client.locator(".cf-portal-done")).to_contain_text(step_title)

    # Revoked: the link answers 410, with the friendly page.
    page.get_by_role("region", name="Client page").get_by_role(
        "button", name="Revoke the link"
    ).click()
    expect(page.get_by_text("The link to the client's page no longer works.")).to_be_visible()
    response = client.goto(path)
    assert response.status == 410
    expect(client.get_by_role("heading", level=1)).to_have_text("Ce lien ne fonctionne pas")
    problems += violations_here(client, "dead link page (fr, 390 px)")
    phone.close()
    assert problems == [], "\n".join(problems)

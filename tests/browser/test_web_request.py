"""Issue 13 end to end: a family asks for help online, in French, on a phone; the team
lead finds the request in the intake queue and assigns it; the advisor sends the link to
the family's own page; the client opens it on a 390 px phone, says a step is done and
uploads a PDF for it; the advisor sees both and confirms; the advisor revokes the link,
which then answers 410."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseflow.attachments.models import Attachment
from caseflow.cases.models import Case, CaseStatus, Person
from caseflow.checklists.models import ChecklistItem, ItemState
from caseflow.checklists.seeding import seed_catalogue
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from tests.attachments.files import pdf_bytes
from tests.browser.axe_check import AXE_MISSING, violations, violations_here
from tests.browser.conftest import CHROMIUM, release_db
from tests.browser.test_main_flows import flash, log_in, log_out

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    AXE_MISSING,
]


@pytest.fixture
def browser_context_args(browser_context_args) -> dict:
    # A French-speaking family's phone; axe is injected as a script (the CSP forbids it).
    return {**browser_context_args, "locale": "fr-BE", "bypass_csp": True}


LINK = re.compile(r"https?://[^/\s]+(/p/[A-Za-z0-9_-]+)")


def test_a_family_asks_for_help_then_uses_their_page_and_the_advisor_confirms(
    page: Page, browser, base_url, app, monkeypatch, centre, make_staff, smtp
):
    # A browser fills the form in faster than a person: the time check is tested alone
    # (tests/webintake), here only its signed timestamp travels with the form.
    monkeypatch.setitem(app.config, "WEB_REQUEST_MIN_SECONDS", 0)
    seed_catalogue(centre)
    lead = make_staff("team_lead", name="Lotte Lead")
    advisor = make_staff("advisor", name="Ada Advisor")
    release_db()
    page.set_viewport_size({"width": 390, "height": 844})

    problems = violations(page, "/request/lim")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Demander de l’aide à Expat Centre Limburg"
    )
    you = page.get_by_role("group", name="Vous", exact=True)
    you.get_by_label("Prénom").fill("Amélie")
    you.get_by_label(re.compile("^Nom")).fill("Dubois")
    you.get_by_label("Nationalité").select_option("FR")

    # "Add a person" (JavaScript): a row that starts like the household.
    page.get_by_role("button", name="Ajouter une personne").click()
    second = page.locator("#person-2")
    expect(page.locator("#persons-1-first_name")).to_be_focused()
    expect(second.get_by_label(re.compile("^Nom"))).to_have_value("Dubois")
    expect(second.get_by_label("Nationalité")).to_have_value("FR")
    second.get_by_label("Prénom").fill("Léa")
    second.get_by_label("Date de naissance").fill("2019-06-11")
    expect(second.get_by_label("Qui est-ce ?")).to_have_value("child")

    page.get_by_label(re.compile("^E-mail")).fill("amelie.dubois@example.org")
    page.get_by_label("Date d’arrivée en Belgique").fill("2026-09-01")
    page.get_by_label("Commune", exact=True).fill("Hasselt")
    page.get_by_label("École", exact=True).check()
    page.get_by_label("Inscription à la commune").check()
    page.get_by_label("Votre question (facultatif)").fill("Où inscrire notre fille ?")
    problems += violations_here(page, "/request/lim (filled in)")
    page.get_by_label("J’ai lu la déclaration de confidentialité").check()
    page.get_by_role("button", name="Envoyer ma demande").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merci, nous avons reçu votre demande"
    )
    problems += violations_here(page, "thank-you page")
    assert problems == [], "\n".join(problems)

    case = db.session.scalars(select(Case)).one()
    case_id, reference = case.id, case.reference
    assert case.client_language.value == "fr" and case.help_topics == ["registration", "school"]
    names = db.session.scalars(
        select(Person.first_name).where(Person.case_id == case_id).order_by(Person.position)
    ).all()
    assert names == ["Amélie", "Léa"]  # the empty spare row was left out
    release_db()
    [mail] = smtp.inbox.messages
    assert mail["Subject"] == "Nous avons reçu votre demande d’aide – Expat Centre Limburg"

    page.set_viewport_size({"width": 1366, "height": 900})  # the lead, at the office
    log_in(page, lead)
    page.goto("/team/intake")
    row = page.get_by_role("row", name=re.compile(reference))
    expect(row).to_contain_text("Dubois family")
    expect(row).to_contain_text("Online request")
    expect(row).to_contain_text("School")
    expect(row).to_contain_text("Où inscrire notre fille ?")
    row.get_by_label(f"Assign {reference} to").select_option(label="Ada Advisor (0 open)")
    row.get_by_role("button", name="Assign").click()
    expect(flash(page)).to_contain_text(f"{reference} assigned.")

    case = db.session.get(Case, case_id)
    assert case.status == CaseStatus.OPEN and case.advisor_id is not None
    assert case.advisor_id == advisor.id
    release_db()
    log_out(page)

    # The advisor sends the family the link to their page (through the outbox).
    log_in(page, advisor)
    page.goto(f"/cases/{case_id}")
    page.get_by_role("region", name="Client page").get_by_role(
        "link", name="Send the client their page"
    ).click()
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("The link to the client's page is on its way.")).to_be_visible()
    body = db.session.scalars(
        select(OutboxMessage.text_body).where(OutboxMessage.kind == "portal_link")
    ).one()
    path = LINK.search(body).group(1)
    release_db()

    # The client opens it on a phone, says a step is done and sends a PDF for another.
    phone = browser.new_context(
        base_url=base_url,
        viewport={"width": 390, "height": 844},
        locale="fr-BE",
        bypass_csp=True,
    )
    client = phone.new_page()
    client.goto(path)
    expect(client.get_by_role("heading", level=1)).to_have_text(
        "Vos démarches pour vous installer en Belgique"
    )
    expect(client.get_by_text("Ada Advisor")).to_be_visible()
    steps = client.locator(".cf-portal-step")
    claimed_title = steps.nth(0).locator("p.fw-bold").inner_text()
    steps.nth(0).get_by_role("button", name=re.compile("^C'est fait")).click()
    expect(client.get_by_text("Merci. Votre personne de contact va vérifier")).to_be_visible()

    upload_step = client.locator(".cf-portal-step").nth(1)
    upload_step.get_by_label("Envoyer un document pour cette étape").set_input_files(
        {"name": "attestation-mutualite.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    upload_step.get_by_role("button", name=re.compile("^Envoyer le document")).click()
    expect(
        client.get_by_text("Merci. Votre personne de contact peut maintenant voir")
    ).to_be_visible()
    expect(client.locator("[data-client-files]")).to_contain_text("attestation-mutualite.pdf")
    problems = violations_here(client, "client page after a claim and an upload (fr, 390 px)")
    assert client.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    release_db()
    [attachment] = db.session.scalars(select(Attachment)).all()
    assert attachment.uploaded_by_client and attachment.case_id == case_id
    release_db()

    # The advisor sees the update and the document, and confirms the step.
    page.goto("/")
    expect(page.get_by_role("region", name="Client updates")).to_contain_text(
        "The client says this step is done"
    )
    page.goto(f"/cases/{case_id}")
    expect(page.locator("body")).to_contain_text("attestation-mutualite.pdf")
    page.get_by_role("region", name="Client page").get_by_role(
        "button", name=re.compile("^Confirm and tick")
    ).click()
    expect(page.get_by_text("Confirmed: the step is ticked done.")).to_be_visible()
    release_db()
    done = db.session.scalars(
        select(ChecklistItem).where(
            ChecklistItem.case_id == case_id, ChecklistItem.state == ItemState.DONE
        )
    ).all()
    assert len(done) == 1
    release_db()
    client.reload()
    expect(client.locator(".cf-portal-done")).to_contain_text(claimed_title)

    # Revoked: the link answers 410 with the friendly page.
    page.get_by_role("region", name="Client page").get_by_role(
        "button", name="Revoke the link"
    ).click()
    expect(page.get_by_text("The link to the client's page no longer works.")).to_be_visible()
    assert client.goto(path).status == 410
    expect(client.get_by_role("heading", level=1)).to_have_text("Ce lien ne fonctionne pas")
    phone.close()
    assert problems == [], "\n".join(problems)

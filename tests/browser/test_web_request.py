"""A family asks for help online, in French, on a phone; the team lead finds the request
in the intake queue and assigns it. (The portal's flow continues from here later.)"""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseflow.cases.models import Case, CaseStatus, Person
from caseflow.extensions import db
from tests.browser.axe_check import AXE_MISSING, violations, violations_here
from tests.browser.conftest import CHROMIUM, release_db
from tests.browser.test_main_flows import flash, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    AXE_MISSING,
]


@pytest.fixture
def browser_context_args(browser_context_args) -> dict:
    # A French-speaking family's phone; axe is injected as a script (the CSP forbids it).
    return {**browser_context_args, "locale": "fr-BE", "bypass_csp": True}


def test_a_family_asks_for_help_in_french_and_the_lead_assigns_it(
    page: Page, app, monkeypatch, centre, make_staff, smtp
):
    # A browser fills the form in faster than a person: the time check is tested alone
    # (tests/webintake), here only its signed timestamp travels with the form.
    monkeypatch.setitem(app.config, "WEB_REQUEST_MIN_SECONDS", 0)
    lead = make_staff("team_lead", name="Lotte Lead")
    make_staff("advisor", name="Ada Advisor")
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

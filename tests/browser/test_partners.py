"""Issue 14's referral, end to end: the team lead adds a health fund to the partner
network; the advisor refers a family's two adults to it with their consent, sharing
their names and email only; the introduction email arrives at the SMTP server in the
partner's language (Dutch) with only those details; the advisor records that the
partner contacted the family. The new pages pass axe at 390 px."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseflow.cases.models import Person
from caseflow.extensions import db
from caseflow.partners.models import Referral, ReferralState
from tests.browser.axe_check import AXE_MISSING, violations, violations_here
from tests.browser.conftest import CHROMIUM, release_db
from tests.browser.test_main_flows import flash, log_in, log_out
from tests.conftest import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    AXE_MISSING,
]


@pytest.fixture
def browser_context_args(browser_context_args) -> dict:
    return {**browser_context_args, "bypass_csp": True}  # axe is injected as a script


def test_refer_a_family_to_a_health_fund_with_consent(
    page: Page, make_user, make_case, make_staff, smtp
):
    lead = make_staff("team_lead", name="Lotte Lead")
    advisor_user = make_user("advisor", name="Ada Advisor")
    case = make_case(
        advisor_user,
        household_name="Mendes family",
        contact_email="mendes.family@example.net",
        contact_phone="+32 470 55 66 77",
        municipality="Genk",
        client_language="en",
        persons=[
            person(
                first="Joana", last="Mendes", email="joana@example.net", phone="+32 471 10 10 10"
            ),
            person(first="Rui", last="Mendes", role="partner", phone="+32 471 20 20 20"),
            person(first="Tiago", last="Mendes", role="child"),
        ],
    )
    case_id, reference = case.id, case.reference
    release_db()

    # The team lead adds the health fund (its emails in Dutch), on a phone.
    log_in_on_a_phone(page, lead)
    problems = violations(page, "/partners")
    expect(page.get_by_text("The centre has no partners yet.")).to_be_visible()
    page.get_by_role("link", name="Add a partner").click()
    page.get_by_label(re.compile("^Name of the organisation")).fill("Zorgkas Limburg Noord")
    page.get_by_label(re.compile("^Type")).select_option("health_fund")
    page.get_by_label("Contact person or desk (optional)").fill("Onthaalbalie")
    page.get_by_label("Email (optional)").fill("onthaal@zorgkas-noord.example.org")
    page.get_by_label("Website (optional)").fill("https://zorgkas-noord.example.org")
    page.get_by_label("English").check()
    page.get_by_label("Dutch").check()
    page.get_by_label("Municipalities covered (optional)").fill("Hasselt, Genk")
    page.get_by_label(re.compile("^Language of emails")).select_option("nl")
    problems += violations_here(page, "/partners/new (filled in)")
    page.get_by_role("button", name="Save").click()
    expect(flash(page)).to_contain_text("Partner added: Zorgkas Limburg Noord.")
    search = page.get_by_role("search", name="Search partners")
    search.get_by_label("Municipality").fill("genk")
    search.get_by_role("button", name="Search").click()
    expect(page.locator("#partner-list")).to_contain_text("Zorgkas Limburg Noord")
    page.set_viewport_size({"width": 1366, "height": 900})
    log_out(page)

    # The advisor refers the two adults, with their consent: names and email only.
    log_in_on_a_phone(page, make_staff_for(advisor_user))
    page.goto(f"/cases/{case_id}")
    page.get_by_role("region", name="Referrals to partners").get_by_role(
        "link", name="Refer to a partner"
    ).click()
    problems += violations_here(page, f"/cases/{case_id}/referrals/new")
    page.locator("#partner_id").select_option(label="Zorgkas Limburg Noord (Health fund)")
    page.get_by_label("Tiago Mendes").uncheck()
    page.get_by_label(re.compile("^Reason for the referral")).fill(
        "The parents need a health fund before the first GP visit."
    )
    page.get_by_label(re.compile("^Did the client agree")).select_option("yes")
    page.get_by_label("Names").check()
    page.get_by_label("Email address").check()
    page.get_by_role("button", name="Refer").click()
    expect(flash(page)).to_contain_text("the introduction email to the partner is on its way")

    # The email arrived at the SMTP server: to the partner, in Dutch, only the chosen
    # details (the names and email of the two adults; no phone, no town, no child).
    release_db()
    [mail] = smtp.inbox.messages
    assert mail["To"] == "onthaal@zorgkas-noord.example.org"
    assert "Voorstelling van een cliënt van" in mail["Subject"]
    body = mail.get_payload(decode=True).decode("utf-8")
    assert "Joana Mendes" in body and "Rui Mendes" in body and "joana@example.net" in body
    assert "mendes.family@example.net" in body  # Rui has no email: the case's address
    for absent in ("Tiago", "+32 47", "Genk", "GP visit", reference):
        assert absent not in body, absent
    assert "Beste collega's van Zorgkas Limburg Noord" in body

    # The case shows the referral; the advisor records that the partner called them.
    panel = page.get_by_role("region", name="Referrals to partners")
    expect(panel).to_contain_text("Zorgkas Limburg Noord")
    expect(panel).to_contain_text("introduced with consent")
    problems += violations_here(page, f"/cases/{case_id} (with a referral)")
    panel.get_by_label("State").select_option("contacted")
    panel.get_by_role("button", name=re.compile("^Update")).click()
    expect(flash(page)).to_contain_text("Referral updated.")
    expect(page.get_by_role("region", name="Referrals to partners")).to_contain_text("Contacted")

    referral = db.session.scalars(select(Referral)).one()
    assert referral.state == ReferralState.CONTACTED and referral.consent
    assert referral.shared_details == ["name", "email"]
    adults = db.session.scalars(
        select(Person.id).where(Person.case_id == case_id, Person.first_name != "Tiago")
    ).all()
    assert sorted(referral.person_ids) == sorted(adults)
    release_db()
    assert problems == [], "\n".join(problems)


def log_in_on_a_phone(page: Page, staff) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})  # the menu shows the name
    log_in(page, staff)
    page.set_viewport_size({"width": 390, "height": 844})


def make_staff_for(user):
    from tests.browser.conftest import Staff

    return Staff(id=user.id, email=user.email, name=user.full_name)

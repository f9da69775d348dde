"""The profile page with a calendar feed and the checklist email page in a browser:
axe (WCAG 2.1 A and AA), English and Dutch, 1366 and 390 px wide."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from caseflow.cases.models import ClientLanguage
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today
from caseflow.extensions import db
from tests.browser.axe_check import AXE_MISSING, violations_here
from tests.browser.conftest import CHROMIUM, release_db
from tests.conftest import PASSWORD, person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    AXE_MISSING,
]

TEXT = {
    "en": {
        "make": "Make my calendar address",
        "address": "Your secret calendar address",
        "preview": "Preview",
        "send": "Send",
        "open_pdf": "Open the attached PDF",
    },
    "nl": {
        "make": "Mijn agenda-adres maken",
        "address": "Je geheime agenda-adres",
        "preview": "Voorbeeld",
        "send": "Verzenden",
        "open_pdf": "De bijgevoegde pdf openen",
    },
}


@pytest.fixture
def browser_context_args(browser_context_args) -> dict:
    # axe is injected as a script, which the app's CSP rightly forbids: only here the
    # browser is told to ignore it.
    return {**browser_context_args, "bypass_csp": True}


def _no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("locale", ["en", "nl"])
def test_profile_feed_and_email_page_are_accessible(
    page: Page, centre, make_user, make_case, locale, width
):
    text = TEXT[locale]
    seed_catalogue(centre)
    advisor = make_user("advisor", name="Arne Advisor", locale=locale)
    case = make_case(
        advisor,
        household_name="Karimi household (Genk)",
        arrival_date=today() - timedelta(days=120),
        client_language=ClientLanguage.FR,
        contact_email="karimi@example.net",
        persons=[person("Shirin", "Karimi", date_of_birth=date(1988, 1, 1))],
    )
    db.session.commit()
    case_id, email = case.id, advisor.email
    release_db()
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")

    page.goto("/profile")
    page.get_by_role("button", name=text["make"]).click()
    address = page.get_by_label(text["address"])
    expect(address).to_be_visible()
    assert "/calendar/" in address.input_value() and address.input_value().endswith(".ics")
    problems = violations_here(page, f"/profile ({locale}, {width})")
    assert _no_sideways_scroll(page), "the profile page scrolls sideways"

    page.goto(f"/cases/{case_id}/email-checklist")
    preview = page.get_by_role("region", name=text["preview"])
    expect(preview).to_contain_text("Bonjour Shirin,")
    expect(preview).to_contain_text("dès que possible")
    send = page.get_by_role("button", name=text["send"], exact=True)
    assert preview.bounding_box()["y"] < send.bounding_box()["y"]  # read, then send
    problems += violations_here(page, f"/email-checklist ({locale}, {width})")
    assert _no_sideways_scroll(page), "the email page scrolls sideways"

    if width == 1366:
        # The attachment opens before sending, and the page stays.
        with page.expect_download() as info:
            preview.get_by_role("button", name=text["open_pdf"]).click()
        assert info.value.suggested_filename.endswith("-checklist.pdf")
        expect(send).to_be_visible()
    assert problems == []

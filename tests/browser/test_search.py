"""Finding a case from anywhere: the top bar's search box, "/", one match opens the case,
reachable at 390 px; the case list's labels fit at 1366 px; axe on the pages changed."""

import re

import pytest
from playwright.sync_api import Page, expect

from caseflow.extensions import db
from caseflow.reviews.services import request_review
from tests.browser.axe_check import AXE_MISSING, violations, violations_here
from tests.browser.conftest import CHROMIUM, release_db
from tests.conftest import PASSWORD, person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

TEXT = {
    "en": {"search": "Search cases", "my_work": "My work", "cases": "Cases", "n": "2 cases"},
    "nl": {
        "search": "Dossiers zoeken",
        "my_work": "Mijn werk",
        "cases": "Dossiers",
        "n": "2 dossiers",
    },
}


@pytest.fixture
def browser_context_args(browser_context_args) -> dict:
    # axe is injected as a script, which the CSP forbids: only this module's pages
    # are told to ignore it (see tests/browser/axe_check.py).
    return {**browser_context_args, "bypass_csp": True}


def _log_in(page: Page, email: str, heading: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # The heading shows once the HTML is parsed; the deferred scripts ("/") run after.
    page.wait_for_load_state("load")


@pytest.fixture
def caseload(make_user, make_case):
    def make(locale: str):
        advisor = make_user("advisor", name="Sam Searcher", locale=locale)
        karimi = make_case(
            advisor,
            household_name="Karimi family",
            employer="Umicore Olen",
            persons=[person("Reza", "Karimi"), person("Kian", "Karimi")],
        )
        for first in ("Priya", "Rohan"):
            make_case(advisor, household_name=f"Patel {first}", persons=[person(first, "Patel")])
        db.session.commit()
        found = (advisor.email, karimi.id, karimi.reference)
        release_db()
        return found

    return make


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_slash_focuses_the_search_and_one_match_opens_the_case(page: Page, caseload, locale):
    text = TEXT[locale]
    email, karimi_id, _reference = caseload(locale)
    _log_in(page, email, text["my_work"])

    box = page.get_by_role("search", name=text["search"]).get_by_label(text["search"])
    expect(box).not_to_be_focused()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    page.keyboard.type("umicore")  # the "/" itself was not typed into the box
    expect(box).to_have_value("umicore")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cases/{karimi_id}$"))
    expect(page.get_by_role("heading", level=1, name="Karimi family")).to_be_visible()

    # Several matches: the case list with them; "/" typed in a field stays in the field.
    page.keyboard.press("/")
    box.fill("patel")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(text["cases"])
    expect(page.locator("#case-count")).to_have_text(text["n"])
    list_search = page.locator("#q")
    expect(list_search).to_have_value("patel")
    list_search.focus()
    page.keyboard.press("End")
    page.keyboard.type("/x")
    expect(list_search).to_have_value("patel/x")
    expect(list_search).to_be_focused()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_search_box_is_reachable_on_a_phone(page: Page, caseload, locale):
    text = TEXT[locale]
    email, karimi_id, reference = caseload(locale)
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, email, text["my_work"])
    box = page.get_by_role("search", name=text["search"]).get_by_label(text["search"])
    expect(box).to_be_visible()  # not hidden in the collapsed menu
    area = box.bounding_box()
    assert area["x"] >= 0 and area["x"] + area["width"] <= 390 and area["width"] >= 100
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box.fill(reference)
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cases/{karimi_id}$"))


@pytest.mark.parametrize("locale", ["en", "nl"])
@pytest.mark.parametrize("query", ["", "?municipality=Genk&hold=0"])
def test_no_case_list_label_is_cut_off_at_1366_px(page: Page, caseload, locale, query):
    text = TEXT[locale]
    email, *_ = caseload(locale)
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, email, text["my_work"])
    page.goto("/cases" + query)
    if not query:
        page.locator("details.cf-more-filters > summary").click()  # open it to measure
    labels = page.locator("form.cf-filters label")
    assert labels.count() == 11
    cut = page.evaluate(
        """() => [...document.querySelectorAll('form.cf-filters label')]
            .filter(l => l.scrollWidth > l.clientWidth || l.offsetWidth === 0)
            .map(l => l.textContent.trim())"""
    )
    assert cut == []
    widths = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(
            'form.cf-filters .form-control, form.cf-filters .form-select')]
            .map(f => [f.id, f.getBoundingClientRect().width]))"""
    )
    assert widths["q"] == max(widths.values())


@AXE_MISSING
@pytest.mark.parametrize("locale", ["en", "nl"])
@pytest.mark.parametrize("width", [1366, 390])
def test_case_list_and_team_pages_have_no_wcag_violations(
    page: Page, make_user, make_case, locale, width
):
    lead = make_user("team_lead", name="Lotte Lead", locale=locale)
    advisor = make_user("advisor", name="Ana Advisor")
    make_case(advisor, household_name="Assigned family", municipality="Genk")
    queued = make_case(None, actor=lead, household_name="Waiting family")
    request_review(queued, advisor, "Please check.")
    db.session.commit()
    email = lead.email
    release_db()
    page.set_viewport_size({"width": width, "height": 900})
    _log_in(page, email, "Team")
    found = []
    for path in (
        "/cases",
        "/cases?municipality=Genk&q=family&status=all",
        "/team",
        "/team/intake",
        "/team/reviews",
        "/?view=mine",
    ):
        found += violations(page, path)
    # The refused assignment: the queue again, with the error next to the choice.
    page.goto("/team/intake")
    page.locator("select[name=advisor_id]").evaluate("s => s.removeAttribute('required')")
    page.locator("form[action*='/assign'] button[type=submit]").click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    found += violations_here(page, "refused assignment")
    assert found == []


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_top_bar_fits_the_longest_menu_at_1366_px(page: Page, make_user, locale):
    admin = make_user("admin", name="Alex Admin", locale=locale)
    email = admin.email
    release_db()
    page.set_viewport_size({"width": 1366, "height": 900})
    _log_in(page, email, TEXT[locale]["my_work"])
    page.goto("/cases")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    box = page.get_by_role("search", name=TEXT[locale]["search"]).get_by_label(
        TEXT[locale]["search"]
    )
    area = box.bounding_box()
    assert area["x"] + area["width"] <= 1366 and area["width"] >= 120

"""The case page in a real browser, in English and Dutch: the first screen of a phone,
the tabs and their URL fragments, ticking a step with Undo, printing, the step page."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseflow.cases.models import HouseholdRole
from caseflow.checklists.models import ChecklistEvent, ChecklistItem, ItemState
from caseflow.checklists.seeding import seed_catalogue
from caseflow.checklists.services import set_state
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.notes.services import add_note
from tests.attachments.files import pdf_bytes
from tests.browser.conftest import CHROMIUM, Staff, release_db
from tests.browser.test_main_flows import log_in
from tests.conftest import PASSWORD, person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

TRANSLATIONS = Path(__file__).resolve().parents[2] / "caseflow" / "translations"
NL = Translations.load(str(TRANSLATIONS), ["nl"])
NOTE = "Asked for the rental contract."
FOLLOWUP = "Check the school enrolment"
PHONE = {"width": 390, "height": 844}


def say(locale: str, text: str) -> str:
    """``text`` as the page shows it in ``locale`` (from the compiled catalogue)."""
    return NL.gettext(text) if locale == "nl" else text


def overdue_text(locale: str, num: int) -> str:
    if locale == "nl":
        return NL.ngettext("%(num)d overdue", "%(num)d overdue", num) % {"num": num}
    return f"{num} overdue"


@pytest.fixture
def family(centre, make_user, make_case):
    """``family(locale)``: a four-person case that arrived 60 days ago (steps overdue),
    one step done, a note and a follow-up; returns the advisor and plain ids."""

    def make(locale: str):
        seed_catalogue(centre)
        user = make_user("advisor", name="Ines Advisor", locale=locale)
        case = make_case(
            user,
            household_name="Karimi family",
            arrival_date=today() - timedelta(days=60),
            contact_email="karimi@example.net",
            persons=[
                person("Reza", "Karimi", nationality="IR", date_of_birth=date(1986, 2, 3)),
                person(
                    "Leila",
                    "Karimi",
                    role=HouseholdRole.PARTNER,
                    nationality="IR",
                    date_of_birth=date(1988, 6, 9),
                ),
                person(
                    "Kian",
                    "Karimi",
                    role=HouseholdRole.CHILD,
                    nationality="IR",
                    date_of_birth=date(today().year - 7, 1, 2),
                ),
                person(
                    "Sara",
                    "Karimi",
                    role=HouseholdRole.CHILD,
                    nationality="IR",
                    date_of_birth=date(today().year - 12, 3, 4),
                ),
            ],
        )
        add_note(case, user, NOTE)
        add_followup(
            case,
            user,
            title=FOLLOWUP,
            details=None,
            due_date=today() + timedelta(days=2),
            assignee_id=user.id,
        )
        items = db.session.scalars(
            select(ChecklistItem).where(ChecklistItem.case_id == case.id).order_by(ChecklistItem.id)
        ).all()
        done = items[0]
        set_state(done, user, ItemState.DONE)
        overdue = [i for i in items if i.is_overdue(today())]
        assert len(overdue) >= 2
        db.session.commit()
        ids = {
            "case": case.id,
            "done": done.id,
            "overdue": overdue[-1].id,
            "overdue_count": len(overdue),
        }
        staff = Staff(id=user.id, email=user.email, name=user.full_name)
        release_db()
        return staff, ids

    return make


def tab(page: Page, locale: str, name: str):
    return page.get_by_role("tab", name=re.compile(rf"^{re.escape(say(locale, name))}"))


def panel(page: Page, locale: str, name: str):
    return page.get_by_role("tabpanel", name=say(locale, name), exact=True)


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_phone_shows_the_daily_actions_and_the_sections_in_the_first_screen(
    page: Page, family, locale
):
    advisor, ids = family(locale)
    log_in_as(page, advisor, locale)
    page.set_viewport_size(PHONE)
    page.goto(f"/cases/{ids['case']}")
    expect(page.get_by_role("heading", level=1, name="Karimi family")).to_be_visible()
    first_screen = [
        page.get_by_role("link", name=say(locale, "Email the checklist"), exact=True),
        page.get_by_role("link", name=say(locale, "Plan follow-up"), exact=True),
        page.get_by_role("link", name=say(locale, "Add note"), exact=True),
        page.locator("summary").filter(has_text=say(locale, "Change status")),
        tab(page, locale, "Follow-ups"),
        tab(page, locale, "Notes"),
    ]
    assert page.evaluate("window.scrollY") == 0
    for element in first_screen:
        expect(element).to_be_visible()
        box = element.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], element
    # Nothing scrolls sideways: the page fits the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Change status is a menu: closed until asked for.
    status = page.get_by_role("region", name=say(locale, "Change status"), exact=True)
    expect(status).to_be_hidden()
    page.locator("summary").filter(has_text=say(locale, "Change status")).click()
    expect(status.get_by_label(say(locale, "New status"))).to_be_visible()
    heights = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1366, "height": 900})
    print(
        f"\ncase page height ({locale}, 4 persons): {heights} px at 390 px,"
        f" {page.evaluate('document.documentElement.scrollHeight')} px at 1366 px"
    )


def log_in_as(page: Page, advisor: Staff, locale: str) -> None:
    if locale == "en":
        log_in(page, advisor)
        return
    page.goto("/login")
    page.get_by_label("Email address").fill(advisor.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name=say("nl", "My work"))).to_be_visible()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_url_fragment_picks_the_tab_and_tabs_work_by_keyboard(page: Page, family, locale):
    advisor, ids = family(locale)
    log_in_as(page, advisor, locale)
    page.goto(f"/cases/{ids['case']}#notes")
    expect(tab(page, locale, "Notes")).to_have_attribute("aria-selected", "true")
    expect(panel(page, locale, "Notes").get_by_text(NOTE, exact=True)).to_be_visible()
    expect(page.get_by_role("tabpanel", name="Checklist", exact=True)).to_be_hidden()

    # Arrow keys move between tabs; the URL follows, so a reload stays there.
    tab(page, locale, "Notes").focus()
    page.keyboard.press("ArrowLeft")
    expect(tab(page, locale, "Follow-ups")).to_be_focused()
    expect(panel(page, locale, "Follow-ups").get_by_text(FOLLOWUP, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"#followups$"))
    page.reload()
    expect(tab(page, locale, "Follow-ups")).to_have_attribute("aria-selected", "true")
    tab(page, locale, "Activity").click()
    expect(panel(page, locale, "Activity")).to_be_visible()
    expect(panel(page, locale, "Follow-ups")).to_be_hidden()

    # A link to a done step (folded) opens the checklist tab and the fold.
    page.goto(f"/cases/{ids['case']}#item-{ids['done']}")
    expect(tab(page, locale, "Checklist")).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"#item-{ids['done']}")).to_be_visible()

    # The header's "Add note" opens the Notes tab at its field.
    page.get_by_role("link", name=say(locale, "Add note"), exact=True).click()
    expect(page.get_by_label(say(locale, "New note"))).to_be_focused()
    # A note sent empty comes back with its error, in the Notes tab (no fragment then).
    panel(page, locale, "Notes").get_by_role("button", name=say(locale, "Add note")).click()
    expect(page.get_by_label(say(locale, "New note"))).to_have_attribute("aria-invalid", "true")
    expect(tab(page, locale, "Notes")).to_have_attribute("aria-selected", "true")


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_without_javascript_every_section_is_on_the_page(new_context, family, locale):
    advisor, ids = family(locale)
    page = new_context(java_script_enabled=False).new_page()
    log_in_as(page, advisor, locale)
    page.goto(f"/cases/{ids['case']}#notes")
    for name in ("Checklist", "Follow-ups", "Notes", "Emails", "Activity"):
        expect(page.get_by_role("region", name=say(locale, name), exact=True)).to_be_visible()
    expect(page.get_by_role("tab")).to_have_count(0)
    expect(page.get_by_text(NOTE, exact=True)).to_be_visible()
    expect(page.get_by_text(FOLLOWUP, exact=True)).to_be_visible()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_ticking_keeps_focus_on_the_row_offers_undo_and_updates_the_overdue_count(
    page: Page, family, locale
):
    advisor, ids = family(locale)
    count = ids["overdue_count"]
    log_in_as(page, advisor, locale)
    page.goto(f"/cases/{ids['case']}")
    row = page.locator(f"#item-{ids['overdue']}")
    badge = tab(page, locale, "Checklist")
    expect(badge).to_contain_text(overdue_text(locale, count))
    case_line = page.locator('[data-progress="case"]')
    expect(case_line.locator(".cf-overdue")).to_have_text(overdue_text(locale, count))
    expect(row).to_contain_text(say(locale, "overdue"))

    # By keyboard: focus the row's button, Enter.
    mark_done = row.get_by_role("button", name=re.compile(rf"^{say(locale, 'Mark done')}"))
    mark_done.focus()
    page.keyboard.press("Enter")
    undo = row.get_by_role("button", name=re.compile(rf"^{say(locale, 'Undo')}"))
    expect(undo).to_be_focused()
    expect(row).not_to_contain_text(say(locale, "overdue"))
    expect(row).to_contain_text(say(locale, "Done"))
    expect(badge).to_contain_text(overdue_text(locale, count - 1))
    expect(case_line.locator(".cf-overdue")).to_have_text(overdue_text(locale, count - 1))
    # The focus ring is clearly visible: a 3 px solid outline (reached by keyboard).
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(undo).to_be_focused()
    outline = undo.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth] }"
    )
    assert outline == ["solid", "3px"]
    release_db()
    assert db.session.get(ChecklistItem, ids["overdue"]).state == ItemState.DONE
    release_db()

    page.keyboard.press("Enter")  # Undo
    expect(mark_done).to_be_focused()
    expect(row.get_by_role("button", name=re.compile(rf"^{say(locale, 'Undo')}"))).to_have_count(0)
    expect(row).to_contain_text(say(locale, "overdue"))
    expect(row).to_contain_text(say(locale, "To do"))
    expect(badge).to_contain_text(overdue_text(locale, count))
    expect(case_line.locator(".cf-overdue")).to_have_text(overdue_text(locale, count))

    release_db()
    db.session.expire_all()
    assert db.session.get(ChecklistItem, ids["overdue"]).state == ItemState.TODO
    events = db.session.scalars(
        select(ChecklistEvent)
        .where(ChecklistEvent.item_id == ids["overdue"])
        .order_by(ChecklistEvent.id)
    ).all()
    assert [(e.from_value, e.to_value) for e in events] == [("todo", "done"), ("done", "todo")]
    release_db()
    # And the step can be ticked again after the undo (its version followed).
    mark_done.click()
    expect(row.get_by_role("button", name=re.compile(rf"^{say(locale, 'Undo')}"))).to_be_visible()
    release_db()
    db.session.expire_all()
    assert db.session.get(ChecklistItem, ids["overdue"]).state == ItemState.DONE


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_printing_the_case_page_gives_a_clean_document(page: Page, family, locale):
    advisor, ids = family(locale)
    log_in_as(page, advisor, locale)
    page.goto(f"/cases/{ids['case']}")
    expect(panel(page, locale, "Notes")).to_be_hidden()  # a tab on screen
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name=say(locale, "Main"))).to_be_hidden()
    expect(page.get_by_text(NOTE, exact=True)).to_be_visible()
    expect(page.get_by_text(FOLLOWUP, exact=True)).to_be_visible()
    expect(page.locator(f"#item-{ids['done']}")).to_be_visible()  # folded on screen
    for heading in ("Checklist", "Follow-ups", "Notes", "Activity", "Persons"):
        expect(page.get_by_role("heading", name=say(locale, heading), exact=True)).to_be_visible()
    controls = page.evaluate(
        """() => [...document.querySelectorAll('form, button, input, select, textarea, nav,'
            + ' summary, footer')].filter(e => e.checkVisibility()).length"""
    )
    assert controls == 0
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name=say(locale, "Main"))).to_be_visible()


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_step_page_shows_the_reason_only_for_not_applicable(page: Page, family, locale):
    advisor, ids = family(locale)
    log_in_as(page, advisor, locale)
    page.goto(f"/cases/{ids['case']}/checklist/{ids['overdue']}")
    reason = page.get_by_label(say(locale, "Why it does not apply"))
    expect(reason).to_be_hidden()
    state = page.get_by_label(say(locale, "State"), exact=True)
    state.select_option("not_applicable")
    expect(reason).to_be_visible()
    state.select_option("in_progress")
    expect(reason).to_be_hidden()
    state.select_option("not_applicable")
    reason.fill("The family already has a Belgian account.")
    page.get_by_role("button", name=say(locale, "Save")).click()
    expect(page).to_have_url(re.compile(rf"#item-{ids['overdue']}$"))
    release_db()
    db.session.expire_all()
    stored = db.session.get(ChecklistItem, ids["overdue"])
    assert stored.state == ItemState.NOT_APPLICABLE
    assert stored.not_applicable_reason == "The family already has a Belgian account."
    release_db()
    # Step by step: the next step's link opens that step's page.
    page.goto(f"/cases/{ids['case']}/checklist/{ids['overdue']}")
    page.get_by_role("link", name=re.compile(rf"^← {say(locale, 'Previous step')}")).click()
    expect(
        page.get_by_role("link", name=re.compile(rf"^{say(locale, 'Next step')}"))
    ).to_have_attribute("href", f"/cases/{ids['case']}/checklist/{ids['overdue']}")
    # A document for the step: chosen, attached, listed on the step page, and counted on
    # the case page's tab.
    page.goto(f"/cases/{ids['case']}/checklist/{ids['overdue']}")
    page.get_by_label(say(locale, "Attach a file to this step")).set_input_files(
        files=[{"name": "Bank letter.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name=say(locale, "Attach"), exact=True).click()
    expect(page).to_have_url(re.compile(r"#files$"))
    files = page.locator("#files")
    expect(files.get_by_role("link", name="Bank letter.pdf")).to_be_visible()
    page.goto(f"/cases/{ids['case']}#files")
    tabs = page.get_by_role("navigation", name=say(locale, "Parts of this case"))
    expect(tabs).to_contain_text(say(locale, "Documents (%(num)d)") % {"num": 1})
    expect(page.locator("#files").get_by_role("link", name="Bank letter.pdf")).to_be_visible()

"""The main flows in a real browser: what a person sees, and what ends up stored.

Locators are roles and labels on purpose: a field without a label, or a button
without a name, cannot be found, so these tests also check that the pages can be
used with a screen reader.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseflow.cases.models import Activity, ActivityKind, Case, CaseStatus, HouseholdRole, Person
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.notes.models import Note
from tests.browser.conftest import CHROMIUM, Staff, release_db
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

TRANSLATIONS = Path(__file__).resolve().parents[2] / "caseflow" / "translations"
NOTE_TEXT = "Called Ana: the employer sends the single permit documents next week."
FOLLOWUP_TITLE = "Check the single permit decision"


def flash(page: Page):
    return page.get_by_role("status")


def log_in(page: Page, user: Staff) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Advisors and admins land on My work, team leads on the team overview.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^(My work|Team)$"))
    expect(page.get_by_role("link", name=user.name)).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(flash(page)).to_contain_text("You have been logged out.")
    expect(page.get_by_role("heading", level=1, name="Log in to Caseflow")).to_be_visible()


def expect_advisor(page: Page, name: str) -> None:
    """The case summary names ``name`` as the advisor (a term and its definition)."""
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_match_aria_snapshot(f"- term: Advisor\n- definition: {name}")


def fill_person(page: Page, number: int, first: str, last: str, role: str, born: str, nat: str):
    row = page.get_by_role("group", name=re.compile(rf"^Person {number}\b"))
    row.get_by_label("First name").fill(first)
    row.get_by_label("Last name").fill(last)
    row.get_by_label("Role in household").select_option(label=role)
    row.get_by_label("Date of birth").fill(born)
    row.get_by_label(re.compile(r"^Nationality")).select_option(nat)


def test_advisor_works_a_family_case_and_a_lead_reassigns_it(page: Page, make_staff):
    advisor = make_staff("advisor", name="Ines Advisor")
    colleague = make_staff("advisor", name="Pieter Colleague")
    lead = make_staff("team_lead", name="Lotte Lead")
    due = today() + timedelta(days=7)

    # 1. The advisor opens a case for a family of two.
    log_in(page, advisor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New case").click()
    expect(page.get_by_role("heading", level=1, name="New case")).to_be_visible()
    page.get_by_label("Household name").fill("Silva family")
    fill_person(page, 1, "Ana", "Silva", "Main applicant", "1990-05-17", "BR")
    page.get_by_role("button", name="Add a person").click()
    second = page.get_by_role("group", name=re.compile(r"^Person 2\b"))
    expect(second).to_be_visible()
    # The server-side round trip kept what was typed in the first row.
    first = page.get_by_role("group", name=re.compile(r"^Person 1\b"))
    expect(first.get_by_label("First name")).to_have_value("Ana")
    expect(page.get_by_label("Household name")).to_have_value("Silva family")
    fill_person(page, 2, "Marco", "Silva", "Partner", "1988-11-02", "PT")
    page.get_by_label("Legal basis").select_option("consent")
    page.get_by_label(re.compile("The client agreed")).check()
    page.get_by_role("button", name="Create case").click()

    expect(flash(page)).to_contain_text(re.compile(r"Case \S+ created\."))
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1, name="Silva family")).to_be_visible()
    persons = page.get_by_role("region", name="Persons")
    expect(persons.get_by_role("heading", name="Ana Silva")).to_be_visible()
    expect(persons.get_by_role("heading", name="Marco Silva")).to_be_visible()
    expect_advisor(page, "Ines Advisor")

    # A note, from the header's "Add note": the Notes tab opens at its form.
    page.get_by_role("link", name="Add note").click()
    notes = page.get_by_role("tabpanel", name="Notes")
    expect(notes.get_by_label("New note")).to_be_focused()
    notes.get_by_label("New note").fill(NOTE_TEXT)
    notes.get_by_role("button", name="Add note").click()
    expect(flash(page)).to_contain_text("Note added.")
    expect(page.get_by_role("tab", name="Notes (1)")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Notes").get_by_text(NOTE_TEXT)).to_be_visible()

    # A follow-up, planned from the header's "Plan follow-up", then marked done.
    page.get_by_role("link", name="Plan follow-up").click()
    followups = page.get_by_role("tabpanel", name="Follow-ups")
    followups.get_by_label("What needs doing").fill(FOLLOWUP_TITLE)
    followups.get_by_label("Due date").fill(due.isoformat())
    followups.get_by_label("Assigned to").select_option(label="Ines Advisor")
    followups.get_by_role("button", name="Add follow-up").click()
    expect(flash(page)).to_contain_text("Follow-up planned.")
    followups = page.get_by_role("tabpanel", name="Follow-ups")
    item = followups.get_by_role("listitem").filter(has_text=FOLLOWUP_TITLE)
    expect(item).to_contain_text(f"due {due:%d/%m/%Y} · Ines Advisor")
    item.get_by_role("button", name="Mark done").click()
    expect(flash(page)).to_contain_text("Follow-up completed.")
    item = page.get_by_role("tabpanel", name="Follow-ups").get_by_role("listitem")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(FOLLOWUP_TITLE)
    expect(item).to_contain_text("done by Ines Advisor on")
    expect(item.get_by_role("button", name="Mark done")).to_have_count(0)

    log_out(page)

    # 2. The team lead finds the case and gives it to a colleague.
    log_in(page, lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("row").filter(has_text="Silva family").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1, name="Silva family")).to_be_visible()
    page.locator("summary").filter(has_text=re.compile(r"^\s*More")).click()
    assign = page.get_by_role("region", name="Assign", exact=True)
    expect(assign.get_by_label("Advisor")).to_have_value(str(advisor.id))
    assign.get_by_label("Advisor").select_option(label="Pieter Colleague")
    assign.get_by_role("button", name="Assign").click()
    expect(flash(page)).to_contain_text("Advisor changed.")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    expect_advisor(page, "Pieter Colleague")

    # What is stored (a new transaction, so a fresh view of what the server wrote).
    release_db()
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.household_name == "Silva family"
    assert case.advisor_id == colleague.id
    assert case.status == CaseStatus.OPEN
    assert case.consent_recorded_by_id == advisor.id
    assert case.consent_on == today()

    people = db.session.scalars(
        select(Person).where(Person.case_id == case_id).order_by(Person.position)
    ).all()
    assert [
        (p.first_name, p.last_name, p.household_role, p.nationality, p.date_of_birth.isoformat())
        for p in people
    ] == [
        ("Ana", "Silva", HouseholdRole.MAIN_APPLICANT, "BR", "1990-05-17"),
        ("Marco", "Silva", HouseholdRole.PARTNER, "PT", "1988-11-02"),
    ]

    notes_stored = db.session.scalars(select(Note).where(Note.case_id == case_id)).all()
    assert [(n.body, n.author_id) for n in notes_stored] == [(NOTE_TEXT, advisor.id)]

    followups_stored = db.session.scalars(select(FollowUp).where(FollowUp.case_id == case_id)).all()
    assert len(followups_stored) == 1
    followup = followups_stored[0]
    assert followup.title == FOLLOWUP_TITLE
    assert followup.due_date == due
    assert followup.assignee_id == advisor.id
    assert followup.created_by_id == advisor.id
    assert followup.status == FollowUpStatus.DONE
    assert followup.completed_by_id == advisor.id
    assert followup.completed_at is not None

    kinds = db.session.scalars(
        select(Activity.kind).where(Activity.case_id == case_id).order_by(Activity.id)
    ).all()
    assert kinds == [
        ActivityKind.CREATED,  # names the advisor: no separate "assigned" at creation
        ActivityKind.NOTE_ADDED,
        ActivityKind.FOLLOWUP_ADDED,
        ActivityKind.FOLLOWUP_DONE,
        ActivityKind.ASSIGNED,
    ]
    last = db.session.scalars(
        select(Activity).where(Activity.case_id == case_id).order_by(Activity.id.desc())
    ).first()
    assert last.actor_id == lead.id


def test_the_site_works_in_dutch(page: Page, make_staff):
    advisor = make_staff("advisor", name="Nora Nederlands")
    # What the Dutch catalogue says (the English text itself while it is not compiled).
    nl = Translations.load(str(TRANSLATIONS), ["nl"]).gettext
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Nederlands").click()

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page).to_have_url(re.compile(r"/login\b"))
    expect(page.get_by_role("button", name="Nederlands")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", level=1)).to_have_text(nl("Log in to Caseflow"))

    # The choice survives the login, which starts a new session.
    page.get_by_label(nl("Email address")).fill(advisor.email)
    page.get_by_label(nl("Password")).fill(PASSWORD)
    page.get_by_role("button", name=nl("Log in"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(nl("My work"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def test_login_works_with_the_keyboard_only(page: Page, make_staff):
    advisor = make_staff("advisor", name="Kim Keyboard")
    page.goto("/login")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()

    page.keyboard.press("Enter")  # follow the skip link: the next Tab lands in <main>
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address")).to_be_focused()
    page.keyboard.type(advisor.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()
    expect(page.get_by_role("link", name="Kim Keyboard")).to_be_visible()

"""The checklist in a real browser: generated steps, ticking them, and closing a case.

The centre's checklist templates come from the seeded Flemish catalogue, as in
production. Locators are roles and labels (see test_main_flows.py); the one
exception is the case's progress line, which has no role and is found by the
``data-progress`` hook that static/js/checklist.js itself updates.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from caseflow.cases.models import Activity, ActivityKind, Case, CaseStatus, ClosingReason, Person
from caseflow.checklists.models import (
    ChecklistEvent,
    ChecklistItem,
    EventKind,
    ItemState,
    TemplateItem,
)
from caseflow.checklists.rules import add_working_days, age_on
from caseflow.checklists.seeding import seed_catalogue
from caseflow.checklists.services import open_required_items, progress_of
from caseflow.core.time import today
from caseflow.extensions import db
from tests.browser.conftest import CHROMIUM, Staff, release_db
from tests.browser.test_main_flows import flash, log_in, log_out
from tests.conftest import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

TOWN_HALL = "Register at the town hall"
SOCIAL_SECURITY = "Social security number (INSZ or BIS)"
BANK_ACCOUNT = "Open a Belgian bank account"
HEALTH_FUND = "Join a health fund"
CLOSE_ANYWAY = "The family moved to Wallonia; the centre there takes over the open steps."
PROGRESS = re.compile(r"^(\d+) of (\d+) done\b")


@pytest.fixture
def seeded_centre(centre):
    """The test centre with the Flemish catalogue loaded (committed)."""
    assert seed_catalogue(centre) > 0
    db.session.commit()
    return centre


# --- what a person does and sees -------------------------------------------------------


def fill_person(page: Page, number: int, first: str, last: str, role: str, born: date, nat: str):
    row = page.get_by_role("group", name=re.compile(rf"^Person {number}\b"))
    row.get_by_label("First name").fill(first)
    row.get_by_label("Last name").fill(last)
    row.get_by_label("Role in household").select_option(label=role)
    row.get_by_label("Date of birth").fill(born.isoformat())
    row.get_by_label(re.compile(r"^Nationality")).select_option(nat)


def checklist(page: Page) -> Locator:
    """The checklist: a tab panel with JavaScript, an anchored section without."""
    return page.get_by_role("tabpanel", name="Checklist", exact=True).or_(
        page.get_by_role("region", name="Checklist", exact=True)
    )


def section(page: Page, tab: str, name: str) -> Locator:
    """Another part of the case page: chosen in the tab strip, then its panel."""
    page.get_by_role("tab", name=re.compile(rf"^{re.escape(tab)}")).click()
    return page.get_by_role("tabpanel", name=name, exact=True)


def open_menu(page: Page, name: str) -> Locator:
    """Open one of the header's menus ("Change status", "More") and return its region."""
    region = page.get_by_role("region", name=name, exact=True)
    if not region.is_visible():
        page.locator("summary").filter(has_text=re.compile(rf"^\s*{re.escape(name)}")).click()
    return region


def checklist_of(page: Page, owner: str) -> Locator:
    """The part of the checklist for one person (or "Whole household")."""
    return checklist(page).get_by_role("region", name=re.compile(rf"^{re.escape(owner)}\b"))


def step(group: Locator, title: str) -> Locator:
    """One step of a person's checklist, found by its title (a link to the step page)."""
    return group.get_by_role("listitem").filter(
        has=group.page.get_by_role("link", name=title, exact=True)
    )


def done_button(group: Locator, title: str) -> Locator:
    """The "Mark done" button of a step; its hidden text names the step for screen readers.

    (Chromium puts a space before the hidden ": title", hence the ``\\s*``.)
    """
    return group.get_by_role("button", name=re.compile(rf"^Mark done\s*: {re.escape(title)}$"))


def case_progress(page: Page) -> Locator:
    return checklist(page).locator('[data-progress="case"]')


def read_progress(page: Page) -> tuple[int, int]:
    match = PROGRESS.match(case_progress(page).inner_text().strip())
    assert match, case_progress(page).inner_text()
    return int(match.group(1)), int(match.group(2))


def expect_ticked(group: Locator, title: str, folded: bool = False) -> None:
    """The step shows "Done" and no button; after a reload it sits in the folded line of
    done steps, which is opened first."""
    item = step(group, title)
    if folded:
        fold = group.get_by_text(re.compile(r"^\d+ done, show"))
        expect(fold).to_be_visible()
        if not item.is_visible():  # (a link to #item-N opens the fold itself)
            fold.click()
    expect(item.get_by_role("button", name=re.compile(r"^Mark done"))).to_have_count(0)
    expect(item.get_by_text("Done", exact=True)).to_be_visible()


def change_status(page: Page, status: str, reason: str, close_anyway: str | None = None):
    panel = open_menu(page, "Change status")
    panel.get_by_label("New status").select_option(label=status)
    panel.get_by_label(re.compile(r"^Reason for closing")).select_option(label=reason)
    if close_anyway is not None:
        panel.get_by_label(re.compile(r"^Close anyway, because")).fill(close_anyway)
    panel.get_by_role("button", name="Change status").click()


# --- what is stored -----------------------------------------------------------------


def items_of(case_id: int) -> list[ChecklistItem]:
    release_db()
    db.session.expire_all()
    return list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case_id)))


def stored_title(item: ChecklistItem) -> str:
    return db.session.get(TemplateItem, item.template_item_id).title_en


def state_events(item_id: int) -> list[tuple]:
    events = db.session.scalars(
        select(ChecklistEvent).where(ChecklistEvent.item_id == item_id).order_by(ChecklistEvent.id)
    ).all()
    return [(e.kind, e.from_value, e.to_value, e.actor_id) for e in events]


# --- the flows ----------------------------------------------------------------------


def test_advisor_ticks_steps_and_only_a_lead_closes_with_open_required_steps(
    page: Page, seeded_centre, make_staff
):
    advisor = make_staff("advisor", name="Ines Advisor")
    lead = make_staff("team_lead", name="Lotte Lead")
    arrival = today() - timedelta(days=10)
    child_born = date(arrival.year - 8, 1, 1)
    assert age_on(child_born, arrival) == 8

    # 1. The advisor opens a case for a family of three from India.
    log_in(page, advisor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New case").click()
    expect(page.get_by_role("heading", level=1, name="New case")).to_be_visible()
    page.get_by_label("Household name").fill("Sharma family")
    page.get_by_label("Case type", exact=True).select_option(label="Knowledge worker (non-EU)")
    page.get_by_label("Arrival date in Belgium").fill(arrival.isoformat())
    fill_person(page, 1, "Priya", "Sharma", "Main applicant", date(1990, 3, 14), "IN")
    page.get_by_role("button", name="Add a person").click()
    expect(page.get_by_role("group", name=re.compile(r"^Person 2\b"))).to_be_visible()
    fill_person(page, 2, "Arjun", "Sharma", "Partner", date(1988, 7, 2), "IN")
    page.get_by_role("button", name="Add a person").click()
    expect(page.get_by_role("group", name=re.compile(r"^Person 3\b"))).to_be_visible()
    fill_person(page, 3, "Anika", "Sharma", "Child", child_born, "IN")
    # The round trips kept what was typed before.
    expect(page.get_by_label("Arrival date in Belgium")).to_have_value(arrival.isoformat())
    expect(page.get_by_label("Case type", exact=True)).to_contain_text("Knowledge worker")
    page.get_by_label("Legal basis").select_option("consent")
    page.get_by_label(re.compile("The client agreed")).check()
    page.get_by_role("button", name="Create case").click()

    expect(flash(page)).to_contain_text(re.compile(r"Case \S+ created\."))
    expect(page).to_have_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    case_id = int(case_url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1, name="Sharma family")).to_be_visible()

    # The checklist, grouped: the household first, then each person in household order.
    expect(checklist(page).get_by_role("heading", level=3)).to_have_text(
        [
            re.compile(r"^\s*Whole household\b"),
            re.compile(r"^\s*Priya Sharma\b"),
            re.compile(r"^\s*Arjun Sharma\b"),
            re.compile(r"^\s*Anika Sharma\b"),
        ]
    )
    household = checklist_of(page, "Whole household")
    priya = checklist_of(page, "Priya Sharma")
    anika = checklist_of(page, "Anika Sharma")
    town_hall_due = add_working_days(arrival, 8)
    for member in ("Priya Sharma", "Arjun Sharma", "Anika Sharma"):
        expect(step(checklist_of(page, member), TOWN_HALL)).to_contain_text(
            f"due {town_hall_due:%d/%m/%Y}"
        )
    expect(step(priya, SOCIAL_SECURITY)).to_contain_text(
        f"due {arrival + timedelta(days=30):%d/%m/%Y}"
    )
    expect(step(household, BANK_ACCOUNT)).to_be_visible()
    # Steps for an 8-year-old child, none for adults only.
    expect(step(anika, "Enrol your child in school")).to_be_visible()
    expect(step(anika, "Add your child to the health fund")).to_be_visible()
    expect(step(anika, HEALTH_FUND)).to_have_count(0)

    # What the page shows matches what was generated.
    items = items_of(case_id)
    expected = progress_of(items, today())
    assert expected.done == 0 and expected.applicable > 0
    assert read_progress(page) == (0, expected.applicable)
    town_halls = [i for i in items if stored_title(i) == TOWN_HALL]
    assert len(town_halls) == 3
    assert {i.computed_due_date for i in town_halls} == {town_hall_due}
    release_db()

    # Two ticks with JavaScript: the page changes in place, no navigation.
    page.evaluate("window.__sameDocument = true")
    done_before, total = read_progress(page)
    done_button(priya, SOCIAL_SECURITY).click()
    expect_ticked(priya, SOCIAL_SECURITY)
    expect(checklist(page).get_by_role("status")).to_have_text(f"Step done: {SOCIAL_SECURITY}")
    expect(case_progress(page)).to_have_text(re.compile(rf"^{done_before + 1} of {total} done\b"))
    done_button(household, BANK_ACCOUNT).click()
    expect_ticked(household, BANK_ACCOUNT)
    expect(checklist(page).get_by_role("status")).to_have_text(f"Step done: {BANK_ACCOUNT}")
    expect(case_progress(page)).to_have_text(re.compile(rf"^{done_before + 2} of {total} done\b"))
    # The person's and the household's progress lines follow too.
    expect(priya.get_by_role("heading", level=3)).to_contain_text(re.compile(r"\b1 of \d+ done"))
    expect(household.get_by_role("heading", level=3)).to_contain_text("1 of 2 done")
    expect(page).to_have_url(case_url)
    assert page.evaluate("window.__sameDocument") is True
    # The other steps are untouched.
    expect(done_button(priya, TOWN_HALL)).to_be_visible()

    # After a reload the ticks are still there (and no flash message was left waiting).
    page.reload()
    expect(page.get_by_role("heading", level=1, name="Sharma family")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is None
    expect_ticked(checklist_of(page, "Priya Sharma"), SOCIAL_SECURITY, folded=True)
    expect_ticked(checklist_of(page, "Whole household"), BANK_ACCOUNT, folded=True)
    expect(case_progress(page)).to_have_text(re.compile(rf"^{done_before + 2} of {total} done\b"))
    expect(checklist_of(page, "Priya Sharma")).to_contain_text(
        re.compile(r"Priya Sharma, main applicant, \d+\s+1 of")
    )
    expect(flash(page)).to_have_count(0)

    done = [i for i in items_of(case_id) if i.state == ItemState.DONE]
    priya_id = db.session.scalar(
        select(Person.id).where(Person.case_id == case_id, Person.first_name == "Priya")
    )
    assert sorted((stored_title(i), i.person_id) for i in done) == sorted(
        [(SOCIAL_SECURITY, priya_id), (BANK_ACCOUNT, None)]
    )
    for item in done:
        assert item.completed_at is not None
        assert state_events(item.id) == [(EventKind.STATE, "todo", "done", advisor.id)]
    blocking = len(open_required_items(db.session.get(Case, case_id)))
    assert blocking > 1  # the message below is the plural one
    release_db()

    # 2. The advisor cannot close the case while required steps are open.
    panel = open_menu(page, "Change status")
    expect(panel.get_by_label(re.compile(r"^Close anyway"))).to_have_count(0)  # leads only
    change_status(page, "Closed", "Moved away")
    expect(flash(page)).to_contain_text(
        f"This case cannot be closed yet: {blocking} required steps are still open."
    )
    still_open = page.get_by_role("region", name="Change status").get_by_role("alert")
    expect(still_open).to_contain_text("Still open and required:")
    listed = still_open.get_by_role("listitem")
    expect(listed).to_have_count(blocking)
    expect(listed.filter(has_text=f"{TOWN_HALL} (Priya Sharma)")).to_have_count(1)
    expect(listed.filter(has_text=TOWN_HALL)).to_have_count(3)
    # What was ticked is not listed (the other two people still need their number).
    expect(listed.filter(has_text=f"{SOCIAL_SECURITY} (Priya Sharma)")).to_have_count(0)
    expect(listed.filter(has_text=SOCIAL_SECURITY)).to_have_count(2)
    expect(listed.filter(has_text=BANK_ACCOUNT)).to_have_count(0)
    expect(page.get_by_role("heading", level=1, name="Sharma family")).to_be_visible()

    release_db()
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.status == CaseStatus.OPEN
    assert case.closing_reason is None and case.closed_at is None
    assert (
        ActivityKind.STATUS
        not in db.session.scalars(select(Activity.kind).where(Activity.case_id == case_id)).all()
    )
    release_db()
    log_out(page)

    # 3. A team lead closes it anyway, with a reason that is recorded.
    log_in(page, lead)
    page.goto(f"/cases/{case_id}")
    expect(page.get_by_role("heading", level=1, name="Sharma family")).to_be_visible()
    change_status(page, "Closed", "Moved away", close_anyway=CLOSE_ANYWAY)
    expect(flash(page)).to_contain_text("Status changed.")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}$"))
    timeline = section(page, "Activity", "Activity")
    entry = timeline.get_by_role("listitem").filter(has_text="Status changed")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Lotte Lead")
    expect(entry).to_contain_text("Open → Closed (Moved away)")
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text("Moved away")

    release_db()
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    assert case.status == CaseStatus.CLOSED
    assert case.closing_reason == ClosingReason.MOVED_AWAY
    assert case.closed_at is not None
    last = db.session.scalars(
        select(Activity).where(Activity.case_id == case_id).order_by(Activity.id.desc())
    ).first()
    assert last.kind == ActivityKind.STATUS
    assert last.actor_id == lead.id
    assert last.details["from"] == "open" and last.details["to"] == "closed"
    assert last.details["closed_anyway"] == CLOSE_ANYWAY
    # Closing anyway leaves the open steps as they were.
    assert len(open_required_items(case)) == blocking


def test_ticking_a_step_works_without_javascript(new_context, seeded_centre, make_user, make_case):
    user = make_user("advisor", name="Nils Nojs")
    advisor = Staff(id=user.id, email=user.email, name=user.full_name)
    case = make_case(
        user,
        household_name="Chen household",
        arrival_date=today() - timedelta(days=3),
        persons=[person("Wei", "Chen", nationality="CN", date_of_birth=date(1985, 2, 20))],
    )
    case_id = case.id
    item_id = db.session.scalar(
        select(ChecklistItem.id)
        .join(ChecklistItem.template_item)
        .where(ChecklistItem.case_id == case_id, TemplateItem.title_en == HEALTH_FUND)
    )
    assert item_id is not None
    release_db()

    page = new_context(java_script_enabled=False).new_page()
    log_in(page, advisor)
    page.goto(f"/cases/{case_id}")
    wei = checklist_of(page, "Wei Chen")
    done_before, total = read_progress(page)
    done_button(wei, HEALTH_FUND).click()

    # The form posted and the server answered with the case page again, at the step.
    expect(flash(page)).to_contain_text(f"Step done: {HEALTH_FUND}")
    expect(page).to_have_url(re.compile(rf"/cases/{case_id}#item-{item_id}$"))
    expect_ticked(checklist_of(page, "Wei Chen"), HEALTH_FUND, folded=True)
    expect(case_progress(page)).to_have_text(re.compile(rf"^{done_before + 1} of {total} done\b"))

    release_db()
    db.session.expire_all()
    item = db.session.get(ChecklistItem, item_id)
    assert item.state == ItemState.DONE
    assert state_events(item_id) == [(EventKind.STATE, "todo", "done", advisor.id)]
    assert [i.id for i in items_of(case_id) if i.state == ItemState.DONE] == [item_id]

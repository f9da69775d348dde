"""WCAG 2.1 A and AA checks with axe-core on every main page, in English and Dutch.

axe-core comes from npm (tests/browser/axe/package.json; `make test` installs it when
npm exists). The test skips when it is not installed.
"""

from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import Page

from caseflow.attachments.services import store_upload
from caseflow.cases.legal_hold import place_legal_hold
from caseflow.cases.models import Person
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.contacts.models import ContactChannel
from caseflow.contacts.services import ContactData, centre_topics, log_contact
from caseflow.core.time import today
from caseflow.events.services import create_event
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.notes.services import add_note
from caseflow.partners.models import Partner
from caseflow.partners.seeding import seed_partners
from caseflow.partners.services import create_referral
from caseflow.privacy.erasure import erase_case
from caseflow.reviews.services import request_review
from tests.attachments.files import png_bytes, upload
from tests.browser.axe_check import AXE_MISSING, violations, violations_here
from tests.browser.conftest import CHROMIUM, release_db
from tests.conftest import PASSWORD, person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
    AXE_MISSING,
]


@pytest.fixture
def browser_context_args(browser_context_args) -> dict:
    # axe is injected as a script; the app's CSP rightly forbids that, so only here
    # the browser is told to ignore it.
    return {**browser_context_args, "bypass_csp": True}


@pytest.mark.parametrize("width", [1366, 390], ids=["wide", "phone"])
@pytest.mark.parametrize("locale", ["en", "nl"])
def test_main_pages_have_no_wcag_violations(
    page: Page, centre, make_user, make_case, locale, width
):
    """Every main page, on a laptop and on a 390 px phone (where regions that scroll
    sideways must still be reachable by keyboard)."""
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    seed_catalogue(centre)
    # A temporary password: the first page after login is "choose your password".
    admin = make_user("admin", name="Alex Admin", locale=locale, must_change_password=True)
    case = make_case(
        admin,
        household_name="Access family",
        arrival_date=date(2026, 1, 5),
        contact_email="family@example.net",
        persons=[person("Ana"), person("Bo", role="child", date_of_birth=date(2018, 3, 3))],
    )
    add_note(case, admin, "A note.")
    add_followup(
        case, admin, title="Call", details=None, due_date=date(2026, 1, 20), assignee_id=admin.id
    )
    request_review(case, admin, "Please check.")
    first_step = db.session.scalars(
        db.select(ChecklistItem).where(ChecklistItem.case_id == case.id).order_by(ChecklistItem.id)
    ).first()
    store_upload(case, upload(png_bytes(), "Lease.png"), item=first_step, uploaded_by=admin)
    held = make_case(admin, household_name="Held family")
    place_legal_hold(held, admin, "Court case pending.")
    erased = make_case(admin, household_name="Erased family", persons=[person("Eli")])
    erase_case(erased, reason="Erasure request of 2 March", actor=admin)
    event = create_event(
        centre.id,
        admin,
        {
            "title_en": "Language café",
            "title_nl": "Taalcafé",
            "description_en": "Practise Dutch over coffee.",
            "event_type": "language_cafe",
            "starts_at": datetime.combine(today() + timedelta(days=10), time(19)),
            "ends_at": datetime.combine(today() + timedelta(days=10), time(21)),
            "place": "Library",
            "capacity": 20,
            "audience_languages": ["nl", "en"],
            "organiser": "Welcome centre",
        },
    )
    db.session.commit()
    event_id = event.id
    # The partner network, and a referral on the case (its panel on the case page).
    seed_partners(centre)
    partner = db.session.scalars(db.select(Partner).order_by(Partner.id)).first()
    create_referral(
        case,
        admin,
        partner_id=partner.id,
        person_ids=[
            p.id for p in db.session.scalars(db.select(Person).where(Person.case_id == case.id))
        ],
        reason="Needs a health fund.",
        consent=False,
        details=[],
        follow_up_on=today(),
    )
    db.session.commit()
    partner_id = partner.id
    topics = centre_topics(centre.id)
    asked = log_contact(
        admin,
        ContactData(
            channel=ContactChannel.WALK_IN,
            topic_ids=[topics[0].id, topics[3].id],
            minutes=15,
            nationality="IN",
            municipality="Genk",
            name="Dev Example",
            note="Asked about the health fund.",
        ),
    )
    log_contact(
        admin,
        ContactData(channel=ContactChannel.PHONE, topic_ids=[topics[1].id], minutes=5),
        case,
    )
    db.session.commit()
    contact_id, topic_id = asked.id, topics[0].id
    case_id = case.id
    held_id = held.id
    erased_id = erased.id
    person_id = db.session.execute(
        db.text("SELECT id FROM persons WHERE case_id = :c LIMIT 1"), {"c": case_id}
    ).scalar()
    item_id = first_step.id  # with a file: the step page lists it
    template_id = db.session.execute(db.text("SELECT id FROM checklist_templates LIMIT 1")).scalar()
    email = admin.email
    admin_id = admin.id
    release_db()

    problems = violations(page, "/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/password/new**")
    problems += violations(page, "/password/new")
    page.locator("#new_password").fill("Tafel-Rivier-Koffie-42")
    page.locator("#confirm_password").fill("Tafel-Rivier-Koffie-42")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    for path in [
        "/",
        "/cases",
        "/cases/new",
        f"/cases/{case_id}",
        f"/cases/{held_id}",
        "/cases?hold=1",
        f"/cases/{case_id}/edit",
        f"/cases/{case_id}/checklist/{item_id}",
        f"/cases/{case_id}/email-checklist",
        f"/cases/{case_id}/client-page/send",
        f"/cases/{case_id}/access-log",
        f"/cases/{case_id}/data-export",
        f"/cases/{case_id}/erase",
        f"/cases/{case_id}/persons/{person_id}/erase",
        f"/cases/{erased_id}",
        "/followups?view=all",
        "/events",
        "/events/new",
        f"/events/{event_id}",
        f"/events/{event_id}/edit",
        f"/events/{event_id}/invite",
        f"/events/{event_id}/door",
        "/team",
        "/team/intake",
        "/team/reassign",
        "/team/reviews",
        "/reports/funder?period=year&on=2026-03-01",
        "/profile",
        "/admin/users",
        "/admin/users/new",
        "/admin/case-types",
        "/admin/checklists",
        f"/admin/checklists/{template_id}",
        f"/admin/checklists/{template_id}/preview",
        "/admin/centre",
        "/admin/privacy-notice",
        "/admin/privacy-notice/1",
        f"/admin/users/{admin_id}/activity",
        "/contacts/new?next=/cases",
        "/contacts",
        "/contacts/centre?channel=walk_in",
        "/contacts/topics",
        f"/contacts/topics/{topic_id}",
        f"/contacts/{contact_id}",
        f"/contacts/{contact_id}/edit",
        f"/contacts/{contact_id}/erase",
        f"/contacts/{contact_id}/delete",
        f"/cases/new?from=contact:{contact_id}",
        "/request",  # the public request form (any visitor; staff too)
        "/request/LIM/thanks",
        "/partners",
        "/partners?q=zorg&type=health_fund",
        "/partners/new",
        f"/partners/{partner_id}/edit",
        f"/cases/{case_id}/referrals/new",
    ]:
        problems += violations(page, path)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_second_factor_pages_have_no_wcag_violations(page: Page, make_user, locale):
    import time

    import pyotp

    user = make_user("advisor", name="Alex Axe", locale=locale)
    email = user.email
    release_db()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    problems = violations(page, "/profile")
    problems += violations(page, "/profile/second-factor")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
    page.locator("input[name=code]").press("Enter")
    page.wait_for_selector("#recovery-codes")
    problems += violations_here(page, "recovery codes")
    problems += violations(page, "/profile")  # the second factor on
    problems += violations(page, "/reauth?next=/")
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/code")
    problems += violations_here(page, "/login/code")
    page.locator("input[name=code]").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_url("**/")
    assert problems == []

"""The case page as a person reads it (test client, English and Dutch): the compact header
with its actions, the strip of sections, person headings with role and age, and each
person's done steps folded into one line."""

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseflow.cases.models import HouseholdRole, Person
from caseflow.checklists.models import ChecklistItem, ItemState
from caseflow.checklists.seeding import seed_catalogue
from caseflow.checklists.services import set_state
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.notes.services import add_note
from tests.conftest import person

TEXT = {
    "en": {
        "email": "Email the checklist",
        "status": "Change status",
        "followups": "Follow-ups (1)",
        "notes": "Notes (2)",
        "files": "Documents (0)",
        "emails": "Emails (0)",
        "activity": "Activity",
        "adult": "Kian Karimi, main applicant, {age}",
        "child": "Kian Karimi, child, 7",
        "fold": "2 done, show",
    },
    "nl": {
        "email": "Checklist mailen",
        "status": "Status wijzigen",
        "followups": "Opvolgingen (1)",
        "notes": "Notities (2)",
        "files": "Documenten (0)",
        "emails": "E-mails (0)",
        "activity": "Historiek",
        "adult": "Kian Karimi, hoofdaanvrager, {age} jaar",
        "child": "Kian Karimi, kind, 7 jaar",
        "fold": "2 klaar, tonen",
    },
}

ADULT_BORN = date(1989, 1, 15)


def text(fragment: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def seven_years_ago() -> date:
    day = today()
    return day.replace(year=day.year - 7) - timedelta(days=10)


@pytest.fixture
def page_for(centre, make_user, make_case, client_for):
    """``page_for(locale)``: the case page of a seeded Karimi case, as HTML, with the case."""

    def make(locale: str, persons=None):
        seed_catalogue(centre)
        advisor = make_user("advisor", name="Arne Advisor", locale=locale)
        case = make_case(
            advisor,
            household_name="Karimi family",
            arrival_date=today() - timedelta(days=5),
            persons=persons
            or [
                person("Kian", "Karimi", nationality="IR", date_of_birth=ADULT_BORN),
                person(
                    "Kian",
                    "Karimi",
                    role=HouseholdRole.CHILD,
                    nationality="IR",
                    date_of_birth=seven_years_ago(),
                ),
            ],
        )
        add_note(case, advisor, "First call.")
        add_note(case, advisor, "Second call.")
        add_followup(
            case,
            advisor,
            title="Call back",
            details=None,
            due_date=today() + timedelta(days=3),
            assignee_id=advisor.id,
        )
        db.session.commit()
        return advisor, case, client_for(advisor)

    return make


def person_headings(body: str) -> list[str]:
    return [
        text(m) for m in re.findall(r"<span data-person-heading>(.*?)</span>", body, flags=re.S)
    ]


def adult_age() -> int:
    day = today()
    return day.year - ADULT_BORN.year - ((day.month, day.day) < (ADULT_BORN.month, ADULT_BORN.day))


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_person_headings_show_role_and_age_so_namesakes_are_told_apart(page_for, locale):
    _advisor, case, client = page_for(locale)
    body = client.get(f"/cases/{case.id}").get_data(as_text=True)
    words = TEXT[locale]
    headings = person_headings(body)
    assert headings[-2:] == [words["adult"].format(age=adult_age()), words["child"]]


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_namesakes_of_the_same_role_and_age_get_their_birth_date(page_for, locale):
    born = seven_years_ago()
    twin = {"role": HouseholdRole.CHILD, "nationality": "IR", "date_of_birth": born}
    _advisor, case, client = page_for(
        locale,
        persons=[
            person("Kian", "Karimi", nationality="IR", date_of_birth=ADULT_BORN),
            person("Sam", "Karimi", **twin),
            person("Sam", "Karimi", **{**twin, "date_of_birth": born + timedelta(days=1)}),
        ],
    )
    body = client.get(f"/cases/{case.id}").get_data(as_text=True)
    child = TEXT[locale]["child"].replace("Kian", "Sam")
    headings = person_headings(body)
    assert headings[-2:] == [
        f"{child} ({born:%d/%m/%Y})",
        f"{child} ({born + timedelta(days=1):%d/%m/%Y})",
    ]
    assert headings[-3] == TEXT[locale]["adult"].format(age=adult_age())


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_done_steps_fold_into_one_line_per_person(page_for, locale):
    advisor, case, client = page_for(locale)
    child_id = db.session.scalars(
        select(Person.id).where(Person.case_id == case.id).order_by(Person.position)
    ).all()[1]
    items = db.session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.case_id == case.id, ChecklistItem.person_id == child_id)
        .order_by(ChecklistItem.id)
    ).all()
    assert len(items) >= 3
    done = items[:2]
    for item in done:
        set_state(item, advisor, ItemState.DONE)
    db.session.commit()
    done_ids = {item.id for item in done}
    open_ids = {item.id for item in items[2:]}

    body = client.get(f"/cases/{case.id}").get_data(as_text=True)
    # The child's part of the checklist: the open steps, then one closed fold.
    child_part = body[body.index(TEXT[locale]["child"]) :]
    child_part = child_part[: child_part.index("</section>")]
    folds = re.findall(
        r"<details class=\"cf-done-steps[^\"]*\"(.*?)>(.*?)</details>", child_part, re.S
    )
    assert len(folds) == 1
    attributes, inside = folds[0]
    assert "open" not in attributes  # folded by default
    summary = text(re.search(r"<summary>(.*?)</summary>", inside, re.S).group(1))
    assert summary.startswith(TEXT[locale]["fold"] + " (" + TEXT[locale]["child"])
    folded_ids = {int(i) for i in re.findall(r'id="item-(\d+)"', inside)}
    assert folded_ids == done_ids
    outside = child_part.replace(folds[0][1], "")
    assert {int(i) for i in re.findall(r'id="item-(\d+)"', outside)} == open_ids
    # The other person has nothing done: no fold there.
    assert body.count('class="cf-done-steps') == 1


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_header_offers_the_daily_actions_and_the_strip_the_sections(page_for, locale):
    _advisor, case, client = page_for(locale)
    body = client.get(f"/cases/{case.id}").get_data(as_text=True)
    words = TEXT[locale]
    header = body[body.index('class="cf-case-header') : body.index("data-case-tabs")]
    # The first action: the checklist email, as a link to its page.
    first_action = re.search(r'<div class="cf-actions[^"]*">\s*<a ([^>]*)>(.*?)</a>', header, re.S)
    assert f'href="/cases/{case.id}/email-checklist"' in first_action.group(1)
    assert text(first_action.group(2)) == words["email"]
    assert 'href="#new-followup"' in header and 'href="#new-note"' in header
    # Change status is a closed menu, not a form always open.
    status = re.search(
        r'<details class="cf-menu" id="change-status"([^>]*)>\s*<summary[^>]*>(.*?)</summary>',
        header,
        re.S,
    )
    assert status and "open" not in status.group(1)
    assert text(status.group(2)) == words["status"]
    assert f'action="/cases/{case.id}/status"' in header
    # Rarer actions sit in the smaller row under "More".
    assert "/access-log" not in header[: header.index('class="cf-actions-more')]

    strip = body[body.index("data-case-tabs") : body.index("</nav>", body.index("data-case-tabs"))]
    links = [
        (href, text(label))
        for href, label in re.findall(r'<a class="nav-link" href="([^"]+)">(.*?)</a>', strip, re.S)
    ]
    # The checklist's tab carries the overdue count (when there is one).
    assert re.fullmatch(r"Checklist( \d+ (overdue|te laat))?", links[0][1])
    assert links[1:] == [
        ("#followups", words["followups"]),
        ("#notes", words["notes"]),
        ("#files", words["files"]),
        ("#emails", words["emails"]),
        ("#timeline", words["activity"]),
    ]
    for anchor in (
        "checklist",
        "followups",
        "notes",
        "files",
        "emails",
        "timeline",
        "new-followup",
        "new-note",
        "reviews",
    ):
        assert f'id="{anchor}"' in body


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Open · Advisor: Arne Advisor"), ("nl", "Open · Adviseur: Arne Advisor")],
)
def test_the_header_shows_reference_status_and_advisor(page_for, locale, expected):
    _advisor, case, client = page_for(locale)
    body = client.get(f"/cases/{case.id}").get_data(as_text=True)
    meta = text(re.search(r'<p class="mb-2 cf-case-meta">(.*?)</p>', body, re.S).group(1))
    assert meta == f"{case.reference} {expected}"

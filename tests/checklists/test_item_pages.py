"""A case's checklist items: the item page, changing an item, and ticking it done."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from caseflow.checklists.models import (
    ChecklistEvent,
    ChecklistItem,
    EventKind,
    ItemState,
    TemplateItem,
)
from caseflow.checklists.rules import add_working_days
from caseflow.checklists.seeding import seed_catalogue
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from tests.conftest import db_digest, person, reload
from tests.forms_helpers import MISSING, NUL, apply, assert_refused, shown_errors

ARRIVAL = date(2026, 4, 1)  # a Wednesday; Easter Monday (6 April) falls in the next 8 days
REGISTRATION = "municipal-registration-third-country"
NEEDS_REASON = "Say why this step does not apply."
CONFLICT = "Someone else changed this in the meantime."
INCOMPLETE = "This form is incomplete. Reload the page and try again."
NOT_ALLOWED = "This field contains characters that are not allowed."


# --- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", name="Arne Advisor")


@pytest.fixture
def web(client_for, advisor):
    return client_for(advisor)


@pytest.fixture
def seeded(centre):
    seed_catalogue(centre)
    db.session.commit()
    return centre


@pytest.fixture
def case(seeded, make_case, advisor):
    return make_case(
        advisor,
        household_name="Kumar family",
        arrival_date=ARRIVAL,
        persons=[person(first="Priya", last="Kumar", nationality="IN")],
    )


def item_for(case_id: int, key: str) -> ChecklistItem:
    db.session.expire_all()
    return db.session.scalars(
        select(ChecklistItem)
        .join(TemplateItem, ChecklistItem.template_item_id == TemplateItem.id)
        .where(ChecklistItem.case_id == case_id, TemplateItem.key == key)
    ).one()


@pytest.fixture
def item(case) -> ChecklistItem:
    return item_for(case.id, REGISTRATION)


def events_of(item_id: int) -> list[ChecklistEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ChecklistEvent)
            .where(ChecklistEvent.item_id == item_id)
            .order_by(ChecklistEvent.id)
        )
    )


def all_events() -> list[ChecklistEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(ChecklistEvent)))


def visible_text(response) -> str:
    body = response.get_data(as_text=True)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def item_form(item_id: int, overrides: dict | None = None) -> dict:
    """The item form as a browser sends it unchanged, then ``overrides``."""
    current = reload(ChecklistItem, item_id)
    data = {
        "state": current.state.value,
        "not_applicable_reason": current.not_applicable_reason or "",
        "due_date_override": current.due_date_override.isoformat()
        if current.due_date_override
        else "",
        "note": current.note or "",
        "version": str(current.version),
    }
    return apply(data, overrides)


def case_page_line(web, case_id: int, item_id: int) -> str:
    """The visible text of one item's line on the case page."""
    response = web.get(f"/cases/{case_id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    match = re.search(rf'<li[^>]*id="item-{item_id}"[^>]*>(.*?)</li>', body, re.S)
    assert match, f"item {item_id} is not on the case page"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def applicable_count(case_id: int) -> int:
    db.session.expire_all()
    items = db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case_id))
    return sum(1 for i in items if i.counts_for_progress)


# --- the item page ------------------------------------------------------------------------


def test_item_page_shows_title_rule_due_date_and_empty_history(web, case, item):
    due = add_working_days(ARRIVAL, 8)
    assert item.computed_due_date == due == date(2026, 4, 14)
    response = web.get(f"/cases/{case.id}/checklist/{item.id}")
    assert response.status_code == 200
    shown = visible_text(response)
    assert "Register at the town hall" in shown
    assert "Priya Kumar" in shown
    assert "8 working days after arrival" in shown
    assert f"Computed due date {due.strftime('%d/%m/%Y')}" in shown
    assert "required before closing" in shown
    assert "History" in shown
    assert "Nothing changed yet." in shown
    assert "Update this step" in shown  # the advisor of the case may edit it
    assert "Due date set by hand" not in shown


def test_item_page_shows_the_history_with_who_changed_what(web, case, item):
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}",
        item_form(item.id, {"state": "in_progress"}),
    )
    assert response.status_code == 302, shown_errors(response)
    shown = visible_text(web.get(f"/cases/{case.id}/checklist/{item.id}"))
    assert "State: To do → In progress" in shown
    assert "Arne Advisor" in shown
    assert "Nothing changed yet." not in shown


# --- not applicable -----------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \t ", MISSING])
def test_not_applicable_without_a_reason_is_refused(web, case, item, reason):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}",
        item_form(item.id, {"state": "not_applicable", "not_applicable_reason": reason}),
    )
    assert_refused(response, before, NEEDS_REASON)
    stored = reload(ChecklistItem, item.id)
    assert (stored.state, stored.not_applicable_reason) == (ItemState.TODO, None)
    assert all_events() == []


def test_not_applicable_with_a_reason_is_stored_and_recorded(web, case, item, advisor):
    version = item.version
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}",
        item_form(
            item.id,
            {"state": "not_applicable", "not_applicable_reason": "  Already registered.  "},
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    assert response.location.endswith(f"/cases/{case.id}#item-{item.id}")
    stored = reload(ChecklistItem, item.id)
    assert (stored.state, stored.not_applicable_reason) == (
        ItemState.NOT_APPLICABLE,
        "Already registered.",
    )
    assert stored.completed_at is not None
    assert stored.version == version + 1
    [event] = all_events()
    assert (event.item_id, event.kind, event.from_value, event.to_value, event.actor_id) == (
        item.id,
        EventKind.STATE,
        "todo",
        "not_applicable",
        advisor.id,
    )
    shown = visible_text(web.get(f"/cases/{case.id}/checklist/{item.id}"))
    assert "Not applicable: Already registered." in shown
    assert "State: To do → Not applicable" in shown


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"not_applicable_reason": "Gone\x00"}, NOT_ALLOWED, id="nul-reason"),
        pytest.param(
            {"not_applicable_reason": "x" * 501},
            "Field cannot be longer than 500 characters.",
            id="501-char-reason",
        ),
        pytest.param({"note": NUL}, NOT_ALLOWED, id="nul-note"),
        pytest.param({"state": "finished"}, "Not a valid choice", id="unknown-state"),
        pytest.param({"due_date_override": "31/12/2026"}, None, id="date-not-iso"),
        pytest.param({"due_date_override": "2026-02-30"}, None, id="impossible-date"),
    ],
)
def test_item_form_refuses_bad_input(web, case, item, overrides, message):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}",
        item_form(
            item.id, {"state": "not_applicable", "not_applicable_reason": "Moved"} | overrides
        ),
    )
    assert_refused(response, before, message)
    assert reload(ChecklistItem, item.id).state == ItemState.TODO


# --- due-date override --------------------------------------------------------------------


def test_due_date_override_is_stored_apart_and_recorded(web, case, item, advisor):
    computed = item.computed_due_date
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}",
        item_form(item.id, {"due_date_override": "2026-05-04"}),
    )
    assert response.status_code == 302, shown_errors(response)
    stored = reload(ChecklistItem, item.id)
    assert stored.due_date_override == date(2026, 5, 4)
    assert stored.computed_due_date == computed == add_working_days(ARRIVAL, 8)
    assert stored.state == ItemState.TODO
    [event] = all_events()
    assert (event.item_id, event.kind, event.from_value, event.to_value, event.actor_id) == (
        item.id,
        EventKind.DUE_DATE,
        None,
        "2026-05-04",
        advisor.id,
    )

    line = case_page_line(web, case.id, item.id)
    assert "due 04/05/2026 (set by hand)" in line
    shown = visible_text(web.get(f"/cases/{case.id}/checklist/{item.id}"))
    assert f"Computed due date {computed.strftime('%d/%m/%Y')}" in shown
    assert "Due date set by hand 04/05/2026" in shown
    assert "Due date set by hand: — → 04/05/2026" in shown


def test_case_page_shows_the_computed_due_date_without_an_override(web, case, item):
    line = case_page_line(web, case.id, item.id)
    assert f"due {add_working_days(ARRIVAL, 8).strftime('%d/%m/%Y')}" in line
    assert "set by hand" not in line


# --- versions -----------------------------------------------------------------------------


def test_a_stale_version_answers_409_and_stores_nothing(web, case, item):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}",
        item_form(
            item.id,
            {
                "state": "not_applicable",
                "not_applicable_reason": "Moved away",
                "due_date_override": "2026-05-04",
                "version": str(item.version + 1),
            },
        ),
    )
    assert_refused(response, before, CONFLICT, statuses=(409,))
    assert all_events() == []


@pytest.mark.parametrize("version", [MISSING, "", "abc", "-1", "0", "9" * 30])
def test_a_missing_or_broken_version_answers_400_and_stores_nothing(web, case, item, version):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}",
        item_form(item.id, {"state": "done", "version": version}),
    )
    assert_refused(response, before, INCOMPLETE)
    assert reload(ChecklistItem, item.id).state == ItemState.TODO


# --- ticking done -------------------------------------------------------------------------


def test_tick_with_the_right_version_sets_done_and_records_one_event(web, case, item, advisor):
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done", {"version": str(item.version)}
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/cases/{case.id}#item-{item.id}")
    stored = reload(ChecklistItem, item.id)
    assert stored.state == ItemState.DONE
    assert stored.completed_at is not None
    [event] = all_events()
    assert (event.item_id, event.kind, event.from_value, event.to_value, event.actor_id) == (
        item.id,
        EventKind.STATE,
        "todo",
        "done",
        advisor.id,
    )
    page = web.get(f"/cases/{case.id}")
    assert "Step done: Register at the town hall" in visible_text(page)


def test_tick_as_json_returns_the_progress(web, case, item):
    applicable = applicable_count(case.id)
    assert applicable > 1
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done",
        {"version": str(item.version)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.is_json
    payload = response.get_json()
    assert payload["item_id"] == item.id
    assert (payload["done"], payload["applicable"]) == (1, applicable)
    assert payload["progress_text"].startswith(f"1 of {applicable} done")
    assert payload["message"] == "Step done: Register at the town hall"
    assert reload(ChecklistItem, item.id).state == ItemState.DONE
    assert len(all_events()) == 1


def test_tick_with_a_stale_version_stores_nothing(web, case, item):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done",
        {"version": str(item.version + 1)},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert CONFLICT in response.get_json()["error"]
    assert db_digest() == before


def test_tick_with_a_stale_version_from_the_page_says_so(web, case, item):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done",
        {"version": str(item.version + 1)},
        follow_redirects=True,
    )
    assert CONFLICT in visible_text(response)
    assert reload(ChecklistItem, item.id).state == ItemState.TODO
    assert all_events() == []
    assert db_digest() == before


@pytest.mark.parametrize("version", [MISSING, "", "abc"])
def test_tick_without_a_version_answers_400(web, case, item, version):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done", apply({"version": "1"}, {"version": version})
    )
    assert response.status_code == 400
    assert db_digest() == before


def test_ticking_twice_with_the_same_version_records_one_event(web, case, item):
    payload = {"version": str(item.version)}
    first = web.post_form(f"/cases/{case.id}/checklist/{item.id}/done", payload)
    assert first.status_code == 302
    before = db_digest()
    second = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done",
        payload,
        headers={"Accept": "application/json"},
    )
    assert second.status_code == 409
    assert db_digest() == before
    assert len(all_events()) == 1


# --- whose items ------------------------------------------------------------------------


def test_an_item_of_another_case_answers_404(web, case, make_case, advisor):
    other = make_case(
        advisor,
        household_name="Other family",
        arrival_date=ARRIVAL,
        persons=[person(first="Omar", last="Haddad", nationality="MA")],
    )
    foreign_item = item_for(other.id, REGISTRATION)
    before = db_digest()
    url = f"/cases/{case.id}/checklist/{foreign_item.id}"
    assert web.get(url).status_code == 404
    response = web.post_form(
        url, item_form(foreign_item.id, {"state": "not_applicable", "not_applicable_reason": "x"})
    )
    assert response.status_code == 404
    response = web.post_form(f"{url}/done", {"version": str(foreign_item.version)})
    assert response.status_code == 404
    assert db_digest() == before
    assert reload(ChecklistItem, foreign_item.id).state == ItemState.TODO


@pytest.mark.parametrize("bad_id", ["abc", "-1", "99999", "1.5", "2147483648", "9" * 30])
def test_item_ids_that_match_nothing_answer_404(web, case, bad_id):
    assert web.get(f"/cases/{case.id}/checklist/{bad_id}").status_code == 404


def test_a_followup_assignee_may_read_the_item_but_not_change_it(
    client_for, make_user, case, item, advisor
):
    helper = make_user("advisor", name="Hanna Helper")
    add_followup(
        case,
        advisor,
        title="Translate the letter",
        details=None,
        due_date=date(2030, 1, 1),
        assignee_id=helper.id,
    )
    db.session.commit()
    helper_web = client_for(helper)

    page = helper_web.get(f"/cases/{case.id}/checklist/{item.id}")
    assert page.status_code == 200
    shown = visible_text(page)
    assert "Register at the town hall" in shown
    assert "8 working days after arrival" in shown
    assert "Update this step" not in shown
    assert 'name="version"' not in page.get_data(as_text=True)

    before = db_digest()
    response = helper_web.post_form(
        f"/cases/{case.id}/checklist/{item.id}",
        item_form(item.id, {"state": "not_applicable", "not_applicable_reason": "Not needed"}),
    )
    assert response.status_code == 403
    response = helper_web.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done", {"version": str(item.version)}
    )
    assert response.status_code == 403
    assert db_digest() == before
    assert reload(ChecklistItem, item.id).state == ItemState.TODO


def test_an_advisor_without_access_gets_404(client_for, make_user, case, item):
    stranger = client_for(make_user("advisor", name="Sam Stranger"))
    before = db_digest()
    assert stranger.get(f"/cases/{case.id}/checklist/{item.id}").status_code == 404
    response = stranger.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done", {"version": str(item.version)}
    )
    assert response.status_code == 404
    assert db_digest() == before


# --- undo after a tick (the case page's "Undo" button) --------------------------------------

UNDO = {
    "en": ("Step back to “In progress”: Register at the town hall", "1 of"),
    "nl": ("Stap terug naar “Bezig”: Inschrijving in de gemeente", "1 van"),
}


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_undo_after_a_tick_puts_the_step_back_and_records_both(web, case, item, advisor, locale):
    from caseflow.core.audit import AuditEvent

    advisor.locale = locale
    web.post_form(
        f"/cases/{case.id}/checklist/{item.id}", item_form(item.id, {"state": "in_progress"})
    )
    url = f"/cases/{case.id}/checklist/{item.id}/done"
    json = {"Accept": "application/json"}
    ticked = web.post_form(
        url, {"version": str(reload(ChecklistItem, item.id).version)}, headers=json
    )
    assert ticked.status_code == 200
    payload = ticked.get_json()
    assert (payload["state"], payload["previous_state"]) == ("done", "in_progress")
    assert payload["progress_parts"]["done"].startswith(UNDO[locale][1])
    assert reload(ChecklistItem, item.id).version == payload["version"]

    undone = web.post_form(
        url, {"version": str(payload["version"]), "undo": "in_progress"}, headers=json
    )
    assert undone.status_code == 200
    back = undone.get_json()
    assert back["state"] == "in_progress"
    assert back["done"] == 0
    assert back["message"] == UNDO[locale][0]
    stored = reload(ChecklistItem, item.id)
    assert stored.state == ItemState.IN_PROGRESS
    assert stored.completed_at is None
    assert [(e.from_value, e.to_value) for e in events_of(item.id)] == [
        ("todo", "in_progress"),
        ("in_progress", "done"),
        ("done", "in_progress"),
    ]
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "checklist_item.done").order_by(AuditEvent.id)
    ).all()
    assert [(a.object_id, a.details.get("undo")) for a in audit] == [
        (item.id, None),
        (item.id, "in_progress"),
    ]


@pytest.mark.parametrize("state", ["not_applicable", "done", "closed"])
def test_undo_to_anything_but_an_open_state_is_refused(web, case, item, state):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done",
        {"version": str(item.version), "undo": state},
    )
    assert response.status_code == 400
    assert db_digest() == before


# --- the step page: previous and next step, the reason field ------------------------------


def page_order(web, case_id: int) -> list[int]:
    """The steps in the case page's order (nothing done yet, so nothing folded)."""
    body = web.get(f"/cases/{case_id}").get_data(as_text=True)
    return [int(i) for i in re.findall(r'<li[^>]*id="item-(\d+)"', body)]


def step_links(response) -> dict[str, tuple[int, str]]:
    body = response.get_data(as_text=True)
    return {
        rel: (int(item_id), " ".join(html.unescape(re.sub(r"<[^>]+>", " ", label)).split()))
        for rel, item_id, label in re.findall(
            r'<a rel="(prev|next)" href="/cases/\d+/checklist/(\d+)">(.*?)</a>', body, re.S
        )
    }


@pytest.mark.parametrize(
    ("locale", "previous", "following"),
    [("en", "Previous step", "Next step"), ("nl", "Vorige stap", "Volgende stap")],
)
def test_the_step_page_links_the_previous_and_next_step(
    web, case, advisor, locale, previous, following
):
    advisor.locale = locale
    order = page_order(web, case.id)
    assert len(order) >= 3
    titles = {
        i.id: i.template_item.title(locale)
        for i in db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.case_id == case.id)
            .options(selectinload(ChecklistItem.template_item))
        )
    }
    middle = web.get(f"/cases/{case.id}/checklist/{order[1]}")
    assert step_links(middle) == {
        "prev": (order[0], f"← {previous} {titles[order[0]]}"),
        "next": (order[2], f"{following} → {titles[order[2]]}"),
    }
    assert set(step_links(web.get(f"/cases/{case.id}/checklist/{order[0]}"))) == {"next"}
    assert set(step_links(web.get(f"/cases/{case.id}/checklist/{order[-1]}"))) == {"prev"}


@pytest.mark.parametrize(
    ("locale", "hint"),
    [
        ("en", "Needed when the state is “Not applicable”."),
        ("nl", "Nodig als de status “Niet van toepassing” is."),
    ],
)
def test_the_reason_field_stays_on_the_page_with_its_hint(web, case, item, advisor, locale, hint):
    """Without JavaScript the reason is always there, its hint says when it is needed;
    static/js/checklist.js hides it while another state is chosen (browser test)."""
    advisor.locale = locale
    body = web.get(f"/cases/{case.id}/checklist/{item.id}").get_data(as_text=True)
    block = re.search(r"<div data-reason-field>(.*?)</textarea>.*?</div>", body, re.S)
    assert block, "the reason field is not wrapped for the script"
    assert 'name="not_applicable_reason"' in block.group(0)
    assert hint in html.unescape(body[block.start() : block.start() + 2000])
    assert "hidden" not in block.group(0).split(">")[0]

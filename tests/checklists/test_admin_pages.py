"""The checklist admin pages: templates, their steps, the order of steps and the preview."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import CaseType, HouseholdRole
from caseflow.checklists.catalogue import TEMPLATES
from caseflow.checklists.models import (
    Category,
    ChecklistItem,
    ChecklistTemplate,
    DeadlineKind,
    NationalityGroup,
    Scope,
    TemplateItem,
    template_case_types,
)
from caseflow.checklists.rules import add_working_days
from caseflow.checklists.seeding import seed_catalogue
from caseflow.extensions import db
from tests.conftest import db_digest, person, reload
from tests.forms_helpers import LONG, MISSING, NUL, apply, assert_refused, shown_errors

REQUIRED = "This field is required."
NOT_ALLOWED = "This field contains characters that are not allowed."
CHOICE = "Not a valid choice"
AGES = "The upper age is below the lower age."
NEEDS_N = "This deadline needs a number."
NEEDS_M = "Say how many months before expiry the step is due."
WINDOW = "The window must open (N) before it is due (M)."
NO_CASE = "No case with this reference in your centre."

ARRIVAL = date(2026, 4, 1)  # a Wednesday; Easter Monday (6 April) falls in the next 8 days


# --- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ada Admin")


@pytest.fixture
def web(client_for, admin):
    return client_for(admin)


@pytest.fixture
def seeded(centre):
    seed_catalogue(centre)
    db.session.commit()
    return centre


@pytest.fixture
def other_seeded(other_centre):
    seed_catalogue(other_centre)
    db.session.commit()
    return other_centre


def template_by_key(centre_id: int, key: str) -> ChecklistTemplate:
    db.session.expire_all()
    return db.session.scalars(
        select(ChecklistTemplate).where(
            ChecklistTemplate.centre_id == centre_id, ChecklistTemplate.key == key
        )
    ).one()


def items_of(template_id: int) -> list[TemplateItem]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(TemplateItem)
            .where(TemplateItem.template_id == template_id)
            .order_by(TemplateItem.position, TemplateItem.id)
        )
    )


def item_by_key(template_id: int, key: str) -> TemplateItem:
    return next(i for i in items_of(template_id) if i.key == key)


def case_types_of(centre_id: int) -> list[CaseType]:
    return list(
        db.session.scalars(
            select(CaseType).where(CaseType.centre_id == centre_id).order_by(CaseType.id)
        )
    )


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_rows(response) -> list[list[str]]:
    """The body rows of the page's table, as lists of visible cell texts."""
    body = response.get_data(as_text=True)
    return [
        [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
        if "<td" in row
    ]


def visible_text(response) -> str:
    return text_of(response.get_data(as_text=True))


def step_form(case_type_ids=(), overrides: dict | None = None) -> dict:
    """A valid "new step" payload with every rule field set, then ``overrides``."""
    data = {
        "category": "health",
        "title_en": "Get a vaccination card",
        "title_nl": "Vraag een vaccinatiekaart aan",
        "title_fr": "Demandez une carte de vaccination",
        "explanation_en": "Ask your GP.",
        "explanation_nl": "Vraag het aan je huisarts.",
        "explanation_fr": "Demandez à votre médecin.",
        "scope": "person",
        "nationality_group": "third_country",
        "household_roles": ["main_applicant", "partner"],
        "min_age": "18",
        "max_age": "65",
        "case_type_ids": [str(i) for i in case_type_ids],
        "deadline_kind": "working_days",
        "deadline_value": "8",
        "deadline_value_to": "",
        "is_required": "y",
        "is_active": "y",
    }
    return apply(data, overrides)


def stored_step_values(item: TemplateItem) -> dict:
    return {
        "category": item.category,
        "title_en": item.title_en,
        "title_nl": item.title_nl,
        "title_fr": item.title_fr,
        "explanation_en": item.explanation_en,
        "explanation_nl": item.explanation_nl,
        "explanation_fr": item.explanation_fr,
        "scope": item.scope,
        "nationality_group": item.nationality_group,
        "household_roles": sorted(item.household_roles),
        "min_age": item.min_age,
        "max_age": item.max_age,
        "case_type_ids": sorted(item.case_type_ids),
        "deadline_kind": item.deadline_kind,
        "deadline_value": item.deadline_value,
        "deadline_value_to": item.deadline_value_to,
        "is_required": item.is_required,
        "is_active": item.is_active,
    }


@pytest.fixture
def empty_template(centre):
    template = ChecklistTemplate(centre_id=centre.id, name="Hand-made checklist")
    db.session.add(template)
    db.session.commit()
    return template


# --- index --------------------------------------------------------------------------------


def test_index_lists_the_seeded_templates_with_their_steps(web, seeded):
    response = web.get("/admin/checklists")
    assert response.status_code == 200
    rows = {row[0]: row for row in table_rows(response)}
    assert rows == {
        "Arrival in Flanders": ["Arrival in Flanders", "All", "19", "In use"],
        "Posted workers": ["Posted workers", "Posted worker", "2", "In use"],
    }
    assert sum(len(t["items"]) for t in TEMPLATES) == 21 == count(TemplateItem)


def test_index_does_not_list_another_centres_templates(web, centre, other_centre):
    other = ChecklistTemplate(centre_id=other_centre.id, name="Antwerp-only checklist")
    db.session.add(other)
    db.session.commit()
    response = web.get("/admin/checklists")
    assert response.status_code == 200
    assert "Antwerp-only checklist" not in response.get_data(as_text=True)
    assert "No checklists yet." in visible_text(response)


# --- creating and editing a template ----------------------------------------------------


def test_new_template_stores_the_ticked_case_types(web, centre):
    own = case_types_of(centre.id)
    ticked = [own[0].id, own[3].id]
    response = web.post_form(
        "/admin/checklists/new",
        {"name": "Researchers", "case_type_ids": [str(i) for i in ticked], "is_active": "y"},
    )
    assert response.status_code == 302, shown_errors(response)
    db.session.expire_all()
    template = db.session.scalars(select(ChecklistTemplate)).one()
    assert (template.name, template.centre_id, template.is_active, template.key) == (
        "Researchers",
        centre.id,
        True,
        None,
    )
    linked = db.session.execute(select(template_case_types.c.case_type_id)).scalars().all()
    assert sorted(linked) == sorted(ticked)
    assert response.location.endswith(f"/admin/checklists/{template.id}")

    page = web.get("/admin/checklists")
    assert ["Researchers", f"{own[0].name_en}, {own[3].name_en}", "0", "In use"] in table_rows(page)


def test_new_template_never_links_another_centres_case_type(web, centre, other_centre):
    own = case_types_of(centre.id)[0]
    foreign = case_types_of(other_centre.id)[0]
    before = db_digest()
    response = web.post_form(
        "/admin/checklists/new",
        {"name": "Mixed", "case_type_ids": [str(own.id), str(foreign.id)], "is_active": "y"},
    )
    linked = db.session.execute(select(template_case_types.c.case_type_id)).scalars().all()
    assert foreign.id not in linked
    if response.status_code == 302:
        # Accepted: the foreign id is dropped, the centre's own type is kept.
        assert linked == [own.id]
    else:
        # Refused: the form is shown again with an error and nothing is stored.
        assert_refused(response, before, None)
    foreign_rows = db.session.scalar(
        select(func.count())
        .select_from(template_case_types)
        .where(template_case_types.c.case_type_id == foreign.id)
    )
    assert foreign_rows == 0


def test_new_template_with_only_another_centres_case_type_stores_none_of_it(
    web, centre, other_centre
):
    foreign = case_types_of(other_centre.id)[0]
    before = db_digest()
    response = web.post_form(
        "/admin/checklists/new",
        {"name": "Foreign", "case_type_ids": [str(foreign.id)], "is_active": "y"},
    )
    if response.status_code == 302:
        template = db.session.scalars(select(ChecklistTemplate)).one()
        assert reload(ChecklistTemplate, template.id).centre_id == centre.id
    else:
        assert_refused(response, before, None)
    assert count(template_case_types) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"name": ""}, REQUIRED, id="no-name"),
        pytest.param({"name": MISSING}, REQUIRED, id="name-absent"),
        pytest.param({"name": NUL}, NOT_ALLOWED, id="nul"),
        pytest.param({"name": LONG}, "Field cannot be longer than 120 characters.", id="10k"),
    ],
)
def test_new_template_refuses_bad_input(web, centre, overrides, message):
    before = db_digest()
    response = web.post_form(
        "/admin/checklists/new", apply({"name": "A name", "is_active": "y"}, overrides)
    )
    assert_refused(response, before, message)
    assert count(ChecklistTemplate) == 0


def test_editing_a_template_changes_its_name_and_case_types(web, seeded):
    template = template_by_key(seeded.id, "posted-workers")
    other_type = case_types_of(seeded.id)[1]
    page = web.get(f"/admin/checklists/{template.id}")
    assert page.status_code == 200
    assert "Limosa declaration" in visible_text(page)
    response = web.post_form(
        f"/admin/checklists/{template.id}",
        {"name": "Posted and EU workers", "case_type_ids": [str(other_type.id)]},
    )
    assert response.status_code == 302, shown_errors(response)
    db.session.expire_all()
    stored = db.session.get(ChecklistTemplate, template.id)
    assert (stored.name, stored.is_active) == ("Posted and EU workers", False)
    linked = (
        db.session.execute(
            select(template_case_types.c.case_type_id).where(
                template_case_types.c.template_id == template.id
            )
        )
        .scalars()
        .all()
    )
    assert linked == [other_type.id]
    assert len(items_of(template.id)) == 2  # the steps are untouched


# --- creating a step ----------------------------------------------------------------------


def test_new_step_with_every_rule_field_is_stored_exactly(web, seeded):
    template = template_by_key(seeded.id, "posted-workers")
    own = case_types_of(seeded.id)
    ticked = [own[0].id, own[3].id]
    last_position = items_of(template.id)[-1].position
    page = web.get(f"/admin/checklists/{template.id}/items/new")
    assert page.status_code == 200
    assert "New step" in visible_text(page)

    response = web.post_form(f"/admin/checklists/{template.id}/items/new", step_form(ticked))
    assert response.status_code == 302, shown_errors(response)
    assert response.location.endswith(f"/admin/checklists/{template.id}")
    created = items_of(template.id)[-1]
    assert stored_step_values(created) == {
        "category": Category.HEALTH,
        "title_en": "Get a vaccination card",
        "title_nl": "Vraag een vaccinatiekaart aan",
        "title_fr": "Demandez une carte de vaccination",
        "explanation_en": "Ask your GP.",
        "explanation_nl": "Vraag het aan je huisarts.",
        "explanation_fr": "Demandez à votre médecin.",
        "scope": Scope.PERSON,
        "nationality_group": NationalityGroup.THIRD_COUNTRY,
        "household_roles": sorted([HouseholdRole.MAIN_APPLICANT, HouseholdRole.PARTNER]),
        "min_age": 18,
        "max_age": 65,
        "case_type_ids": sorted(ticked),
        "deadline_kind": DeadlineKind.WORKING_DAYS,
        "deadline_value": 8,
        "deadline_value_to": None,
        "is_required": True,
        "is_active": True,
    }
    assert (created.template_id, created.key) == (template.id, None)
    assert created.position > last_position
    assert len(items_of(template.id)) == 3

    shown = visible_text(web.get(f"/admin/checklists/{template.id}"))
    assert "Get a vaccination card" in shown
    assert "8 working days after arrival" in shown


def test_new_step_with_an_expiry_window_is_stored(web, empty_template):
    response = web.post_form(
        f"/admin/checklists/{empty_template.id}/items/new",
        step_form(
            overrides={
                "deadline_kind": "expiry_window",
                "deadline_value": "6",
                "deadline_value_to": "2",
                "nationality_group": "",
                "household_roles": [],
                "min_age": "",
                "max_age": "",
                "is_required": MISSING,
            }
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    [item] = items_of(empty_template.id)
    assert (
        item.deadline_kind,
        item.deadline_value,
        item.deadline_value_to,
        item.nationality_group,
        item.household_roles,
        item.min_age,
        item.max_age,
        item.case_type_ids,
        item.is_required,
    ) == (DeadlineKind.EXPIRY_WINDOW, 6, 2, None, [], None, None, [], False)


def test_new_step_never_keeps_another_centres_case_type(web, seeded, other_centre):
    template = template_by_key(seeded.id, "posted-workers")
    own = case_types_of(seeded.id)[0]
    foreign = case_types_of(other_centre.id)[0]
    before = db_digest()
    response = web.post_form(
        f"/admin/checklists/{template.id}/items/new", step_form([own.id, foreign.id])
    )
    if response.status_code == 302:
        created = items_of(template.id)[-1]
        assert created.case_type_ids == [own.id]
    else:
        assert_refused(response, before, None)
    for item in db.session.scalars(select(TemplateItem)):
        assert foreign.id not in item.case_type_ids


STEP_ERRORS = [
    pytest.param({"title_en": ""}, REQUIRED, id="no-english-title"),
    pytest.param({"title_nl": MISSING}, REQUIRED, id="dutch-title-absent"),
    pytest.param({"title_fr": "  \t "}, REQUIRED, id="french-title-blank"),
    pytest.param(
        {"title_en": "", "title_nl": "", "title_fr": ""}, REQUIRED, id="all-titles-missing"
    ),
    pytest.param({"min_age": "40", "max_age": "30"}, AGES, id="min-age-above-max-age"),
    pytest.param({"deadline_value": ""}, NEEDS_N, id="working-days-without-n"),
    pytest.param({"deadline_kind": "months", "deadline_value": MISSING}, NEEDS_N, id="months-no-n"),
    pytest.param(
        {"deadline_kind": "expiry_window", "deadline_value": "2", "deadline_value_to": "6"},
        WINDOW,
        id="expiry-window-m-above-n",
    ),
    pytest.param(
        {"deadline_kind": "expiry_window", "deadline_value": "6", "deadline_value_to": ""},
        NEEDS_M,
        id="expiry-window-without-m",
    ),
    pytest.param({"title_en": NUL}, NOT_ALLOWED, id="nul-in-title"),
    pytest.param({"explanation_fr": "Bonjour\x00"}, NOT_ALLOWED, id="nul-in-explanation"),
    pytest.param({"title_nl": LONG}, "Field cannot be longer than 120 characters.", id="10k-title"),
    pytest.param(
        {"title_en": LONG, "title_nl": LONG, "title_fr": LONG},
        "Field cannot be longer than 120 characters.",
        id="10k-all-titles",
    ),
    pytest.param({"category": "paperwork"}, CHOICE, id="unknown-category"),
    pytest.param({"category": ""}, CHOICE, id="empty-category"),
    pytest.param({"deadline_kind": "fortnights"}, CHOICE, id="unknown-deadline-kind"),
    pytest.param({"scope": "village"}, CHOICE, id="unknown-scope"),
    pytest.param({"nationality_group": "martian"}, CHOICE, id="unknown-nationality-group"),
    pytest.param({"household_roles": ["landlord"]}, None, id="unknown-household-role"),
    pytest.param({"min_age": "-1"}, None, id="negative-age"),
    pytest.param({"deadline_value": "abc"}, None, id="n-not-a-number"),
]


@pytest.mark.parametrize(("overrides", "message"), STEP_ERRORS)
def test_new_step_refuses_bad_input(web, seeded, overrides, message):
    template = template_by_key(seeded.id, "posted-workers")
    before = db_digest()
    response = web.post_form(
        f"/admin/checklists/{template.id}/items/new", step_form(overrides=overrides)
    )
    assert_refused(response, before, message)
    assert len(items_of(template.id)) == 2
    assert "Save step" in response.get_data(as_text=True)


# --- editing a step -----------------------------------------------------------------------


def test_edit_step_page_shows_the_stored_rule(web, seeded):
    template = template_by_key(seeded.id, "arrival-flanders")
    item = item_by_key(template.id, "municipal-registration-third-country")
    response = web.get(f"/admin/checklists/{template.id}/items/{item.id}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'value="Register at the town hall"' in body
    assert re.search(
        r'<option[^>]*selected[^>]*value="working_days"|'
        r'<option[^>]*value="working_days"[^>]*selected',
        body,
    )
    assert re.search(
        r'<option[^>]*selected[^>]*value="third_country"|'
        r'<option[^>]*value="third_country"[^>]*selected',
        body,
    )
    assert re.search(
        r'name="deadline_value"[^>]*value="8"|value="8"[^>]*name="deadline_value"', body
    )


def test_editing_a_step_stores_the_change(web, seeded):
    template = template_by_key(seeded.id, "arrival-flanders")
    item = item_by_key(template.id, "municipal-registration-third-country")
    position = item.position
    response = web.post_form(
        f"/admin/checklists/{template.id}/items/{item.id}",
        step_form(
            overrides={
                "category": "residence",
                "title_en": "Register at the municipality",
                "title_nl": "Inschrijving bij de gemeente",
                "title_fr": "Inscription communale",
                "household_roles": [],
                "min_age": "",
                "max_age": "",
                "deadline_kind": "calendar_days",
                "deadline_value": "10",
            }
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    stored = reload(TemplateItem, item.id)
    assert stored_step_values(stored) == {
        "category": Category.RESIDENCE,
        "title_en": "Register at the municipality",
        "title_nl": "Inschrijving bij de gemeente",
        "title_fr": "Inscription communale",
        "explanation_en": "Ask your GP.",
        "explanation_nl": "Vraag het aan je huisarts.",
        "explanation_fr": "Demandez à votre médecin.",
        "scope": Scope.PERSON,
        "nationality_group": NationalityGroup.THIRD_COUNTRY,
        "household_roles": [],
        "min_age": None,
        "max_age": None,
        "case_type_ids": [],
        "deadline_kind": DeadlineKind.CALENDAR_DAYS,
        "deadline_value": 10,
        "deadline_value_to": None,
        "is_required": True,
        "is_active": True,
    }
    assert (stored.key, stored.position) == ("municipal-registration-third-country", position)
    assert len(items_of(template.id)) == 19
    shown = visible_text(web.get(f"/admin/checklists/{template.id}"))
    assert "Register at the municipality" in shown
    assert "10 days after arrival" in shown


def test_editing_a_step_with_bad_input_changes_nothing(web, seeded):
    template = template_by_key(seeded.id, "arrival-flanders")
    item = item_by_key(template.id, "municipal-registration-third-country")
    before = db_digest()
    response = web.post_form(
        f"/admin/checklists/{template.id}/items/{item.id}",
        step_form(overrides={"min_age": "70", "max_age": "12"}),
    )
    assert_refused(response, before, AGES)
    assert reload(TemplateItem, item.id).title_en == "Register at the town hall"


# --- moving a step ------------------------------------------------------------------------


def test_moving_a_step_up_swaps_it_with_the_one_above(web, seeded):
    template = template_by_key(seeded.id, "arrival-flanders")
    first, second, third = items_of(template.id)[:3]
    response = web.post_form(
        f"/admin/checklists/{template.id}/items/{second.id}/move", {"direction": "up"}
    )
    assert response.status_code == 302
    order = [i.id for i in items_of(template.id)]
    assert order[:3] == [second.id, first.id, third.id]
    assert len(order) == 19
    positions = [i.position for i in items_of(template.id)]
    assert positions == sorted(set(positions))

    page = web.get(f"/admin/checklists/{template.id}").get_data(as_text=True)
    assert page.index(f">{second.title_en}</a>") < page.index(f">{first.title_en}</a>")


def test_moving_a_step_down_swaps_it_with_the_one_below(web, seeded):
    template = template_by_key(seeded.id, "arrival-flanders")
    first, second, third = items_of(template.id)[:3]
    response = web.post_form(
        f"/admin/checklists/{template.id}/items/{first.id}/move", {"direction": "down"}
    )
    assert response.status_code == 302
    assert [i.id for i in items_of(template.id)][:3] == [second.id, first.id, third.id]


def test_moving_the_first_step_up_changes_nothing(web, seeded):
    template = template_by_key(seeded.id, "arrival-flanders")
    order = [i.id for i in items_of(template.id)]
    before = db_digest()
    response = web.post_form(
        f"/admin/checklists/{template.id}/items/{order[0]}/move", {"direction": "up"}
    )
    assert response.status_code == 302
    assert db_digest() == before
    assert [i.id for i in items_of(template.id)] == order


def test_moving_the_last_step_down_changes_nothing(web, seeded):
    template = template_by_key(seeded.id, "arrival-flanders")
    order = [i.id for i in items_of(template.id)]
    before = db_digest()
    response = web.post_form(
        f"/admin/checklists/{template.id}/items/{order[-1]}/move", {"direction": "down"}
    )
    assert response.status_code == 302
    assert db_digest() == before


@pytest.mark.parametrize("direction", ["sideways", "", "UP", "-1", MISSING])
def test_moving_with_a_bad_direction_answers_400(web, seeded, direction):
    template = template_by_key(seeded.id, "arrival-flanders")
    second = items_of(template.id)[1]
    before = db_digest()
    response = web.post_form(
        f"/admin/checklists/{template.id}/items/{second.id}/move",
        apply({"direction": "up"}, {"direction": direction}),
    )
    assert response.status_code == 400
    assert db_digest() == before


# --- preview ------------------------------------------------------------------------------


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", name="Arne Advisor")


@pytest.fixture
def household(seeded, make_case, advisor):
    """A third-country main applicant and an EU partner, arrived on ARRIVAL."""
    return make_case(
        advisor,
        household_name="Kumar-Schmidt family",
        arrival_date=ARRIVAL,
        persons=[
            person(first="Priya", last="Kumar", nationality="IN"),
            person(
                first="Lena",
                last="Schmidt",
                role=HouseholdRole.PARTNER,
                nationality="DE",
                date_of_birth=date(1991, 2, 3),
            ),
        ],
    )


def test_preview_shows_the_households_steps_and_due_dates_and_saves_nothing(web, seeded, household):
    template = template_by_key(seeded.id, "arrival-flanders")
    items_before = count(ChecklistItem)
    before = db_digest()
    response = web.get(
        f"/admin/checklists/{template.id}/preview", query_string={"reference": household.reference}
    )
    assert response.status_code == 200
    shown = visible_text(response)
    assert household.reference in shown
    assert "Kumar-Schmidt family" in shown
    assert "arrival 01/04/2026" in shown
    assert "Nothing was saved." in shown

    rows = table_rows(response)
    registration_due = add_working_days(ARRIVAL, 8)
    assert registration_due == date(2026, 4, 14)  # Easter Monday is not a working day
    assert [
        "Priya Kumar",
        "Register at the town hall",
        registration_due.strftime("%d/%m/%Y"),
        "8 working days after arrival",
    ] in rows
    assert [
        "Lena Schmidt",
        "Register at the town hall (EU/EEA/Swiss)",
        "01/07/2026",
        "3 months after arrival",
    ] in rows
    assert ["Whole household", "Police address check", "01/05/2026"] in [r[:3] for r in rows]
    # The third-country step is not given to the EU partner, nor the EU step to Priya.
    assert not any(r[:2] == ["Lena Schmidt", "Register at the town hall"] for r in rows)
    assert not any(
        r[:2] == ["Priya Kumar", "Register at the town hall (EU/EEA/Swiss)"] for r in rows
    )

    assert db_digest() == before
    assert count(ChecklistItem) == items_before


def test_preview_of_a_template_for_other_case_types_gives_no_steps(web, seeded, household):
    template = template_by_key(seeded.id, "posted-workers")  # only for posted workers
    before = db_digest()
    response = web.get(
        f"/admin/checklists/{template.id}/preview", query_string={"reference": household.reference}
    )
    assert response.status_code == 200
    assert "This checklist gives no steps to this household." in visible_text(response)
    assert db_digest() == before


def test_preview_without_a_reference_shows_the_form(web, seeded):
    template = template_by_key(seeded.id, "arrival-flanders")
    response = web.get(f"/admin/checklists/{template.id}/preview")
    assert response.status_code == 200
    assert 'name="reference"' in response.get_data(as_text=True)
    assert shown_errors(response) == []


def test_preview_with_an_unknown_reference_says_so(web, seeded, household):
    template = template_by_key(seeded.id, "arrival-flanders")
    before = db_digest()
    response = web.get(
        f"/admin/checklists/{template.id}/preview", query_string={"reference": "LIM-1999-9999"}
    )
    assert response.status_code == 200
    assert NO_CASE in shown_errors(response)
    assert "Kumar" not in response.get_data(as_text=True)
    assert table_rows(response) == []
    assert db_digest() == before


def test_preview_with_another_centres_reference_shows_nothing_of_that_case(
    web, seeded, other_seeded, make_user, make_case
):
    outsider = make_user("advisor", centre_=other_seeded, name="Otto Outsider")
    foreign = make_case(
        outsider,
        household_name="Zyxwright household",
        arrival_date=ARRIVAL,
        persons=[person(first="Qwendolyn", last="Vortexa", nationality="IN")],
    )
    assert foreign.reference.startswith("ANT-")
    template = template_by_key(seeded.id, "arrival-flanders")
    before = db_digest()
    response = web.get(
        f"/admin/checklists/{template.id}/preview", query_string={"reference": foreign.reference}
    )
    assert response.status_code == 200
    assert NO_CASE in shown_errors(response)
    body = response.get_data(as_text=True)
    for secret in ("Zyxwright", "Qwendolyn", "Vortexa", "Otto Outsider"):
        assert secret not in body
    assert table_rows(response) == []
    assert db_digest() == before


# --- other centres and other templates ----------------------------------------------------


def foreign_urls(template_id: int, item_id: int):
    return [
        ("GET", f"/admin/checklists/{template_id}"),
        ("POST", f"/admin/checklists/{template_id}"),
        ("GET", f"/admin/checklists/{template_id}/items/new"),
        ("POST", f"/admin/checklists/{template_id}/items/new"),
        ("GET", f"/admin/checklists/{template_id}/items/{item_id}"),
        ("POST", f"/admin/checklists/{template_id}/items/{item_id}"),
        ("POST", f"/admin/checklists/{template_id}/items/{item_id}/move"),
        ("GET", f"/admin/checklists/{template_id}/preview?reference=LIM-2026-0001"),
    ]


def send(web, method: str, url: str, data: dict):
    return web.get(url) if method == "GET" else web.post_form(url, data)


def test_another_centres_template_answers_404(web, seeded, other_seeded):
    foreign = template_by_key(other_seeded.id, "posted-workers")
    foreign_item = items_of(foreign.id)[1]
    payload = {**step_form(), "name": "Taken over", "direction": "up"}
    before = db_digest()
    for method, url in foreign_urls(foreign.id, foreign_item.id):
        response = send(web, method, url, payload)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "Limosa" not in response.get_data(as_text=True)
    assert db_digest() == before


def test_another_centres_item_under_an_own_template_answers_404(web, seeded, other_seeded):
    own = template_by_key(seeded.id, "posted-workers")
    foreign_item = items_of(template_by_key(other_seeded.id, "posted-workers").id)[1]
    payload = {**step_form(), "direction": "up"}
    before = db_digest()
    for method, url in [
        ("GET", f"/admin/checklists/{own.id}/items/{foreign_item.id}"),
        ("POST", f"/admin/checklists/{own.id}/items/{foreign_item.id}"),
        ("POST", f"/admin/checklists/{own.id}/items/{foreign_item.id}/move"),
    ]:
        response = send(web, method, url, payload)
        assert response.status_code == 404, (method, url, response.status_code)
    assert db_digest() == before


def test_an_item_of_another_template_answers_404(web, seeded):
    arrival = template_by_key(seeded.id, "arrival-flanders")
    posted = template_by_key(seeded.id, "posted-workers")
    posted_item = items_of(posted.id)[1]
    payload = {**step_form(), "direction": "up"}
    before = db_digest()
    for method, url in [
        ("GET", f"/admin/checklists/{arrival.id}/items/{posted_item.id}"),
        ("POST", f"/admin/checklists/{arrival.id}/items/{posted_item.id}"),
        ("POST", f"/admin/checklists/{arrival.id}/items/{posted_item.id}/move"),
    ]:
        response = send(web, method, url, payload)
        assert response.status_code == 404, (method, url, response.status_code)
    assert db_digest() == before
    assert reload(TemplateItem, posted_item.id).template_id == posted.id


@pytest.mark.parametrize("bad_id", ["abc", "-1", "99999", "1.5", "2147483648", "9" * 30])
def test_template_ids_that_match_nothing_answer_404(web, seeded, bad_id):
    assert web.get(f"/admin/checklists/{bad_id}").status_code == 404
    assert web.get(f"/admin/checklists/{bad_id}/preview").status_code == 404


def test_an_advisor_may_not_open_the_admin_pages(client_for, advisor, seeded):
    template = template_by_key(seeded.id, "arrival-flanders")
    advisor_web = client_for(advisor)
    before = db_digest()
    assert advisor_web.get("/admin/checklists").status_code == 403
    assert advisor_web.get(f"/admin/checklists/{template.id}/preview").status_code == 403
    response = advisor_web.post_form(f"/admin/checklists/{template.id}/items/new", step_form())
    assert response.status_code == 403
    assert db_digest() == before

"""Intake without friction, server side (issue 11): the no-JavaScript "Add a person"
returns at the new row with its defaults filled in, an empty household name is made from
the last name, one timeline entry at creation, and an error summary that links to the
fields. English and Dutch."""

import html
import re

import pytest
from sqlalchemy import select

from caseflow.cases.models import Activity, ActivityKind, Case
from caseflow.extensions import db
from tests.conftest import db_digest
from tests.forms_helpers import MISSING, first_case_type, new_case_form

WORDS = {
    "en": {
        "person": "Person",
        "add": "Add a person",
        "family": "Silva family",
        "created": "Case created: advisor Anna Advisor",
        "advisor_changed": "Advisor changed",
        "summary": "Please correct these fields:",
        "first_name": "First name",
        "nationality": "Nationality",
        "consent": "The client agreed to the privacy notice shown above.",
    },
    "nl": {
        "person": "Persoon",
        "add": "Persoon toevoegen",
        "family": "Familie Silva",
        "created": "Dossier aangemaakt: adviseur Anna Advisor",
        "advisor_changed": "Adviseur gewijzigd",
        "summary": "Verbeter deze velden:",
        "first_name": "Voornaam",
        "nationality": "Nationaliteit",
        "consent": "De klant stemde in met de privacyverklaring hierboven.",
    },
}
LOCALES = pytest.mark.parametrize("locale", ["en", "nl"])


@pytest.fixture
def advisor_in(make_user):
    def make(locale):
        return make_user("advisor", name="Anna Advisor", locale=locale)

    return make


def page(response) -> str:
    return response.get_data(as_text=True)


def visible_text(body: str) -> str:
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    return re.sub(r" ([:,.])", r"\1", text)


def row_html(body: str, number: int) -> str:
    """The HTML of person row ``number`` (1-based) as rendered (not the <template>)."""
    match = re.search(rf'<fieldset[^>]*id="person-{number}".*?</fieldset>', body, re.S)
    assert match, f"no person row {number}"
    return match.group(0)


def value_of(row: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', row)
    return html.unescape(match.group(1)) if match else None


def selected(row: str, name: str) -> str | None:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', row, re.S).group(0)
    match = re.search(r'<option selected value="([^"]*)"', select_html) or re.search(
        r'<option value="([^"]*)" selected', select_html
    )
    return match.group(1) if match else None


def add_person_post(client, case_type_id, persons):
    data = new_case_form(
        case_type_id, {"add_person": "1", "save": MISSING, "household_name": ""}, persons
    )
    return client.post_form("/cases/new", data)


@LOCALES
def test_add_person_without_javascript_returns_at_the_new_row_with_defaults(
    client_for, advisor_in, centre, locale
):
    client = client_for(advisor_in(locale))
    words = WORDS[locale]
    form = page(client.get("/cases/new"))
    # The button posts to the anchor of the row it adds, so the page comes back there.
    assert re.search(r'name="add_person"[^>]*formaction="#person-2"', form)
    before = db_digest()
    response = add_person_post(client, first_case_type(centre.id).id, [{"last_name": "Patel"}])
    assert response.status_code == 200 and db_digest() == before
    body = page(response)
    second = row_html(body, 2)
    assert f"{words['person']} 2</legend>" in second
    assert value_of(second, "persons-1-first_name") in (None, "")
    assert value_of(second, "persons-1-last_name") == "Patel"
    assert selected(second, "persons-1-nationality") == "BR"
    assert selected(second, "persons-1-household_role") == "partner"
    # The next "Add a person" goes to row 3; the first row keeps what was typed.
    assert re.search(r'name="add_person"[^>]*formaction="#person-3"', body)
    assert words["add"] in body
    assert value_of(row_html(body, 1), "persons-0-last_name") == "Patel"


@LOCALES
def test_a_third_person_starts_as_a_child(client_for, advisor_in, centre, locale):
    client = client_for(advisor_in(locale))
    persons = [{}, {"first_name": "Rui", "household_role": "partner", "nationality": "PT"}]
    body = page(add_person_post(client, first_case_type(centre.id).id, persons))
    third = row_html(body, 3)
    assert f"{WORDS[locale]['person']} 3</legend>" in third
    assert selected(third, "persons-2-household_role") == "child"
    # The first person's last name and nationality, not the partner's.
    assert value_of(third, "persons-2-last_name") == "Silva"
    assert selected(third, "persons-2-nationality") == "BR"


@LOCALES
def test_the_form_suggests_the_household_name_pattern(client_for, advisor_in, locale):
    body = page(client_for(advisor_in(locale)).get("/cases/new"))
    pattern = WORDS[locale]["family"].replace("Silva", "{name}")
    assert f'data-household-pattern="{pattern}"' in body


@LOCALES
def test_an_empty_household_name_is_made_from_the_last_name(client_for, advisor_in, centre, locale):
    advisor = advisor_in(locale)
    data = new_case_form(first_case_type(centre.id).id, {"household_name": ""})
    response = client_for(advisor).post_form("/cases/new", data)
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    assert case.household_name == WORDS[locale]["family"]


@LOCALES
def test_a_typed_household_name_is_kept(client_for, advisor_in, centre, locale):
    data = new_case_form(first_case_type(centre.id).id, {"household_name": "Silva-Costa"})
    assert client_for(advisor_in(locale)).post_form("/cases/new", data).status_code == 302
    assert db.session.scalars(select(Case)).one().household_name == "Silva-Costa"


@LOCALES
def test_a_new_case_has_one_timeline_entry_naming_its_advisor(
    client_for, advisor_in, centre, locale
):
    advisor = advisor_in(locale)
    client = client_for(advisor)
    data = new_case_form(first_case_type(centre.id).id, {"advisor_id": str(advisor.id)})
    response = client.post_form("/cases/new", data)
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    kinds = db.session.scalars(select(Activity.kind).where(Activity.case_id == case.id)).all()
    assert kinds == [ActivityKind.CREATED]
    body = visible_text(page(client.get(response.location)))
    assert WORDS[locale]["created"] in body
    assert WORDS[locale]["advisor_changed"] not in body


@LOCALES
def test_the_error_summary_links_to_each_field_by_its_label(client_for, advisor_in, centre, locale):
    words = WORDS[locale]
    data = new_case_form(
        first_case_type(centre.id).id,
        {"consent": MISSING},
        persons=[{}, {"first_name": "", "nationality": ""}],
    )
    response = client_for(advisor_in(locale)).post_form("/cases/new", data)
    assert response.status_code == 400
    body = page(response)
    summary = re.search(r'<div[^>]*id="error-summary".*?</ul>', body, re.S).group(0)
    assert 'role="alert"' in summary and "autofocus" in summary
    assert words["summary"] in summary
    links = [
        (href, " ".join(html.unescape(text).split()))
        for href, text in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, re.S)
    ]
    assert links == [
        ("persons-1-first_name", f"{words['person']} 2 · {words['first_name']}"),
        ("persons-1-nationality", f"{words['person']} 2 · {words['nationality']}"),
        ("consent", words["consent"]),
    ]
    for href, _label in links:  # each link leads to a field on the page
        assert f'id="{href}"' in body

"""What the client reads: the salutation, "as soon as possible" for past dates, and
language names in the reader's language."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseflow.cases.models import Case, ClientLanguage, HouseholdRole, Person
from caseflow.cases.salutation import build_salutation
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today
from caseflow.documents import services
from caseflow.extensions import db
from tests.conftest import person
from tests.documents.test_pdfs import pdf_text
from tests.forms_helpers import edit_case_form

CENTRE = "Expat Centre Limburg"
LABEL = "Patel household (Hasselt, via employer)"  # the team's label, never the client's


def _persons(*rows):
    return [
        Person(first_name=first, last_name=last, household_role=HouseholdRole(role), position=i)
        for i, (first, last, role) in enumerate(rows)
    ]


FAMILY = (("Priya", "Patel", "main_applicant"), ("Rohan", "Patel", "partner"))
FAMILY += (("Anika", "Patel", "child"),)
COUPLE = (("Priya", "Sharma", "main_applicant"), ("Rohan", "Patel", "partner"))
ALONE = (("Priya", "Patel", "main_applicant"),)


@pytest.mark.parametrize(
    ("rows", "language", "expected"),
    [
        (FAMILY, "en", "Dear Priya and Rohan"),
        (FAMILY, "nl", "Beste familie Patel"),
        (FAMILY, "fr", "Chère famille Patel"),
        (COUPLE, "en", "Dear Priya and Rohan"),
        (COUPLE, "nl", "Beste Priya en Rohan"),
        (COUPLE, "fr", "Bonjour Priya et Rohan"),
        (ALONE, "en", "Dear Priya"),
        (ALONE, "nl", "Beste Priya"),
        (ALONE, "fr", "Bonjour Priya"),
        ((), "nl", "Beste klant"),
    ],
)
def test_the_default_salutation_follows_the_persons_and_the_clients_language(
    app, rows, language, expected
):
    with app.test_request_context():
        assert build_salutation(_persons(*rows), language) == expected


@pytest.fixture
def patel(centre, make_user, make_case):
    seed_catalogue(centre)
    db.session.commit()
    advisor = make_user("advisor", name="Arne Advisor")
    case = make_case(
        advisor,
        household_name=LABEL,
        arrival_date=today() - timedelta(days=120),  # early steps are past their date
        client_language=ClientLanguage.EN,
        contact_email="patel@example.net",
        persons=[
            person("Priya", "Patel", "main_applicant", date_of_birth=date(1990, 2, 2)),
            person("Rohan", "Patel", "partner", date_of_birth=date(1989, 3, 3)),
            person("Anika", "Patel", "child", date_of_birth=date(2019, 4, 4)),
        ],
    )
    return case, advisor


def _checklist_html(case: Case, language: str) -> str:
    case.client_language = ClientLanguage(language)
    db.session.commit()
    return services.client_checklist_html(case.id, CENTRE)


@pytest.mark.parametrize(
    ("language", "greeting"),
    [
        ("en", "Dear Priya and Rohan, here is an overview"),
        ("nl", "Beste familie Patel, hier vind je een overzicht"),
        ("fr", "Chère famille Patel, voici un aperçu"),
    ],
)
def test_the_client_checklist_greets_the_persons_never_the_household_label(
    patel, language, greeting
):
    case, _advisor = patel
    html = _checklist_html(case, language)
    assert greeting in html
    assert LABEL not in html


@pytest.mark.parametrize(
    ("language", "soon"),
    [("en", "as soon as possible"), ("nl", "zo snel mogelijk"), ("fr", "dès que possible")],
)
def test_past_dates_read_as_soon_as_possible_in_the_client_checklist(
    client_for, patel, language, soon
):
    case, advisor = patel
    items = db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id)).all()
    past = [i for i in items if i.is_overdue(today())]
    future = [i for i in items if i.is_open and i.due_date and i.due_date >= today()]
    assert past and future  # the fixture has both kinds
    case.client_language = ClientLanguage(language)
    db.session.commit()
    response = client_for(advisor).post_form(f"/cases/{case.id}/client-checklist.pdf")
    text = " ".join(pdf_text(response.data).split())  # a narrow column wraps the words
    assert soon in text
    for item in past:
        assert item.due_date.strftime("%d/%m/%Y") not in text
    assert any(i.due_date.strftime("%d/%m/%Y") in text for i in future)


def test_the_salutation_is_edited_on_the_case_form_and_used_by_the_documents(client_for, patel):
    case, advisor = patel
    http = client_for(advisor)
    response = http.post_form(
        f"/cases/{case.id}/edit", edit_case_form(case.id, {"salutation": "Dear Dr Patel"})
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).salutation == "Dear Dr Patel"
    assert "Dear Dr Patel, here is an overview" in services.client_checklist_html(case.id, CENTRE)
    page = http.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Dear Dr Patel" in page and "(default)" not in page

    # Emptied: the default again.
    http.post_form(f"/cases/{case.id}/edit", edit_case_form(case.id, {"salutation": ""}))
    db.session.expire_all()
    assert db.session.get(Case, case.id).salutation is None
    assert "Dear Priya and Rohan, here" in services.client_checklist_html(case.id, CENTRE)


@pytest.mark.parametrize(
    ("locale", "label", "default"),
    [("en", "Salutation", "(default)"), ("nl", "Aanhef", "(standaard)")],
)
def test_the_case_page_shows_the_salutation_in_the_clients_language(
    client_for, patel, locale, label, default
):
    case, advisor = patel
    advisor.locale = locale
    case.client_language = ClientLanguage.NL
    db.session.commit()
    page = client_for(advisor).get(f"/cases/{case.id}").get_data(as_text=True)
    assert f">{label}</dt>" in page
    assert "Beste familie Patel</span>" in page and default in page
    form = client_for(advisor).get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert 'name="salutation"' in form


@pytest.mark.parametrize(
    ("locale", "client_language", "shown"),
    [
        ("en", "en", "English"),
        ("nl", "en", "Engels"),
        ("nl", "fr", "Frans"),
        ("en", "nl", "Dutch"),
        ("nl", "nl", "Nederlands"),
    ],
)
def test_the_client_language_is_named_in_the_staff_members_language(
    client_for, patel, locale, client_language, shown
):
    case, advisor = patel
    advisor.locale = locale
    case.client_language = ClientLanguage(client_language)
    db.session.commit()
    http = client_for(advisor)
    page = http.get(f"/cases/{case.id}").get_data(as_text=True)
    language_row = re.search(r"Client language|Taal van de klant", page)
    assert language_row
    assert re.match(r"</dt><dd[^>]*>" + shown + "</dd>", page[language_row.end() :])
    email_page = http.get(f"/cases/{case.id}/email-checklist").get_data(as_text=True)
    assert f": {shown}.</p>" in email_page
    summary = services.summary_html(case.id, advisor, locale)
    assert f"<dd>{shown}</dd>" in summary


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "English"), ("nl", "Nederlands"), ("fr", "français")]
)
def test_the_subject_access_summary_names_the_language_in_the_clients_language(
    patel, language, shown
):
    from caseflow.privacy.export import collect, summary_html

    case, _advisor = patel
    case.client_language = ClientLanguage(language)
    db.session.commit()
    html = summary_html(collect(case.id))
    assert f"<dd>{shown}</dd>" in html
    assert f"<dd>{language}</dd>" not in html

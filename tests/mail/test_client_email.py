"""The checklist email page and message: preview above Send, the attachment openable
before sending, the salutation, and "as soon as possible" for steps past their date."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseflow.cases.models import ClientLanguage
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from tests.conftest import db_digest, person
from tests.documents.test_pdfs import pdf_text

LABEL = "Karimi household (Genk)"


@pytest.fixture
def karimi(centre, make_user, make_case):
    seed_catalogue(centre)
    db.session.commit()
    advisor = make_user("advisor", name="Arne Advisor", email="arne@centre.example.org")
    case = make_case(
        advisor,
        household_name=LABEL,
        arrival_date=today() - timedelta(days=120),
        client_language=ClientLanguage.FR,
        contact_email="karimi@example.net",
        persons=[
            person("Shirin", "Karimi", "main_applicant", date_of_birth=date(1988, 1, 1)),
            person("Kian", "Karimi", "child", date_of_birth=date(2018, 5, 5)),
        ],
    )
    return case, advisor


@pytest.mark.parametrize(
    ("locale", "preview", "send", "open_pdf"),
    [
        ("en", "Preview", "Send", "Open the attached PDF"),
        ("nl", "Voorbeeld", "Verzenden", "De bijgevoegde pdf openen"),
    ],
)
def test_the_page_shows_the_preview_above_send_and_the_attachment(
    client_for, karimi, locale, preview, send, open_pdf
):
    case, advisor = karimi
    advisor.locale = locale
    db.session.commit()
    before = db_digest()
    page = client_for(advisor).get(f"/cases/{case.id}/email-checklist").get_data(as_text=True)
    assert db_digest() != before  # only the audit row (email.view)
    heading = page.index(f'<h2 class="h5" id="preview-heading">{preview}</h2>')
    send_button = page.index(f'value="send" class="btn btn-primary">{send}</button>')
    assert heading < send_button
    # The preview is the message in the client's language, greeting the persons.
    assert "Chère famille Karimi," in page and LABEL + "," not in page
    assert "dès que possible" in page  # some steps are past their date
    # The attachment opens from the page: a POST to the client checklist PDF.
    assert f'action="/cases/{case.id}/client-checklist.pdf" id="attachment-form"' in page
    assert f'form="attachment-form" class="btn btn-link px-0">{open_pdf}</button>' in page


def test_the_attachment_opened_from_the_page_is_the_pdf_in_the_clients_language(client_for, karimi):
    case, advisor = karimi
    response = client_for(advisor).post_form(f"/cases/{case.id}/client-checklist.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.data).split())
    assert "Chère famille Karimi, voici un aperçu" in text
    assert "dès que possible" in text


@pytest.mark.parametrize(
    ("language", "greeting", "overdue"),
    [
        ("en", "Dear Shirin,", "please do them as soon as possible."),
        ("nl", "Beste familie Karimi,", "doe ze zo snel mogelijk."),
        ("fr", "Chère famille Karimi,", "merci de les faire dès que possible."),
    ],
)
def test_the_sent_email_greets_the_persons_and_asks_for_late_steps_asap(
    smtp, client_for, karimi, language, greeting, overdue
):
    case, advisor = karimi
    case.client_language = ClientLanguage(language)
    db.session.commit()
    http = client_for(advisor)
    response = http.post_form(
        f"/cases/{case.id}/email-checklist",
        {"recipients": ["karimi@example.net"], "personal_message": "", "action": "send"},
        follow_redirects=True,
    )
    # The flash another test waits for is unchanged.
    assert "The checklist email is on its way." in response.get_data(as_text=True)
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.text_body.startswith(greeting)
    assert overdue in message.text_body and overdue in message.html_body
    assert LABEL not in message.text_body and LABEL not in message.html_body


def test_no_late_step_no_asap_line(smtp, client_for, karimi):
    case, advisor = karimi
    case.arrival_date = today() + timedelta(days=10)
    db.session.commit()
    from caseflow.checklists.services import sync_checklist

    sync_checklist(case)
    db.session.commit()
    page = client_for(advisor).get(f"/cases/{case.id}/email-checklist").get_data(as_text=True)
    assert "Chère famille Karimi," in page
    assert "dès que possible" not in page

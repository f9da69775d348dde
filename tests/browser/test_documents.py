"""Documents and email in a real browser: PDF downloads, the checklist email, bulk export.

The downloads are real browser downloads (``page.expect_download()``) of what the
forms POST; the email goes through a real SMTP server (aiosmtpd, the ``smtp``
fixture) that the app sends to inline, before it answers the browser. Locators are
roles and labels (see test_main_flows.py, whose log-in helpers are reused).
"""

import email
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from email import policy
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Download, Page, expect
from sqlalchemy import select

from caseflow.cases.models import Activity, ActivityKind, ClientLanguage
from caseflow.checklists.seeding import seed_catalogue
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage, OutboxStatus
from tests.browser.conftest import CHROMIUM, Staff, release_db
from tests.browser.test_main_flows import flash, log_in
from tests.conftest import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

ARRIVAL = date(2026, 9, 7)
CENTRE_NAME = "Expat Centre Limburg"
CONTACT_EMAIL = "famille.dubois@example.net"
PERSON_EMAIL = "lea.dubois@example.net"
PERSONAL_MESSAGE = "Bon courage pour l'installation à Hasselt ! Apportez vos passeports."
FRENCH_SUBJECT = f"Vos démarches – {CENTRE_NAME}"


@dataclass(frozen=True)
class CaseRef:
    """What a test needs of a case, as plain values (no lazy loads, no DB lock)."""

    id: int
    reference: str
    household_name: str


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def staff_of(user) -> Staff:
    return Staff(id=user.id, email=user.email, name=user.full_name)


@pytest.fixture
def seeded_catalogue(centre):
    """The test centre with the Flemish catalogue loaded (committed), before any case."""
    assert seed_catalogue(centre) > 0
    db.session.commit()
    return centre


@pytest.fixture
def open_family_case(seeded_catalogue, make_case):
    """``open_family_case(advisor_user, household_name)``: a French-speaking family's
    case with a contact address and a person's address, as plain values."""

    def make(advisor, household_name="Dubois family", **fields) -> CaseRef:
        case = make_case(
            advisor,
            household_name=household_name,
            arrival_date=ARRIVAL,
            client_language=ClientLanguage.FR,
            contact_email=fields.pop("contact_email", CONTACT_EMAIL),
            persons=[
                person(
                    "Léa",
                    "Dubois",
                    "main_applicant",
                    nationality="IN",
                    email=fields.pop("person_email", PERSON_EMAIL),
                    date_of_birth=date(1990, 1, 1),
                )
            ],
            **fields,
        )
        ref = CaseRef(id=case.id, reference=case.reference, household_name=case.household_name)
        release_db()
        return ref

    return make


@pytest.fixture
def advisor_case(make_user, open_family_case):
    advisor = make_user("advisor", name="Arne Advisor", email="arne@centre.example.org")
    staff = staff_of(advisor)
    case = open_family_case(advisor)
    return staff, case


def open_case_page(page: Page, case: CaseRef) -> None:
    page.goto(f"/cases/{case.id}")
    expect(page.get_by_role("heading", level=1, name=case.household_name)).to_be_visible()


def download_by_clicking(page: Page, button_name: str, tmp_path: Path) -> tuple[Download, bytes]:
    with page.expect_download() as info:  # the PDF buttons sit in the case page's header
        page.get_by_role("button", name=button_name).click()
    download = info.value
    assert download.failure() is None
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return download, target.read_bytes()


def exported_activities(case_id: int) -> list[Activity]:
    db.session.expire_all()
    return db.session.scalars(
        select(Activity)
        .where(Activity.case_id == case_id, Activity.kind == ActivityKind.EXPORTED)
        .order_by(Activity.id)
    ).all()


def test_advisor_downloads_the_case_summary_and_the_client_checklist(
    page: Page, advisor_case, tmp_path
):
    advisor, case = advisor_case
    log_in(page, advisor)
    open_case_page(page, case)

    download, data = download_by_clicking(page, "Case summary (PDF)", tmp_path)
    assert download.suggested_filename == f"{case.reference}-summary.pdf"
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert case.reference in text
    assert case.household_name in text

    download, data = download_by_clicking(page, "Client checklist (PDF)", tmp_path)
    assert download.suggested_filename == f"{case.reference}-checklist.pdf"
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert case.reference in text
    assert "Vos démarches" in text  # the client's language (fr), not the advisor's
    assert "Encore à faire" in text

    # A download does not navigate: the case page is still there.
    expect(page.get_by_role("heading", level=1, name=case.household_name)).to_be_visible()

    release_db()
    exports = exported_activities(case.id)
    assert [(a.actor_id, a.details) for a in exports] == [
        (advisor.id, {"document": "summary"}),
        (advisor.id, {"document": "client_checklist"}),
    ]


def test_advisor_emails_the_checklist_to_one_recipient(page: Page, advisor_case, smtp):
    advisor, case = advisor_case
    log_in(page, advisor)
    open_case_page(page, case)

    page.get_by_role("link", name="Email the checklist", exact=True).click()
    expect(
        page.get_by_role("heading", level=1, name="Email the checklist to the client")
    ).to_be_visible()
    recipients = page.get_by_role("group", name="Send to")
    contact = recipients.get_by_label(f"Dubois family <{CONTACT_EMAIL}>")
    lea = recipients.get_by_label(f"Léa Dubois <{PERSON_EMAIL}>")
    expect(contact).to_be_checked()  # the first address is proposed
    expect(lea).not_to_be_checked()
    contact.uncheck()
    lea.check()
    page.get_by_label("Personal message (optional)").fill(PERSONAL_MESSAGE)

    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview).to_contain_text(FRENCH_SUBJECT)
    expect(preview).to_contain_text("Bonjour Léa,")  # the person, not the household label
    expect(preview).to_contain_text("Vous trouverez en annexe la liste de vos démarches")
    expect(preview).to_contain_text(PERSONAL_MESSAGE)
    # The preview kept the choices and the text.
    expect(page.get_by_label(f"Léa Dubois <{PERSON_EMAIL}>")).to_be_checked()
    expect(page.get_by_label(f"Dubois family <{CONTACT_EMAIL}>")).not_to_be_checked()
    expect(page.get_by_label("Personal message (optional)")).to_have_value(PERSONAL_MESSAGE)
    assert smtp.inbox.envelopes == []  # a preview sends nothing

    page.get_by_role("button", name="Send").click()

    expect(flash(page)).to_contain_text("The checklist email is on its way.")
    expect(page.get_by_role("heading", level=1, name=case.household_name)).to_be_visible()
    panel = page.get_by_role("tabpanel", name="Emails")  # the redirect opens the Emails tab
    expect(panel.get_by_role("heading", name="Emails")).to_be_visible()
    emails = panel.get_by_role("listitem")
    expect(emails).to_have_count(1)
    expect(emails).to_contain_text(f"→ {PERSON_EMAIL}")
    expect(emails).to_contain_text("Sent")

    # What the SMTP server received (inline delivery: before the redirect was answered).
    assert len(smtp.inbox.envelopes) == 1
    envelope = smtp.inbox.envelopes[0]
    assert envelope.rcpt_tos == [PERSON_EMAIL]
    mail = email.message_from_bytes(
        envelope.original_content or envelope.content, policy=policy.default
    )
    assert mail["To"] == PERSON_EMAIL
    assert mail["Subject"] == FRENCH_SUBJECT
    assert mail["Reply-To"] == advisor.email
    text_part = mail.get_body(preferencelist=("plain",))
    assert text_part is not None
    body = text_part.get_content()
    assert PERSONAL_MESSAGE in body
    assert "Bonjour Léa," in body and "Dubois family" not in body
    attachments = list(mail.iter_attachments())
    assert [(a.get_content_type(), a.get_filename()) for a in attachments] == [
        ("application/pdf", f"{case.reference}-checklist.pdf")
    ]
    pdf = attachments[0].get_content()
    assert pdf.startswith(b"%PDF-")
    pdf_body = pdf_text(pdf)
    assert case.reference in pdf_body
    assert "Vos démarches" in pdf_body

    release_db()
    db.session.expire_all()
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert len(messages) == 1
    message = messages[0]
    assert message.case_id == case.id
    assert message.status == OutboxStatus.SENT
    assert message.recipients == [PERSON_EMAIL]
    assert message.attempts == 1
    assert message.created_by_id == advisor.id
    assert message.sent_at is not None
    emailed = db.session.scalars(
        select(Activity).where(Activity.case_id == case.id, Activity.kind == ActivityKind.EMAILED)
    ).all()
    assert [(a.actor_id, a.details) for a in emailed] == [
        (advisor.id, {"recipients": [PERSON_EMAIL]})
    ]


def test_team_lead_exports_the_selected_summaries_as_a_zip(
    page: Page, make_user, open_family_case, tmp_path
):
    advisor = make_user("advisor", name="Arne Advisor")
    dubois = open_family_case(advisor, "Dubois family")
    martin = open_family_case(advisor, "Martin family")
    left_out = open_family_case(advisor, "Nguyen family")
    lead = staff_of(make_user("team_lead", name="Lotte Lead"))
    release_db()

    log_in(page, lead)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(page.get_by_role("heading", level=1, name="Cases")).to_be_visible()
    for case in (dubois, martin, left_out):
        expect(page.get_by_role("link", name=case.reference, exact=True)).to_be_visible()
    page.get_by_label(f"Select {dubois.reference}", exact=True).check()
    page.get_by_label(f"Select {martin.reference}", exact=True).check()

    with page.expect_download() as info:
        page.get_by_role("button", name="Export selected summaries (PDF in a ZIP)").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".zip")
    target = tmp_path / download.suggested_filename
    download.save_as(target)

    assert zipfile.is_zipfile(target)
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert sorted(names) == sorted(
            [f"{dubois.reference}-summary.pdf", f"{martin.reference}-summary.pdf"]
        )
        for case in (dubois, martin):
            data = archive.read(f"{case.reference}-summary.pdf")
            assert data.startswith(b"%PDF-")
            text = pdf_text(data)
            assert case.reference in text
            assert case.household_name in text

    release_db()
    for case in (dubois, martin):
        assert [(a.actor_id, a.details) for a in exported_activities(case.id)] == [
            (lead.id, {"document": "summary"})
        ]
    assert exported_activities(left_out.id) == []

"""PDF summaries and client checklists: content, language, safety, downloads, bulk."""

import io
import zipfile
from datetime import date

import pypdf
import pytest
from sqlalchemy import select

from caseflow.cases.models import Activity, ActivityKind, Case, ClientLanguage
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.downloads import safe_filename
from caseflow.documents import services
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.documents.pdf import SafeFetcher
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.notes.services import add_note
from tests.conftest import person

ARRIVAL = date(2026, 9, 7)
HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/tracker.png">',
]


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_attachments(data: bytes) -> dict:
    return dict(pypdf.PdfReader(io.BytesIO(data)).attachments)


@pytest.fixture
def family_case(centre, make_user, make_case):
    seed_catalogue(centre)
    db.session.commit()
    advisor = make_user("advisor", name="Arne Advisor")
    case = make_case(
        advisor,
        household_name="Petrenko family",
        arrival_date=ARRIVAL,
        client_language=ClientLanguage.FR,
        persons=[
            person(
                "Оксана",
                "Петренко",
                "main_applicant",
                nationality="UA",
                date_of_birth=date(1987, 3, 3),
            ),
            person("مريم", "Petrenko", "partner", nationality="MA", date_of_birth=date(1989, 8, 8)),
        ],
    )
    add_note(case, advisor, "First note: internal only.")
    add_note(case, advisor, "Second note, newest.")
    add_followup(
        case,
        advisor,
        title="Call the employer",
        details=None,
        due_date=date(2026, 12, 1),
        assignee_id=advisor.id,
    )
    db.session.commit()
    return case, advisor


def test_summary_pdf_holds_the_case_and_is_a_safe_download(client_for, family_case):
    case, advisor = family_case
    response = client_for(advisor).post_form(f"/cases/{case.id}/summary.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{case.reference}-summary.pdf"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    for expected in [
        case.reference,
        "Petrenko family",
        "Оксана Петренко",
        "مريم",
        "Register at the town hall",
        "Call the employer",
        "Generated",
        "Arne Advisor",
    ]:
        assert expected in text, expected
    assert text.index("Second note, newest.") < text.index("First note: internal only.")
    kinds = db.session.scalars(
        select(Activity.details).where(Activity.kind == ActivityKind.EXPORTED)
    ).all()
    assert kinds == [{"document": "summary"}]


@pytest.mark.parametrize(
    ("language", "title", "heading"),
    [
        ("fr", "Inscription à la commune", "Encore à faire"),
        ("nl", "Inschrijving", "Nog te doen"),
        ("en", "Register at the town hall", "Still to do"),
    ],
)
def test_client_checklist_is_in_the_clients_language_and_never_internal(
    client_for, family_case, language, title, heading
):
    case, advisor = family_case
    case.client_language = ClientLanguage(language)
    db.session.commit()
    response = client_for(advisor).post_form(f"/cases/{case.id}/client-checklist.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert title in text and heading in text
    assert "Arne Advisor" in text
    assert "internal only" not in text and "Call the employer" not in text


def test_hostile_names_and_notes_fetch_nothing_and_embed_nothing(make_user, make_case, centre):
    seed_catalogue(centre)
    advisor = make_user("advisor")
    case = make_case(
        advisor,
        household_name=HOSTILE[0],
        arrival_date=ARRIVAL,
        persons=[person(HOSTILE[1], HOSTILE[2])],
    )
    for hostile in HOSTILE:
        add_note(case, advisor, hostile)
    db.session.commit()
    for render in (
        lambda f: services.case_summary_pdf(case, advisor, "en", fetcher=f),
        lambda f: services.client_checklist_pdf(case, "Expat Centre Limburg", fetcher=f),
    ):
        fetcher = SafeFetcher()
        data = render(fetcher)
        assert fetcher.refused == []  # nothing was even asked for
        assert pdf_attachments(data) == {}
        text = pdf_text(data)
        assert 'file:///etc/passwd">' in text.replace("\n", "")


def test_the_fetcher_refuses_everything_but_data_and_own_static_files():
    fetcher = SafeFetcher()
    for url in [
        "file:///etc/passwd",
        "http://127.0.0.1:9/",
        "https://example.org/x.png",
        "caseflow-static:/../../../etc/passwd",
    ]:
        with pytest.raises(Exception, match="Refused"):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 4
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    assert b"@page" in fetcher.fetch("caseflow-static:/css/print.css").read()


def test_safe_filenames_are_ascii():
    assert safe_filename("LIM-2026-0001", "summary") == "LIM-2026-0001-summary.pdf"
    assert safe_filename('Zoë "/../ مريم', suffix=".zip") == "Zoe.zip"


def test_a_team_lead_exports_selected_cases_as_one_zip(
    client_for, family_case, make_user, make_case
):
    case, advisor = family_case
    other = make_case(advisor, household_name="Second household")
    lead = make_user("team_lead")
    response = client_for(lead).post_form(
        "/exports", {"scope": "selected", "case_ids": [str(case.id), str(other.id)]}
    )
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert sorted(names) == sorted(
        [f"{case.reference}-summary.pdf", f"{other.reference}-summary.pdf"]
    )
    exported = db.session.scalars(
        select(Activity.case_id).where(Activity.kind == ActivityKind.EXPORTED)
    ).all()
    assert sorted(exported) == sorted([case.id, other.id])


def test_a_large_export_runs_as_a_job_with_progress_and_a_download(
    client_for, make_user, make_case
):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    for n in range(7):
        make_case(advisor, household_name=f"Household {n}")
    client = client_for(lead)
    response = client.post_form("/exports", {"scope": "filter", "status": ""})
    assert response.status_code == 302 and "/exports/" in response.location
    job = db.session.scalars(select(ExportJob)).one()
    assert job.status == ExportStatus.DONE and job.done == job.total == 7
    page = client.get(response.location).get_data(as_text=True)
    assert "7 summaries are ready." in page
    download = client.get(f"/exports/{job.id}/download")
    assert download.status_code == 200
    assert len(zipfile.ZipFile(io.BytesIO(download.data)).namelist()) == 7
    # Someone else's job stays invisible.
    assert client_for(make_user("team_lead")).get(f"/exports/{job.id}").status_code == 404


def test_advisors_cannot_bulk_export(client_for, family_case):
    case, advisor = family_case
    response = client_for(advisor).post_form(
        "/exports", {"scope": "selected", "case_ids": [str(case.id)]}
    )
    assert response.status_code == 403


def test_other_centre_cases_are_never_in_an_export(
    client_for, family_case, make_user, other_centre
):
    case, _advisor = family_case
    stranger = make_user("team_lead", centre_=other_centre)
    response = client_for(stranger).post_form(
        "/exports", {"scope": "selected", "case_ids": [str(case.id)]}
    )
    assert response.status_code == 302  # "select at least one case": none of theirs
    assert (
        db.session.scalars(select(Activity).where(Activity.kind == ActivityKind.EXPORTED)).all()
        == []
    )
    assert db.session.get(Case, case.id) is not None


def test_an_export_is_no_longer_downloadable_once_its_owner_may_not_export(
    client_for, make_user, make_case
):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    for n in range(7):
        make_case(advisor, household_name=f"Household {n}")
    http = client_for(lead)
    http.post_form("/exports", {"scope": "filter", "status": ""})
    job = db.session.scalars(select(ExportJob)).one()
    assert http.get(f"/exports/{job.id}/download").status_code == 200
    lead.role = "advisor"  # moved to another job within the centre
    db.session.commit()
    assert http.get(f"/exports/{job.id}/download").status_code == 403


def test_a_web_request_never_starts_render_processes(app, monkeypatch):
    from caseflow.documents import pdf

    def refuse(*args, **kwargs):
        raise AssertionError("a process pool was started in a web request")

    monkeypatch.setattr(pdf, "ProcessPoolExecutor", refuse)
    html = "<html><body><p>Page</p></body></html>"
    with app.test_request_context("/exports", method="POST"):
        pdfs = pdf.render_many([html] * 4, processes=2)
    assert len(pdfs) == 4 and all(p.startswith(b"%PDF") for p in pdfs)

"""The client sends a document for a step from their page: stored as the attachments
service stores any file (checked, cleaned), named on the page, seen by the advisor;
refused with a clear message in the client's language, nothing stored half-way."""

from sqlalchemy import func, select

from caseflow.attachments.models import Attachment
from caseflow.attachments.services import store_upload
from caseflow.cases.models import Activity, ActivityKind
from caseflow.checklists.models import ItemState
from caseflow.checklists.services import set_state
from caseflow.core.audit import AuditEvent
from caseflow.extensions import db
from caseflow.portal import services
from tests.attachments.files import pdf_bytes, png_bytes, upload
from tests.attachments.test_uploads import HTML, files_on_disk, post_file, post_in_memory
from tests.conftest import db_digest
from tests.portal.conftest import items_of, new_link


def _open_item(case):
    return next(item for item in items_of(case) if item.is_open)


def _attachments() -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).order_by(Attachment.id)))


def test_the_client_sends_a_pdf_for_a_step_and_the_advisor_sees_it(client, client_for, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    item = _open_item(case)
    client.get(f"/p/{token}")

    response = post_file(
        client, f"/p/{token}/steps/{item.id}/files", pdf_bytes(), "contrat de bail.pdf"
    )

    assert response.status_code == 303
    assert response.location.endswith(f"/p/{token}#step-{item.id}")
    [attachment] = _attachments()
    assert attachment.uploaded_by_client and attachment.uploaded_by_user_id is None
    assert (attachment.case_id, attachment.checklist_item_id) == (case.id, item.id)
    assert attachment.content_type == "application/pdf"
    assert len(files_on_disk()) == 1
    page = client.get(response.location).get_data(as_text=True)
    assert "Merci. Votre personne de contact peut maintenant voir le document." in page
    assert "contrat de bail.pdf" in page
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "portal.upload")).one()
    assert event.user_id is None and event.case_id == case.id
    activity = db.session.scalars(
        select(Activity).where(Activity.kind == ActivityKind.FILE_ADDED)
    ).one()
    assert activity.actor_id is None and activity.details["by_client"] is True
    staff_page = client_for(advisor).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "contrat de bail.pdf" in staff_page


def test_the_client_never_sees_the_files_staff_attached(client, family):
    advisor, _colleague, case, _other = family
    item = _open_item(case)
    store_upload(case, upload(png_bytes(), "internal-scan.png"), item=item, uploaded_by=advisor)
    db.session.commit()
    token = new_link(case, advisor)

    page = client.get(f"/p/{token}").get_data(as_text=True)

    assert "internal-scan.png" not in page


def test_a_refused_file_says_why_in_french_and_stores_nothing(client, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    item = _open_item(case)
    client.get(f"/p/{token}")
    before = db_digest()

    response = post_file(client, f"/p/{token}/steps/{item.id}/files", HTML, "facture.pdf")

    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert f'id="file-{item.id}-error"' in body and 'lang="fr"' in body
    assert db_digest() == before and files_on_disk() == []


def test_no_file_chosen_is_a_form_error(client, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    item = _open_item(case)
    client.get(f"/p/{token}")
    before = db_digest()

    response = client.post_form(
        f"/p/{token}/steps/{item.id}/files", {}, content_type="multipart/form-data"
    )

    assert response.status_code == 400
    assert "Choisissez un fichier" in response.get_data(as_text=True)
    assert db_digest() == before


def test_another_cases_step_or_a_done_step_is_a_404_and_stores_nothing(client, family):
    advisor, _colleague, case, other = family
    token = new_link(case, advisor)
    client.get(f"/p/{token}")
    foreign = items_of(other)[0]
    done = _open_item(case)
    set_state(done, advisor, ItemState.DONE)
    db.session.commit()
    before = db_digest()

    for item in (foreign, done):
        response = post_file(client, f"/p/{token}/steps/{item.id}/files", pdf_bytes(), "a.pdf")
        assert response.status_code == 404

    assert db_digest() == before and files_on_disk() == []


def test_a_revoked_link_takes_no_file(client, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    item = _open_item(case)
    client.get(f"/p/{token}")
    services.revoke_links(case, advisor)
    db.session.commit()

    response = post_file(client, f"/p/{token}/steps/{item.id}/files", pdf_bytes(), "a.pdf")

    assert response.status_code == 410
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert files_on_disk() == []


def test_an_oversized_upload_goes_back_to_the_page_with_the_limit(app, client, family, monkeypatch):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    item = _open_item(case)
    client.get(f"/p/{token}")
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    before = db_digest()

    response = post_in_memory(
        client, f"/p/{token}/steps/{item.id}/files", b"x" * (2 * 1024 * 1024), "scan.pdf"
    )

    assert response.status_code == 303
    assert f"/p/{token}" in response.location
    assert db_digest() == before and files_on_disk() == []
    assert "Le fichier dépasse 1 Mo" in client.get(response.location).get_data(as_text=True)


def test_the_client_sends_a_document_for_the_case_as_a_whole(client, client_for, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    client.get(f"/p/{token}")

    response = post_file(client, f"/p/{token}/files", png_bytes(), "carte d'identité.png")

    assert response.status_code == 303
    assert response.location.endswith(f"/p/{token}#documents-heading")
    [attachment] = _attachments()
    assert attachment.uploaded_by_client and attachment.checklist_item_id is None
    assert attachment.case_id == case.id and attachment.content_type == "image/png"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "portal.upload")).one()
    assert (event.object_type, event.object_id) == ("case", case.id)
    page = client.get(response.location).get_data(as_text=True)
    assert "carte d&#39;identité.png" in page  # escaped by Jinja


def test_a_refused_case_document_shows_the_reason_at_that_form(client, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    client.get(f"/p/{token}")
    before = db_digest()

    response = post_file(client, f"/p/{token}/files", b"%PDF-1.4 truncated", "scan.pdf")

    assert response.status_code == 400
    assert 'id="file-0-error"' in response.get_data(as_text=True)
    assert db_digest() == before and files_on_disk() == []

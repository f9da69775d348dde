"""Files attached to a case or a step: what is accepted, what is refused (and that a
refusal stores nothing: no row, no file), how files are served, and that files follow
their transaction."""

import io
import zipfile

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from caseflow.attachments import storage
from caseflow.attachments.models import Attachment
from caseflow.attachments.services import (
    UploadRejected,
    case_attachments,
    delete_attachment,
    store_upload,
)
from caseflow.attachments.storage import path_of, sanitise_name, stored_files, upload_folder
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.audit import AuditEvent
from caseflow.extensions import db
from tests.attachments.files import (
    big_pdf,
    heic_bytes,
    jpeg_bytes,
    pdf_bytes,
    pdf_with_javascript,
    png_bytes,
    raw_pdf,
    upload,
)
from tests.conftest import db_digest, person

SCRIPT = b"<script>alert(document.cookie)</script>"
HTML = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    + SCRIPT
    + b"</svg>"
)


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", HTML)
    return buffer.getvalue()


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", name="Arne Advisor")


@pytest.fixture
def case(centre, make_case, advisor):
    seed_catalogue(centre)
    db.session.commit()
    return make_case(advisor, household_name="Silva family", persons=[person()])


@pytest.fixture
def web(client_for, advisor):
    return client_for(advisor)


def files_on_disk() -> list:
    """Every file under UPLOAD_FOLDER, temporary ones included."""
    folder = upload_folder()
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def post_file(web, url, data: bytes, name: str, content_type="application/octet-stream"):
    return web.post_form(
        url,
        {"file": (io.BytesIO(data), name, content_type)},
        content_type="multipart/form-data",
    )


def post_in_memory(web, url, data: bytes, name: str):
    """A multipart post built in memory: the test client spools a body over 500 KB to a
    temporary file that it never closes (a ResourceWarning, an error here)."""
    boundary, body = encode_multipart(
        MultiDict(
            {
                "csrf_token": web.csrf_token or web.fetch_csrf(),
                "file": FileStorage(io.BytesIO(data), filename=name),
            }
        )
    )
    return web.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def first_item(case) -> ChecklistItem:
    return db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.case_id == case.id).order_by(ChecklistItem.id)
    ).first()


# --- the whole path, on the case page ---------------------------------------------------


def test_an_advisor_attaches_a_pdf_sees_it_and_downloads_it(web, case):
    data = pdf_bytes(pages=2)
    response = post_file(web, f"/cases/{case.id}/files", data, "Lease 2026.pdf", "application/pdf")
    assert response.status_code == 302
    assert response.location.endswith(f"/cases/{case.id}#files")

    [attachment] = case_attachments(case.id)
    assert (attachment.original_name, attachment.content_type) == (
        "Lease 2026.pdf",
        "application/pdf",
    )
    assert attachment.size == len(data)
    assert path_of(attachment.stored_name).read_bytes() == data  # a PDF is kept as it is
    assert attachment.uploaded_by_user_id is not None and not attachment.uploaded_by_client

    page = web.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Documents (1)" in page
    assert "Lease 2026.pdf" in page
    assert f"/cases/{case.id}/files/{attachment.id}" in page

    download = web.get(f"/cases/{case.id}/files/{attachment.id}")
    assert download.status_code == 200
    assert download.get_data() == data
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="Lease-2026.pdf"'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "no-store"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    download.close()

    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_id == case.id).order_by(AuditEvent.id)
    ).all()
    assert "attachment.upload" in actions and "attachment.download" in actions


def test_a_file_attached_to_a_step_shows_on_the_step_page(web, case):
    item = first_item(case)
    url = f"/cases/{case.id}/checklist/{item.id}"
    response = post_file(web, f"{url}/files", png_bytes(), "Payslip.png", "image/png")
    assert response.status_code == 302
    assert response.location.endswith(f"{url}#files")
    [attachment] = case_attachments(case.id)
    assert attachment.checklist_item_id == item.id
    page = web.get(url).get_data(as_text=True)
    assert "Documents for this step" in page and "Payslip.png" in page
    # The case page names the step the file belongs to.
    case_page = web.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/checklist/{item.id}"' in case_page


def test_a_step_upload_refused_reshows_the_step_page_with_the_reason(web, case):
    item = first_item(case)
    before = db_digest()
    response = post_file(
        web, f"/cases/{case.id}/checklist/{item.id}/files", HTML, "scan.pdf", "application/pdf"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Only PDF, JPEG, PNG and HEIC files can be attached" in page
    assert "Documents for this step" in page
    assert db_digest() == before and files_on_disk() == []


def test_no_file_chosen_is_a_form_error(web, case):
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/files", {}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a file to attach." in response.get_data(as_text=True)
    assert db_digest() == before


# --- refused or neutralised -------------------------------------------------------------

REFUSED = [
    pytest.param(HTML, "report.pdf", "Only PDF, JPEG, PNG and HEIC", id="html-renamed-pdf"),
    pytest.param(SVG, "logo.svg", "Only PDF, JPEG, PNG and HEIC", id="svg-with-script"),
    pytest.param(SVG, "logo.png", "Only PDF, JPEG, PNG and HEIC", id="svg-renamed-png"),
    pytest.param(
        pdf_bytes() + zip_bytes(), "form.pdf", "a PDF and another kind of file", id="pdf-zip"
    ),
    pytest.param(pdf_bytes() + HTML, "form.pdf", "other data after its end", id="pdf-html-after"),
    pytest.param(pdf_with_javascript(), "form.pdf", "scripts or embedded files", id="pdf-js"),
    pytest.param(
        raw_pdf(
            b"/Names << /EmbeddedFiles << /Names [(x) 4 0 R] >> >>", (b"<< /Type /Filespec >>",)
        ),
        "form.pdf",
        "scripts or embedded files",
        id="pdf-embedded-file",
    ),
    pytest.param(pdf_bytes()[:200], "cut.pdf", "damaged or incomplete", id="pdf-truncated"),
    pytest.param(png_bytes((300, 300))[:150], "cut.png", "damaged or incomplete", id="png-cut"),
    pytest.param(jpeg_bytes((300, 300))[:400], "cut.jpg", "damaged or incomplete", id="jpeg-cut"),
    pytest.param(b"", "empty.pdf", "The file is empty.", id="empty"),
    pytest.param(b"MZ\x90\x00" + b"\x00" * 60, "setup.exe", "Only PDF, JPEG", id="executable"),
]


@pytest.mark.parametrize(("data", "name", "message"), REFUSED)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_stored(
    web, case, data, name, message
):
    before = db_digest()
    response = post_file(web, f"/cases/{case.id}/files", data, name)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="file-error"' in page  # on the field, linked from the error summary
    assert "<script>alert" not in page
    assert db_digest() == before
    assert files_on_disk() == []  # no file, not even a temporary one


def test_a_jpeg_with_a_payload_and_exif_is_stored_without_either(web, case):
    """A polyglot: a valid JPEG with an HTML page and a ZIP appended, and EXIF (camera,
    GPS) and a comment inside. What is stored is a clean re-encoding."""
    data = jpeg_bytes((120, 80), exif_text="Canarycamera") + HTML + zip_bytes()
    response = post_file(web, f"/cases/{case.id}/files", data, "photo.jpg", "image/jpeg")
    assert response.status_code == 302
    [attachment] = case_attachments(case.id)
    stored = path_of(attachment.stored_name).read_bytes()
    assert attachment.content_type == "image/jpeg"
    assert b"<script" not in stored and b"PK\x03\x04" not in stored
    assert b"Canarycamera" not in stored and b"Exif" not in stored
    assert stored.endswith(b"\xff\xd9")  # the JPEG ends where the image ends
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (120, 80)
        assert not image.getexif()
    assert attachment.size == len(stored)


def test_a_png_keeps_its_type_and_loses_its_text_chunks(case, advisor):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Canarycomment")
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 20), (1, 2, 3, 128)).save(buffer, format="PNG", pnginfo=info)
    attachment = store_upload(case, upload(buffer.getvalue(), "a.png"), uploaded_by=advisor)
    db.session.commit()
    stored = path_of(attachment.stored_name).read_bytes()
    assert attachment.content_type == "image/png"
    assert b"Canarycomment" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0)) == (1, 2, 3, 128)


def test_a_heic_photo_is_stored_as_jpeg(case, advisor):
    attachment = store_upload(case, upload(heic_bytes(), "IMG_0001.HEIC"), uploaded_by=advisor)
    db.session.commit()
    assert attachment.content_type == "image/jpeg"
    assert attachment.original_name == "IMG_0001.HEIC"
    with Image.open(path_of(attachment.stored_name)) as image:
        assert image.format == "JPEG" and image.size == (32, 24)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\ana\\Desktop\\scan.pdf", "scan.pdf"),
        ("pay\x00slip\r\n.pdf", "payslip .pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a right-to-left override hides .exe
        ("   .hidden.png", "hidden.png"),
        ("", "file"),
        ("/", "file"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
        ("Zoë Müller-Öztürk.pdf", "Zoë Müller-Öztürk.pdf"),
    ],
)
def test_file_names_are_sanitised(given, kept):
    assert sanitise_name(given) == kept


def test_a_name_with_path_parts_and_control_characters_is_stored_clean(web, case):
    name = "..\\..\\secret/../Pass\x07port\x1b[31m Ana\u202e.png"
    response = post_file(web, f"/cases/{case.id}/files", png_bytes(), name, "image/png")
    assert response.status_code == 302
    [attachment] = case_attachments(case.id)
    assert attachment.original_name == "Pass port[31m Ana.png".replace("Pass port", "Passport")
    assert "/" not in attachment.original_name and "\\" not in attachment.original_name
    # The file itself has a random name in a shard of the upload folder.
    assert path_of(attachment.stored_name).parent.parent == upload_folder()
    download = web.get(f"/cases/{case.id}/files/{attachment.id}")
    assert download.headers["Content-Disposition"] == 'attachment; filename="Passport-31m-Ana.png"'
    download.close()


# --- size -------------------------------------------------------------------------------


def test_a_file_over_upload_max_mb_is_refused_with_the_limit(app, web, case, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    before = db_digest()
    big = big_pdf(1024 * 1024)  # over 1 MB, within the request limit
    response = post_in_memory(web, f"/cases/{case.id}/files", big, "big.pdf")
    assert response.status_code == 400
    assert "The file is larger than 1 MB" in response.get_data(as_text=True)
    assert db_digest() == before and files_on_disk() == []


def test_a_request_over_the_upload_limit_goes_back_with_a_message(app, web, case, monkeypatch):
    """Beyond UPLOAD_MAX_MB plus the form's margin the body is not read at all (413):
    the uploader is sent back to the page with the message, not to a bare error page."""
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    before = db_digest()
    huge = b"x" * (2 * 1024 * 1024)
    response = post_in_memory(web, f"/cases/{case.id}/files", huge, "huge.pdf")
    assert response.status_code == 303
    assert response.location.endswith(f"/cases/{case.id}#files")
    page = web.get(response.location).get_data(as_text=True)
    assert "The file is larger than 1 MB" in page
    assert db_digest() == before and files_on_disk() == []
    # From a step page, back to that step.
    item = first_item(case)
    response = post_in_memory(web, f"/cases/{case.id}/checklist/{item.id}/files", huge, "h.pdf")
    assert response.status_code == 303
    assert response.location.endswith(f"/cases/{case.id}/checklist/{item.id}#files")


def test_uploads_may_be_larger_than_other_forms(app, web, case):
    """MAX_CONTENT_LENGTH (2 MB) still guards forms; an upload route takes 10 MB."""
    assert app.config["UPLOAD_MAX_MB"] == 10
    data = big_pdf(3 * 1024 * 1024)
    response = post_in_memory(web, f"/cases/{case.id}/files", data, "scan.pdf")
    assert response.status_code == 302
    too_big = post_in_memory(web, f"/cases/{case.id}/notes", data, "scan.pdf")
    assert too_big.status_code == 413
    assert "at most 2 MB" in too_big.get_data(as_text=True)


# --- files follow the transaction -------------------------------------------------------


def test_a_rolled_back_upload_leaves_no_file(case, advisor):
    store_upload(case, upload(png_bytes(), "a.png"), uploaded_by=advisor)
    assert len(list(stored_files())) == 1  # placed, waiting for the commit
    db.session.rollback()
    assert files_on_disk() == []
    assert db.session.scalars(select(Attachment)).all() == []


def test_a_failing_database_write_removes_the_file(case, advisor, monkeypatch):
    def fail(*_args, **_kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(db.session, "flush", fail)
    with pytest.raises(RuntimeError):
        store_upload(case, upload(png_bytes(), "a.png"), uploaded_by=advisor)
    monkeypatch.undo()
    db.session.rollback()
    assert files_on_disk() == []


def test_an_erased_case_takes_no_file(case, advisor):
    case.erased_at = case.created_at
    db.session.commit()
    with pytest.raises(UploadRejected, match="erased"):
        store_upload(case, upload(png_bytes(), "a.png"), uploaded_by=advisor)
    assert files_on_disk() == []


def test_delete_removes_the_file_after_the_commit_only(web, case, advisor):
    first = store_upload(case, upload(png_bytes(), "a.png"), uploaded_by=advisor)
    db.session.commit()
    path = path_of(first.stored_name)
    delete_attachment(first, advisor)
    assert path.exists()  # not before the commit
    db.session.rollback()
    assert path.exists()  # and not at all when the delete is rolled back

    attachment = db.session.get(Attachment, first.id)
    response = web.post_form(f"/cases/{case.id}/files/{attachment.id}/delete")
    assert response.status_code == 302
    assert not path.exists()
    assert case_attachments(case.id) == []
    assert "File deleted: a.png" in web.get(f"/cases/{case.id}").get_data(as_text=True)


def test_a_missing_file_is_a_404_and_the_check_reports_it(app, web, case, advisor):
    attachment = store_upload(case, upload(png_bytes(), "a.png"), uploaded_by=advisor)
    db.session.commit()
    path_of(attachment.stored_name).unlink()
    response = web.get(f"/cases/{case.id}/files/{attachment.id}")
    assert response.status_code == 404
    result = app.test_cli_runner().invoke(args=["attachments", "check"])
    assert result.exit_code == 1
    assert f"missing file: {attachment.stored_name}" in result.output


def test_the_check_finds_and_removes_old_orphans(app, case, advisor, monkeypatch):
    kept = store_upload(case, upload(png_bytes(), "kept.png"), uploaded_by=advisor)
    db.session.commit()
    orphan = upload_folder() / "ab" / ("ab" + "0" * 30)
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"left by a crash")
    stale = upload_folder() / storage.TEMP_DIR / "x.part"
    stale.write_bytes(b"half an upload")
    runner = app.test_cli_runner()
    assert "0 missing, 0 orphaned" in runner.invoke(args=["attachments", "check"]).output
    # An hour later they count as orphans (an upload in progress is younger).
    monkeypatch.setattr(storage, "ORPHAN_AGE_SECONDS", -10)
    result = runner.invoke(args=["attachments", "check"])
    assert "0 missing, 2 orphaned" in result.output
    result = runner.invoke(args=["attachments", "check", "--remove"])
    assert "2 removed" in result.output
    assert not orphan.exists() and not stale.exists()
    assert path_of(kept.stored_name).exists()


# --- who may ----------------------------------------------------------------------------


def test_another_advisor_cannot_download_delete_or_upload(client_for, make_user, case, advisor):
    attachment = store_upload(case, upload(png_bytes(), "a.png"), uploaded_by=advisor)
    db.session.commit()
    other = client_for(make_user("advisor"))
    before = db_digest()
    assert other.get(f"/cases/{case.id}/files/{attachment.id}").status_code == 404
    assert other.post_form(f"/cases/{case.id}/files/{attachment.id}/delete").status_code == 404
    response = post_file(other, f"/cases/{case.id}/files", png_bytes(), "b.png")
    assert response.status_code == 404
    assert db_digest() == before
    assert len(list(stored_files())) == 1
    denied = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attachment.download")
    ).all()
    assert [e.outcome for e in denied] == ["denied"]


def test_a_file_of_another_case_is_not_reachable_through_this_case(make_case, web, case, advisor):
    other_case = make_case(advisor, household_name="Other family")
    attachment = store_upload(other_case, upload(png_bytes(), "a.png"), uploaded_by=advisor)
    db.session.commit()
    assert web.get(f"/cases/{case.id}/files/{attachment.id}").status_code == 404
    assert web.post_form(f"/cases/{case.id}/files/{attachment.id}/delete").status_code == 404
    assert path_of(attachment.stored_name).exists()


def test_a_transparent_palette_png_keeps_its_transparency(case, advisor):
    image = Image.new("P", (4, 4), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=1)
    attachment = store_upload(case, upload(buffer.getvalue(), "t.png"), uploaded_by=advisor)
    db.session.commit()
    with Image.open(path_of(attachment.stored_name)) as stored:
        assert stored.convert("RGBA").getpixel((0, 0))[3] == 0


def test_the_file_is_checked_with_no_transaction_open(web, case, monkeypatch):
    """The slow part of an upload (reading, checking, re-encoding) holds no database
    transaction, so no lock (SQLite's write lock for a POST) while it runs."""
    seen = []
    prepare = storage.prepare

    def watching(*args, **kwargs):
        seen.append(db.session().in_transaction())
        return prepare(*args, **kwargs)

    monkeypatch.setattr(storage, "prepare", watching)
    response = post_file(web, f"/cases/{case.id}/files", png_bytes(), "a.png", "image/png")
    assert response.status_code == 302
    item = first_item(case)
    response = post_file(
        web, f"/cases/{case.id}/checklist/{item.id}/files", png_bytes(), "b.png", "image/png"
    )
    assert response.status_code == 302
    assert seen == [False, False]

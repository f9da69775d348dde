"""Subject access from the case page and the CLI: the ZIP, its PDF, who may, audit."""

import io
import json
import time
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from caseflow.auth.reauth import AUTH_AT
from caseflow.cases.models import Activity, ActivityKind, Person
from caseflow.core.audit import AuditEvent
from caseflow.extensions import db
from caseflow.privacy.export import FORMAT, REDACTED, TABLE_KEYS, summary_html
from tests.privacy.conftest import ANA, BO


def _unzip(body: bytes) -> tuple[dict, str, str]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = sorted(archive.namelist())
        assert {"data.json", "summary.pdf"} <= set(names)
        # Besides those two, only the attached files.
        assert all(n.startswith("files/") for n in names if n not in ("data.json", "summary.pdf"))
        raw = archive.read("data.json").decode()
        pdf = archive.read("summary.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return json.loads(raw), raw, text


def _export(client, case_id, person_id=None):
    data = {"person_id": str(person_id)} if person_id else {}
    response = client.post_form(f"/cases/{case_id}/data-export", data)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    return response


def _exports_recorded(case_id) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "privacy.export", AuditEvent.case_id == case_id)
            .order_by(AuditEvent.id)
        )
    )


def test_household_export_holds_everything(household, client_for):
    case = household.case
    client = client_for(household.lead)
    assert client.get(f"/cases/{case.id}").status_code == 200  # an access-log row
    response = _export(client, case.id)
    assert f"{case.reference}-data.zip" in response.headers["Content-Disposition"]
    data, raw, _text = _unzip(response.get_data())

    assert data["format"] == FORMAT
    assert data["scope"] == {"kind": "case"}
    assert set(TABLE_KEYS.values()) <= set(data)
    assert data["case"]["reference"] == case.reference
    assert data["case"]["status"] == "open"  # enums as values
    assert data["case"]["arrival_date"] == "2026-01-05"  # dates ISO
    assert data["case"]["created_at"].endswith("Z")
    assert data["case"]["advisor"] == "Vera Advisor"  # staff by name, never id or email
    assert {p["first_name"] for p in data["persons"]} == {ANA, BO}
    for canary in (
        "Canaryana step note",
        "Canarybo step note",
        "Canarynote first text",
        "Canarynote second text",
        "Canaryfollowup details",
        "Canaryreview comment",
        "Canarymail body",
        "Canaryemployer NV",
        "canaryhome@example.org",
        "Canaryquestion from the client",
    ):
        assert canary in raw, canary
    # The client's page: its link (never the hash of its secret), claim and question.
    [link] = data["client_page_links"]
    assert "token_hash" not in link and link["created_by"] == "Vera Advisor"
    assert [c["status"] for c in data["client_claims"]] == ["pending"]
    assert "Canaryquestion from the client" in _text
    assert [r["body"] for r in data["note_revisions"]] == ["Canarynote first text"]
    assert {e["to_value"] for e in data["checklist_events"]} >= {"done", "in_progress"}
    [attachment] = data["email_attachments"]
    assert attachment == attachment | {"filename": "checklist.pdf", "size_bytes": 11}
    assert "data" not in attachment and "%PDF-canary" not in raw
    assert len(data["export_jobs"]) == 1
    views = [e for e in data["access_log"] if e["action"] == "case.view"]
    assert views and views[0]["by"] == "Lena Lead" and views[0]["kind"] == "viewed"
    # No secrets and no staff addresses.
    for secret in ("password", "$argon2", household.lead.email, household.advisor.email):
        assert secret not in raw
    assert "Unrelated household" not in raw


def test_a_persons_export_leaves_the_other_members_out(household, client_for):
    client = client_for(household.lead)
    response = _export(client, household.case.id, household.ana.id)
    data, raw, text = _unzip(response.get_data())
    assert data["scope"] == {"kind": "person", "person_id": household.ana.id}
    assert [p["first_name"] for p in data["persons"]] == [ANA]
    assert "Canaryana step note" in raw and "canaryana@example.org" in raw
    # The household's data is there...
    assert "Canarynote second text" in raw and "Canarymail body" in raw
    # ...but nothing of the other member: name, address, phone, their steps.
    for canary in (BO, "canarybo@example.org", "+32 470 00 00 02", "Canarybo step note"):
        assert canary not in raw, canary
        assert canary not in text, canary
    assert data["emails"][0]["recipients"] == ["canaryana@example.org", REDACTED]
    assert all(i["person_id"] in (household.ana.id, None) for i in data["checklist_items"])


@pytest.mark.parametrize(("language", "heading"), [("fr", "Vos données"), ("nl", "Uw gegevens")])
def test_the_pdf_is_in_the_clients_language(household, client_for, language, heading):
    household.case.client_language = language
    db.session.commit()
    response = _export(client_for(household.lead), household.case.id)
    _data, _raw, text = _unzip(response.get_data())
    assert household.case.reference in text
    assert f"{ANA} Silva" in text
    assert heading in text
    assert "Canarynote second text" in text


def test_the_summary_says_when_an_email_body_is_gone(household):
    from caseflow.privacy.export import collect

    data = collect(household.case.id)
    data["emails"][0]["text_body"] = None
    data["case"]["client_language"] = "en"
    assert "no longer kept" in summary_html(data)


def test_every_export_is_audited_once_and_on_the_timeline(household, client_for):
    client = client_for(household.lead)
    _export(client, household.case.id)
    _export(client, household.case.id, household.ana.id)
    [whole, person] = _exports_recorded(household.case.id)
    assert (whole.user_id, whole.outcome, whole.details) == (
        household.lead.id,
        "ok",
        {"via": "web"},
    )
    assert person.details == {"via": "web", "person_id": household.ana.id}
    exported = db.session.scalars(
        select(Activity).where(
            Activity.case_id == household.case.id, Activity.kind == ActivityKind.EXPORTED
        )
    ).all()
    assert [a.details["document"] for a in exported] == ["subject_access"] * 2


@pytest.mark.parametrize("role", ["advisor_own", "advisor_other"])
def test_advisors_cannot_export(household, client_for, make_user, role):
    user = household.advisor if role == "advisor_own" else make_user("advisor")
    client = client_for(user)
    expected = 403 if role == "advisor_own" else 404
    assert client.get(f"/cases/{household.case.id}/data-export").status_code == expected
    assert client.post_form(f"/cases/{household.case.id}/data-export").status_code == expected
    [refused] = _exports_recorded(household.case.id)
    assert refused.outcome == "denied"
    page = client.get(f"/cases/{household.case.id}").get_data(as_text=True)
    assert "/data-export" not in page


def test_another_centres_lead_gets_404(household, client_for, make_user, other_centre):
    stranger = client_for(make_user("team_lead", centre_=other_centre))
    assert stranger.post_form(f"/cases/{household.case.id}/data-export").status_code == 404


def test_a_person_of_another_case_is_404(household, client_for):
    other_person = db.session.scalars(
        select(Person).where(Person.case_id == household.other.id)
    ).first()
    no_person = db.session.scalar(select(func.max(Person.id))) + 1000
    client = client_for(household.lead)
    url = f"/cases/{household.case.id}/data-export"
    assert client.post_form(url, {"person_id": str(other_person.id)}).status_code == 404
    assert client.post_form(url, {"person_id": str(no_person)}).status_code == 404


def test_re_authentication_is_required(household, client_for):
    client = client_for(household.lead)
    with client.session_transaction() as session:
        session[AUTH_AT] = time.time() - 3600
    url = f"/cases/{household.case.id}/data-export"
    page = client.get(url)
    assert page.status_code == 302 and "/reauth" in page.location
    refused = client.post_form(url)
    assert refused.status_code == 302 and "/reauth" in refused.location
    [asked] = _exports_recorded(household.case.id)
    assert (asked.outcome, asked.details) == ("denied", {"reason": "reauthentication"})
    assert not any(
        a.kind == ActivityKind.EXPORTED
        for a in db.session.scalars(select(Activity).where(Activity.case_id == household.case.id))
    )


def test_the_case_page_offers_the_export_to_leads(household, client_for):
    client = client_for(household.lead)
    page = client.get(f"/cases/{household.case.id}").get_data(as_text=True)
    assert f"/cases/{household.case.id}/data-export" in page
    export_page = client.get(f"/cases/{household.case.id}/data-export").get_data(as_text=True)
    assert f"{ANA} Silva" in export_page and f'value="{household.bo.id}"' in export_page


def test_cli_export(app, household, tmp_path):
    out = tmp_path / "out.zip"
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["privacy", "export", household.case.reference, str(out), "--person", household.bo.id]
    )
    assert result.exit_code == 0, result.output
    data, raw, text = _unzip(out.read_bytes())
    assert [p["first_name"] for p in data["persons"]] == [BO]
    assert ANA not in raw and "Canaryana step note" not in raw
    assert household.case.reference in text
    [event] = _exports_recorded(household.case.id)
    assert (event.user_id, event.details) == (None, {"via": "cli", "person_id": household.bo.id})

    whole = tmp_path / "whole.zip"
    result = runner.invoke(args=["privacy", "export", household.case.reference, str(whole)])
    assert result.exit_code == 0, result.output
    assert len(_unzip(whole.read_bytes())[0]["persons"]) == 2
    assert len(_exports_recorded(household.case.id)) == 2


def test_cli_refuses_unknown_references_and_persons(app, household, tmp_path):
    runner = app.test_cli_runner()
    out = str(tmp_path / "x.zip")
    assert runner.invoke(args=["privacy", "export", "LIM-1999-9999", out]).exit_code != 0
    wrong = runner.invoke(
        args=["privacy", "export", household.case.reference, out, "--person", "999999"]
    )
    assert wrong.exit_code != 0 and "not in case" in wrong.output
    assert _exports_recorded(household.case.id) == []


def test_the_pdf_is_rendered_with_no_transaction_open(household, client_for, monkeypatch):
    from caseflow.privacy import export_routes

    seen = []
    real = export_routes.render_pdf

    def spy(html, **kwargs):
        seen.append(db.session().in_transaction())
        return real(html, **kwargs)

    monkeypatch.setattr(export_routes, "render_pdf", spy)
    _export(client_for(household.lead), household.case.id)
    assert seen == [False]


def test_a_big_export_is_sent_from_a_file(household, client_for, monkeypatch):
    from caseflow.privacy import export_routes

    monkeypatch.setattr(export_routes, "SPOOL_BYTES", 1024)
    response = _export(client_for(household.lead), household.case.id)
    data, _raw, _text = _unzip(response.get_data())
    response.close()
    assert data["case"]["reference"] == household.case.reference


def _zip_files(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("files/")}


def test_the_attached_files_are_in_the_zip_with_their_bytes(household, client_for):
    from caseflow.attachments.storage import path_of

    case = household.case
    body = _export(client_for(household.lead), case.id).get_data()
    data, _raw, _text = _unzip(body)
    files = _zip_files(body)
    listed = {row["original_name"]: row for row in data["files"]}
    assert set(listed) == {"Canaryhome lease.pdf", "Canaryana passport.png", "Canarybo permit.jpg"}
    for attachment in vars(household.files).values():
        row = listed[attachment.original_name]
        assert "stored_name" not in row  # the server's own random name stays inside
        assert files[row["file"]] == path_of(attachment.stored_name).read_bytes()
    assert listed["Canarybo permit.jpg"]["uploaded_by_client"] is True
    assert listed["Canaryana passport.png"]["uploaded_by_user"] == "Vera Advisor"


def test_a_persons_export_holds_the_household_files_and_their_own(household, client_for):
    body = _export(client_for(household.lead), household.case.id, household.ana.id).get_data()
    data, _raw, _text = _unzip(body)
    assert {row["original_name"] for row in data["files"]} == {
        "Canaryhome lease.pdf",
        "Canaryana passport.png",
    }
    assert len(_zip_files(body)) == 2

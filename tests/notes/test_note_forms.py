"""Bad and unusual input on the note forms: adding a note and editing one."""

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Activity
from caseflow.extensions import db
from caseflow.notes.models import Note, NoteRevision
from caseflow.notes.services import add_note, edit_note
from tests.conftest import db_digest, person, reload
from tests.forms_helpers import (
    BAD_URL_IDS,
    MISSING,
    UNUSUAL_NAMES,
    XSS,
    XSS_ESCAPED,
    apply,
    assert_refused,
    assert_shown_escaped,
    shown_errors,
)

REQUIRED = "This field is required."
NOT_ALLOWED = "This field contains characters that are not allowed."
TOO_LONG = "Field cannot be longer than 10000 characters."
CONFLICT = "Someone else changed this in the meantime."

NOTE_ERRORS = [
    pytest.param({"body": ""}, REQUIRED, id="empty"),
    pytest.param({"body": " \r\n\t \u00a0"}, REQUIRED, id="only-white-space"),
    pytest.param({"body": MISSING}, REQUIRED, id="absent"),
    pytest.param({"body": "x" * 10_001}, TOO_LONG, id="10001-chars"),
    pytest.param({"body": "😀" * 10_001}, TOO_LONG, id="10001-emoji"),
    pytest.param({"body": "x" * 100_000}, TOO_LONG, id="100k-chars"),
    pytest.param({"body": "Called the client\x00"}, NOT_ALLOWED, id="nul"),
    pytest.param({"body": "\x00"}, NOT_ALLOWED, id="only-nul"),
    pytest.param({"body": "Red \x1b[31malert"}, NOT_ALLOWED, id="escape-sequence"),
    pytest.param({"body": "Form\x0cfeed"}, NOT_ALLOWED, id="form-feed"),
]


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", name="Arne Advisor")


@pytest.fixture
def web(client_for, advisor):
    return client_for(advisor)


@pytest.fixture
def case(make_case, advisor):
    return make_case(advisor, household_name="Silva family", persons=[person()])


@pytest.fixture
def note(case, advisor):
    note = add_note(case, advisor, "Called the client about the permit.")
    db.session.commit()
    return note


def note_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Note))


def edit_form(note_id: int, overrides: dict | None = None) -> dict:
    current = reload(Note, note_id)
    return apply({"body": current.body, "version": str(current.version)}, overrides)


# --- adding a note ------------------------------------------------------------------------


def test_add_note_with_valid_input_is_stored(web, case, advisor):
    response = web.post_form(f"/cases/{case.id}/notes", {"body": "  Permit renewed.  "})
    assert response.status_code == 302, shown_errors(response)
    [stored] = db.session.scalars(select(Note)).all()
    assert (stored.body, stored.case_id, stored.author_id) == (
        "Permit renewed.",
        case.id,
        advisor.id,
    )


@pytest.mark.parametrize(("overrides", "message"), NOTE_ERRORS)
def test_add_note_refuses_bad_input(web, case, overrides, message):
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/notes", apply({"body": "x"}, overrides))
    assert_refused(response, before, message)
    assert note_count() == 0


def test_add_note_of_exactly_the_maximum_length_is_stored(web, case):
    body = "é" * 9_999 + "😀"
    response = web.post_form(f"/cases/{case.id}/notes", {"body": body})
    assert response.status_code == 302, shown_errors(response)
    assert db.session.scalars(select(Note.body)).one() == body


def test_add_note_keeps_line_breaks_and_tabs(web, case):
    body = "Line one\r\nLine two\n\tindented"
    response = web.post_form(f"/cases/{case.id}/notes", {"body": body})
    assert response.status_code == 302, shown_errors(response)
    assert db.session.scalars(select(Note.body)).one() == body


@pytest.mark.parametrize("value", list(UNUSUAL_NAMES.values()), ids=list(UNUSUAL_NAMES))
def test_add_note_stores_unusual_text_verbatim_and_shows_it_escaped(web, case, value):
    body = f"Met {value} at the town hall."
    response = web.post_form(f"/cases/{case.id}/notes", {"body": body})
    assert response.status_code == 302, shown_errors(response)
    [stored] = db.session.scalars(select(Note)).all()
    assert stored.body == body
    assert_shown_escaped(web.get(f"/cases/{case.id}"), body)
    assert_shown_escaped(web.get(f"/cases/{case.id}/notes/{stored.id}/edit"), body)


def test_note_with_a_script_tag_is_never_rendered_raw(web, case):
    body = f'{XSS}<img src=x onerror="alert(2)">'
    response = web.post_form(f"/cases/{case.id}/notes", {"body": body})
    assert response.status_code == 302, shown_errors(response)
    assert db.session.scalars(select(Note.body)).one() == body
    page = web.get(f"/cases/{case.id}").get_data(as_text=True)
    assert XSS_ESCAPED in page
    assert XSS not in page
    assert "<img src=x" not in page


def test_add_note_ignores_mass_assigned_fields(web, case, advisor, make_user, make_case):
    colleague = make_user("advisor", name="Colin Colleague")
    other_case = make_case(colleague, household_name="Other family")
    response = web.post_form(
        f"/cases/{case.id}/notes",
        {
            "body": "Real note",
            "case_id": str(other_case.id),
            "author_id": str(colleague.id),
            "created_at": "2000-01-01 00:00:00",
            "edited_at": "2000-01-01 00:00:00",
            "version": "42",
            "id": "4242",
        },
    )
    assert response.status_code == 302, shown_errors(response)
    [stored] = db.session.scalars(select(Note)).all()
    assert (stored.case_id, stored.author_id) == (case.id, advisor.id)
    assert stored.edited_at is None and stored.version == 1 and stored.id != 4242


@pytest.mark.parametrize("case_id", BAD_URL_IDS)
def test_add_note_to_a_malformed_case_id_is_not_found(web, case, case_id):
    before = db_digest()
    response = web.post_form(f"/cases/{case_id}/notes", {"body": "x"})
    assert response.status_code == 404
    assert db_digest() == before


# --- editing a note -------------------------------------------------------------------------


def test_edit_note_with_valid_input_keeps_a_revision(web, case, note):
    response = web.post_form(
        f"/cases/{case.id}/notes/{note.id}/edit", edit_form(note.id, {"body": "Permit renewed."})
    )
    assert response.status_code == 302, shown_errors(response)
    assert reload(Note, note.id).body == "Permit renewed."
    assert db.session.scalars(select(NoteRevision.body)).all() == [
        "Called the client about the permit."
    ]


@pytest.mark.parametrize(("overrides", "message"), NOTE_ERRORS)
def test_edit_note_refuses_bad_input(web, case, note, overrides, message):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/notes/{note.id}/edit", edit_form(note.id, overrides)
    )
    assert_refused(response, before, message)
    assert reload(Note, note.id).body == "Called the client about the permit."


def test_edit_note_with_a_stale_version_is_a_conflict(web, case, note, advisor):
    stale = edit_form(note.id, {"body": "My version"})
    edit_note(reload(Note, note.id), advisor, "Their version", None)
    db.session.commit()
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/notes/{note.id}/edit", stale)
    assert_refused(response, before, CONFLICT, statuses=(409,))
    assert reload(Note, note.id).body == "Their version"


def test_edit_note_conflict_page_shows_the_earlier_versions(web, case, note, advisor):
    """The 409 page lists the revisions too; it must render, not crash."""
    edit_note(reload(Note, note.id), advisor, "Second text", None)
    db.session.commit()
    stale = edit_form(note.id, {"body": "My version"})
    edit_note(reload(Note, note.id), advisor, "Third text", None)
    db.session.commit()
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/notes/{note.id}/edit", stale)
    assert_refused(response, before, CONFLICT, statuses=(409,))
    page = response.get_data(as_text=True)
    assert "Called the client about the permit." in page and "Second text" in page


@pytest.mark.parametrize(
    "version", ["abc", MISSING, "", "1.0"], ids=["abc", "absent", "empty", "dec"]
)
def test_edit_note_with_a_malformed_version_is_refused(web, case, note, version):
    """Without a usable version the lock cannot work: refuse instead of skipping it."""
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/notes/{note.id}/edit",
        edit_form(note.id, {"body": "Changed", "version": version}),
    )
    assert_refused(response, before, None, statuses=(400, 409))


def test_edit_note_of_another_case_is_not_found(web, case, note, make_case, advisor):
    other_case = make_case(advisor, household_name="Other family")
    before = db_digest()
    response = web.post_form(
        f"/cases/{other_case.id}/notes/{note.id}/edit", edit_form(note.id, {"body": "Moved?"})
    )
    assert response.status_code == 404
    assert db_digest() == before


@pytest.mark.parametrize("note_id", BAD_URL_IDS)
def test_edit_note_with_a_malformed_id_is_not_found(web, case, note, note_id):
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/notes/{note_id}/edit", edit_form(note.id, {"body": "Changed"})
    )
    assert response.status_code == 404
    assert db_digest() == before


def test_edit_note_ignores_mass_assigned_fields(web, case, note, advisor, make_user, make_case):
    colleague = make_user("advisor")
    other_case = make_case(colleague, household_name="Other family")
    response = web.post_form(
        f"/cases/{case.id}/notes/{note.id}/edit",
        edit_form(
            note.id,
            {
                "body": "Edited",
                "case_id": str(other_case.id),
                "author_id": str(colleague.id),
                "created_at": "2000-01-01 00:00:00",
                "edited_by_id": str(colleague.id),
            },
        ),
    )
    assert response.status_code == 302, shown_errors(response)
    stored = reload(Note, note.id)
    assert (stored.body, stored.case_id, stored.author_id) == ("Edited", case.id, advisor.id)
    [revision] = db.session.scalars(select(NoteRevision)).all()
    assert revision.edited_by_id == advisor.id


def test_edit_note_stores_markup_verbatim_and_shows_revisions_escaped(web, case, note):
    first = reload(Note, note.id).body
    note_page = f"/cases/{case.id}/notes/{note.id}/edit"
    response = web.post_form(note_page, edit_form(note.id, {"body": XSS}))
    assert response.status_code == 302, shown_errors(response)
    response = web.post_form(note_page, edit_form(note.id, {"body": "Zoë 😀 مريم דוד"}))
    assert response.status_code == 302, shown_errors(response)
    assert reload(Note, note.id).body == "Zoë 😀 مريم דוד"
    assert db.session.scalars(select(NoteRevision.body).order_by(NoteRevision.id)).all() == [
        first,
        XSS,
    ]
    assert_shown_escaped(web.get(note_page), XSS)  # the revision list
    assert_shown_escaped(web.get(f"/cases/{case.id}"), "Zoë 😀 مريم דוד")


def test_refused_note_edits_leave_no_timeline_entry(web, case, note):
    entries = db.session.scalar(select(func.count()).select_from(Activity))
    url = f"/cases/{case.id}/notes/{note.id}/edit"
    web.post_form(url, edit_form(note.id, {"body": "\x00"}))
    web.post_form(url, edit_form(note.id, {"body": "x" * 10_001}))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Activity)) == entries

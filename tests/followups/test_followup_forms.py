"""Bad and unusual input on the follow-up forms: planning one, marking it done or cancelled."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Activity, Case, CaseStatus
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.followups.services import add_followup
from tests.conftest import db_digest, person, reload
from tests.forms_helpers import (
    BAD_URL_IDS,
    LONG,
    MISSING,
    UNUSUAL_NAMES,
    XSS,
    apply,
    assert_refused,
    assert_shown_escaped,
    shown_errors,
)

REQUIRED = "This field is required."
NOT_ALLOWED = "This field contains characters that are not allowed."
CHOICE = "Not a valid choice"
DUE = "Enter a due date."
CONFLICT = "Someone else changed this in the meantime."

FOLLOWUP_ERRORS = [
    # a required field missing
    pytest.param({"title": ""}, REQUIRED, id="title-empty"),
    pytest.param({"title": " \t "}, REQUIRED, id="title-blank"),
    pytest.param({"title": MISSING}, REQUIRED, id="title-absent"),
    pytest.param({"due_date": MISSING}, DUE, id="due_date-absent"),
    pytest.param({"due_date": ""}, DUE, id="due_date-empty"),
    pytest.param({"assignee_id": MISSING}, REQUIRED, id="assignee-absent"),
    pytest.param({"assignee_id": ""}, REQUIRED, id="assignee-empty"),
    # longer than the limit
    pytest.param({"title": LONG}, "Field cannot be longer than 200 characters.", id="title-10k"),
    pytest.param({"title": "😀" * 201}, "longer than 200", id="title-201-emoji"),
    pytest.param(
        {"details": LONG}, "Field cannot be longer than 2000 characters.", id="details-10k"
    ),
    # NUL bytes and control characters
    pytest.param({"title": "Call\x00back"}, NOT_ALLOWED, id="title-nul"),
    pytest.param({"title": "\x1b[1mBold"}, NOT_ALLOWED, id="title-escape"),
    pytest.param({"details": "Bring\x00passport"}, NOT_ALLOWED, id="details-nul"),
    # invalid dates (DataRequired replaces the parse error with its own message)
    pytest.param({"due_date": "2026-02-30"}, DUE, id="due_date-feb-30"),
    pytest.param({"due_date": "not-a-date"}, DUE, id="due_date-not-a-date"),
    pytest.param({"due_date": "31/12/2026"}, DUE, id="due_date-dd-mm-yyyy"),
    pytest.param({"due_date": "2026-01-01\x00"}, DUE, id="due_date-nul"),
    pytest.param({"due_date": "9999-12-31"}, "within the next five years", id="due_date-9999"),
    pytest.param(
        {"due_date": date(today().year + 6, 1, 1).isoformat()},
        "within the next five years",
        id="due_date-6-years",
    ),
    # unknown choices / ids that are not numbers
    pytest.param({"assignee_id": "abc"}, CHOICE, id="assignee-non-numeric"),
    pytest.param({"assignee_id": "99999"}, CHOICE, id="assignee-unknown"),
    pytest.param({"assignee_id": "9" * 30}, CHOICE, id="assignee-huge"),
    pytest.param({"assignee_id": "1\x00"}, CHOICE, id="assignee-nul"),
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
def followup(case, advisor):
    followup = add_followup(
        case,
        advisor,
        title="Renew the residence card",
        details=None,
        due_date=today() + timedelta(days=7),
        assignee_id=advisor.id,
    )
    db.session.commit()
    return followup


def followup_form(assignee_id: int, overrides: dict | None = None) -> dict:
    return apply(
        {
            "title": "Call the employer",
            "details": "",
            "due_date": (today() + timedelta(days=14)).isoformat(),
            "assignee_id": str(assignee_id),
        },
        overrides,
    )


def followup_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(FollowUp))


# --- planning a follow-up -------------------------------------------------------------------


def test_add_followup_with_valid_input_is_stored(web, case, advisor):
    response = web.post_form(
        f"/cases/{case.id}/followups",
        followup_form(advisor.id, {"details": "Bring the passport.\r\nAnd a photo."}),
    )
    assert response.status_code == 302, shown_errors(response)
    [stored] = db.session.scalars(select(FollowUp)).all()
    assert stored.title == "Call the employer"
    assert stored.details == "Bring the passport.\r\nAnd a photo."
    assert stored.assignee_id == advisor.id


@pytest.mark.parametrize(("overrides", "message"), FOLLOWUP_ERRORS)
def test_add_followup_refuses_bad_input(web, case, advisor, overrides, message):
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/followups", followup_form(advisor.id, overrides))
    assert_refused(response, before, message)
    assert followup_count() == 0


def test_add_followup_refuses_inactive_and_foreign_assignees(web, case, make_user, other_centre):
    gone = make_user("advisor", is_active_account=False)
    outsider = make_user("advisor", centre_=other_centre)
    for target in (gone, outsider):
        before = db_digest()
        response = web.post_form(f"/cases/{case.id}/followups", followup_form(target.id))
        assert_refused(response, before, CHOICE)


def test_add_followup_to_a_closed_case_is_refused(web, case, advisor):
    closed = reload(Case, case.id)
    closed.status = CaseStatus.CLOSED
    db.session.commit()
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/followups", followup_form(advisor.id))
    assert_refused(response, before, "A closed case cannot get new follow-ups.")


def test_add_followup_ignores_mass_assigned_fields(web, case, advisor, make_user, make_case):
    colleague = make_user("advisor", name="Colin Colleague")
    other_case = make_case(colleague, household_name="Other family")
    extra = {
        "case_id": str(other_case.id),
        "status": "done",
        "created_by_id": str(colleague.id),
        "completed_by_id": str(colleague.id),
        "completed_at": "2000-01-01 00:00:00",
        "version": "42",
    }
    response = web.post_form(f"/cases/{case.id}/followups", followup_form(advisor.id, extra))
    assert response.status_code == 302, shown_errors(response)
    [stored] = db.session.scalars(select(FollowUp)).all()
    assert stored.case_id == case.id
    assert stored.status == FollowUpStatus.OPEN
    assert stored.created_by_id == advisor.id
    assert stored.completed_by_id is None and stored.completed_at is None
    assert stored.version == 1


@pytest.mark.parametrize("value", list(UNUSUAL_NAMES.values()), ids=list(UNUSUAL_NAMES))
def test_followup_stores_unusual_text_verbatim_and_shows_it_escaped(web, case, advisor, value):
    title = f"Call {value}"
    details = f"Ask {value} for the rental contract."
    response = web.post_form(
        f"/cases/{case.id}/followups",
        followup_form(advisor.id, {"title": title, "details": details, "due_date": today()}),
    )
    assert response.status_code == 302, shown_errors(response)
    [stored] = db.session.scalars(select(FollowUp)).all()
    assert (stored.title, stored.details) == (title, details)
    case_page = web.get(f"/cases/{case.id}")
    assert_shown_escaped(case_page, title)
    assert_shown_escaped(case_page, details)
    assert_shown_escaped(web.get("/followups?view=today"), title)
    assert_shown_escaped(web.get("/"), title)


# --- done / cancel ----------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["done", "cancel"])
def test_close_followup_with_a_stale_version_is_a_conflict(web, case, followup, action):
    stale = str(followup.version)
    current = reload(FollowUp, followup.id)
    current.title = "Renew the residence card (urgent)"  # someone else saves in between
    db.session.commit()
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/followups/{followup.id}/{action}", {"version": stale}
    )
    assert_refused(response, before, CONFLICT, statuses=(409,))
    assert reload(FollowUp, followup.id).status == FollowUpStatus.OPEN


@pytest.mark.parametrize("action", ["done", "cancel"])
@pytest.mark.parametrize(
    "version", ["abc", MISSING, "", "1.0"], ids=["abc", "absent", "empty", "dec"]
)
def test_close_followup_with_a_malformed_version_is_refused(web, case, followup, action, version):
    """Without a usable version the lock cannot work: refuse instead of skipping it."""
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/followups/{followup.id}/{action}", apply({}, {"version": version})
    )
    assert response.status_code in (400, 409), response.status_code
    assert db_digest() == before


@pytest.mark.parametrize("action", ["done", "cancel"])
def test_close_followup_that_is_no_longer_open_is_refused(web, case, followup, action, advisor):
    current = reload(FollowUp, followup.id)
    current.status = FollowUpStatus.DONE
    current.completed_by_id = advisor.id
    db.session.commit()
    before = db_digest()
    response = web.post_form(
        f"/cases/{case.id}/followups/{followup.id}/{action}",
        {"version": str(reload(FollowUp, followup.id).version)},
    )
    assert_refused(response, before, "This follow-up is no longer open.")


def test_close_followup_of_another_case_is_not_found(web, case, followup, make_case, advisor):
    other_case = make_case(advisor, household_name="Other family")
    before = db_digest()
    response = web.post_form(
        f"/cases/{other_case.id}/followups/{followup.id}/done", {"version": str(followup.version)}
    )
    assert response.status_code == 404
    assert db_digest() == before


@pytest.mark.parametrize("followup_id", BAD_URL_IDS)
def test_close_followup_with_a_malformed_id_is_not_found(web, case, followup, followup_id):
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/followups/{followup_id}/done", {"version": "1"})
    assert response.status_code == 404
    assert db_digest() == before


def test_close_followup_ignores_mass_assigned_fields(web, case, followup, advisor, make_user):
    colleague = make_user("advisor")
    response = web.post_form(
        f"/cases/{case.id}/followups/{followup.id}/done",
        {
            "version": str(followup.version),
            "completed_by_id": str(colleague.id),
            "status": "cancelled",
            "assignee_id": str(colleague.id),
            "title": "Changed title",
            "due_date": "2000-01-01",
        },
    )
    assert response.status_code == 302
    stored = reload(FollowUp, followup.id)
    assert stored.status == FollowUpStatus.DONE
    assert stored.completed_by_id == advisor.id
    assert stored.assignee_id == advisor.id
    assert stored.title == "Renew the residence card"
    assert stored.due_date == today() + timedelta(days=7)


@pytest.mark.parametrize(
    "view", ["//evil.example", "https://evil.example/", XSS, "all\x00", "\r\nSet-Cookie: x=1"]
)
def test_close_followup_never_redirects_off_site(web, case, followup, view):
    response = web.post_form(
        f"/cases/{case.id}/followups/{followup.id}/done",
        {"version": str(followup.version), "back": "followups", "view": view},
    )
    assert response.status_code == 302
    assert response.location.startswith("/followups?view="), response.location
    assert "\n" not in response.location and "\r" not in response.location
    assert reload(FollowUp, followup.id).status == FollowUpStatus.DONE


def test_refused_followups_leave_no_timeline_entry(web, case, advisor):
    entries = db.session.scalar(select(func.count()).select_from(Activity))
    web.post_form(f"/cases/{case.id}/followups", followup_form(advisor.id, {"title": "\x00"}))
    web.post_form(f"/cases/{case.id}/followups", followup_form(advisor.id, {"assignee_id": "x"}))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Activity)) == entries


# --- the follow-up list ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{"view": XSS}, {"view": "all\x00"}, {"page": "abc"}, {"page": "-3"}, {"page": "9" * 30}],
    ids=["view-markup", "view-nul", "page-abc", "page-negative", "page-huge"],
)
def test_followup_list_survives_bad_parameters(web, followup, query):
    before = db_digest()
    response = web.get("/followups", query_string=query)
    assert response.status_code == 200
    assert XSS not in response.get_data(as_text=True)
    assert db_digest() == before

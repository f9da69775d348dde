"""A team lead's day: landing on the overview, assigning from the queue, totals, tab counts."""

import re

import pytest

from caseflow.cases.models import ActivityKind, Case, CaseStatus
from caseflow.extensions import db
from caseflow.reviews.services import request_review
from tests.conftest import db_digest, reload
from tests.team.helpers import activities, followup, team_rows, text

NL = {"locale": "nl"}


def _in(locale, client):
    client.post_form("/language", {"locale": locale})
    return client


# --- Landing -------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "my_work"), [("en", "My work"), ("nl", "Mijn werk")])
def test_a_team_lead_lands_on_the_team_overview_and_keeps_my_work(
    client_for, make_user, locale, my_work
):
    client = _in(locale, client_for(make_user("team_lead")))
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/team")
    overview = text(client.get("/team"))
    link = re.search(r'<a class="nav-link" href="([^"]+)"[^>]*>' + my_work + "</a>", overview)
    assert link and link.group(1) == "/?view=mine"
    mine = client.get(link.group(1))
    assert mine.status_code == 200
    assert 'aria-current="page">' + my_work in text(mine)


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_advisors_and_admins_still_land_on_my_work(client_for, make_user, role):
    response = client_for(make_user(role)).get("/")
    assert response.status_code == 200
    assert 'aria-current="page">My work' in text(response)


# --- Intake queue ----------------------------------------------------------------------


@pytest.fixture
def intake(make_user, make_case, other_centre):
    lead = make_user("team_lead", name="Lena Lead")
    anna = make_user("advisor", name="Ana Advisor")
    bert = make_user("advisor", name="Bert Busy")
    gone = make_user("advisor", name="Gone Advisor", is_active_account=False)
    make_user("admin", name="Ada Admin")
    stranger = make_user("advisor", name="Olga Other", centre_=other_centre)
    for n in range(3):
        make_case(bert, household_name=f"Bert's {n}")
    make_case(anna, household_name="Ana's one")
    waiting = make_case(None, actor=lead, household_name="Waiting family")
    db.session.commit()
    return lead, anna, bert, gone, stranger, waiting


def _options(page: str, case: Case) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*id="assign-{case.id}".*?</select>', page, re.S).group(0)
    return [
        (value, label.strip())
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    ]


@pytest.mark.parametrize(
    ("locale", "choose", "open_word"),
    [("en", "Choose an advisor…", "open"), ("nl", "Kies een adviseur…", "open")],
)
def test_assign_to_starts_empty_and_lists_active_advisors_with_their_load(
    client_for, intake, locale, choose, open_word
):
    lead, anna, bert, *_rest, waiting = intake
    page = text(_in(locale, client_for(lead)).get("/team/intake"))
    options = _options(page, waiting)
    assert options == [
        ("", choose),
        (str(anna.id), f"Ana Advisor (1 {open_word})"),
        (str(bert.id), f"Bert Busy (3 {open_word})"),
    ]  # no lead, admin, deactivated advisor or other centre's advisor
    assert re.search(r'<option value="" selected>', page)


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("en", "Choose an advisor to assign {ref} to."),
        ("nl", "Kies een adviseur aan wie u {ref} toewijst."),
    ],
)
@pytest.mark.parametrize("choice", ["", "lead", "gone", "stranger", "junk"])
def test_assigning_without_choosing_an_active_advisor_is_refused(
    client_for, intake, locale, message, choice
):
    lead, anna, bert, gone, stranger, waiting = intake
    value = {"": "", "lead": lead.id, "gone": gone.id, "stranger": stranger.id, "junk": "x"}
    client = _in(locale, client_for(lead))
    before = db_digest()
    response = client.post_form(
        f"/team/intake/{waiting.id}/assign",
        {"advisor_id": str(value[choice]), "version": str(waiting.version)},
    )
    assert response.status_code == 400
    page = text(response)
    expected = message.format(ref=waiting.reference)
    assert page.count(expected) == 2  # at the top and next to that case's choice
    assert f'id="assign-{waiting.id}-error"' in page
    assert _options(page, waiting)[0][0] == ""  # the form is shown again
    assert db_digest() == before
    assert reload(Case, waiting.id).advisor_id is None


def test_assigning_from_the_queue_gives_the_case_and_returns(client_for, intake):
    lead, anna, _bert, *_rest, waiting = intake
    client = client_for(lead)
    response = client.post_form(
        f"/team/intake/{waiting.id}/assign",
        {"advisor_id": str(anna.id), "version": str(waiting.version)},
    )
    assert response.status_code == 302 and response.location.endswith("/team/intake")
    case = reload(Case, waiting.id)
    assert case.advisor_id == anna.id and case.status == CaseStatus.OPEN
    assert [a.details["to"] for a in activities(case, ActivityKind.ASSIGNED)] == ["Ana Advisor"]
    page = text(client.get(response.location))
    assert f"{waiting.reference} assigned." in page
    assert "The intake queue is empty." in page


def test_a_stale_version_is_refused_without_change(client_for, intake):
    lead, anna, _bert, *_rest, waiting = intake
    client = client_for(lead)
    client.fetch_csrf()
    before = db_digest()
    response = client.post_form(
        f"/team/intake/{waiting.id}/assign",
        {"advisor_id": str(anna.id), "version": str(waiting.version + 5)},
    )
    assert response.status_code == 409
    assert db_digest() == before


# --- Overview: who is listed, totals, tab counts ---------------------------------------


@pytest.fixture
def crew(make_user, make_case):
    lead = make_user("team_lead", name="Lena Lead")
    anna = make_user("advisor", name="Anna Advisor")
    bert = make_user("advisor", name="Bert Advisor")
    make_user("advisor", name="Idle Ivo")  # nothing at all: not listed
    helper = make_user("advisor", name="Helper Hanne")  # a follow-up on Anna's case
    asker = make_user("advisor", name="Asking Aziz")  # waits on a review of a queue case
    first = make_case(anna, household_name="First")
    make_case(anna, household_name="Second")
    make_case(bert, household_name="Third")
    followup(first, anna, days_late=2, assignee=helper)
    queued = make_case(None, actor=lead, household_name="Queued")
    request_review(queued, asker, "Please check the documents")
    db.session.commit()
    return lead, anna, bert, helper, asker


def test_staff_without_work_are_not_rows_of_zeros_and_a_totals_row_adds_up(client_for, crew):
    lead, *_ = crew
    page = client_for(lead).get("/team")
    rows = team_rows(page)
    assert set(rows) == {"Anna Advisor", "Bert Advisor", "Helper Hanne", "Asking Aziz"}
    assert rows["Anna Advisor"]["open"][0] == "2" and rows["Bert Advisor"]["open"][0] == "1"
    assert rows["Anna Advisor"]["followups"][0] == "1"
    body = text(page)
    total = re.search(r"<tfoot.*?</tfoot>", body, re.S).group(0)
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', total)
    assert "Total" in total
    assert cells[:4] == ["3", "0", "0", "1"]


@pytest.mark.parametrize(
    ("locale", "intake_tab", "reviews_tab", "total"),
    [
        ("en", "Intake queue (1)", "Reviews (1)", "Total"),
        ("nl", "Intakewachtrij (1)", "Nazicht (1)", "Totaal"),
    ],
)
def test_team_tabs_show_how_much_waits(client_for, crew, locale, intake_tab, reviews_tab, total):
    lead, *_ = crew
    client = _in(locale, client_for(lead))
    for path in ("/team", "/team/intake", "/team/reviews", "/team/reassign"):
        page = text(client.get(path))
        assert intake_tab in page and reviews_tab in page, path
    assert f'<th scope="row">{total}</th>' in text(client.get("/team"))


def test_a_post_without_a_version_is_refused_with_a_message(client_for, intake):
    lead, anna, _bert, *_rest, waiting = intake
    client = client_for(lead)
    client.fetch_csrf()
    before = db_digest()
    response = client.post_form(f"/team/intake/{waiting.id}/assign", {"advisor_id": str(anna.id)})
    assert response.status_code == 400
    assert "This form is incomplete. Reload the page and try again." in text(response)
    assert db_digest() == before

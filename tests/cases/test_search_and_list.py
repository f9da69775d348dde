"""Finding a case: the top bar's search box on every page, and the case list's filters."""

import html
import re

import pytest

from caseflow.cases.models import CaseStatus
from caseflow.extensions import db
from tests.conftest import person

TOP_SEARCH = re.compile(
    r'<form method="get" action="/cases" role="search" aria-label="([^"]+)".*?</form>', re.S
)


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _in(locale, client):
    client.post_form("/language", {"locale": locale})
    return client


@pytest.fixture
def cases(make_user, make_case):
    anna = make_user("advisor", name="Anna Advisor")
    bert = make_user("advisor", name="Bert Advisor")
    karimi = make_case(
        anna,
        household_name="Karimi family",
        employer="Umicore Olen",
        contact_email="reza.k@example.net",
        persons=[
            person("Reza", "Karimi", email="reza.private@example.com"),
            person("Kian", "Karimi"),
        ],
    )
    patel = make_case(anna, household_name="Patel household", persons=[person("Priya", "Patel")])
    patel_two = make_case(anna, household_name="Patel (second)", persons=[person("Rohan", "Patel")])
    closed = make_case(anna, household_name="Old Nakamura", persons=[person("Yui", "Nakamura")])
    closed.status = CaseStatus.CLOSED
    db.session.commit()
    return anna, bert, karimi, patel, patel_two, closed


@pytest.mark.parametrize(
    ("locale", "label", "button"),
    [("en", "Search cases", "Search"), ("nl", "Dossiers zoeken", "Zoeken")],
)
@pytest.mark.parametrize("path", ["/", "/cases", "/followups", "/cases/new", "/profile"])
def test_every_page_has_the_search_box_in_the_top_bar(
    client_for, make_user, locale, label, button, path
):
    page = _page(_in(locale, client_for(make_user("advisor"))).get(path))
    form = TOP_SEARCH.search(page)
    assert form, path
    assert form.group(1) == label
    assert f'<label class="visually-hidden" for="site-search">{label}</label>' in form.group(0)
    assert 'name="q"' in form.group(0) and 'aria-keyshortcuts="/"' in form.group(0)
    assert f">{button}</button>" in form.group(0)
    assert "js/search.js" in page


def test_no_search_box_before_logging_in(client):
    assert "site-search" not in _page(client.get("/login"))


@pytest.mark.parametrize(
    ("term", "household"),
    [
        ("karimi", "Karimi family"),  # household / last name
        ("Kian Karimi", "Karimi family"),  # a person's full name
        ("reza.k@example", "Karimi family"),  # the case's contact email
        ("reza.private", "Karimi family"),  # a person's email
        ("umicore", "Karimi family"),  # employer
        ("Nakamura", "Old Nakamura"),  # closed cases are found from the top bar too
    ],
)
def test_one_match_opens_the_case(client_for, cases, term, household):
    anna, *_ = cases
    client = client_for(anna)
    response = client.get("/cases", query_string={"q": term, "status": "all", "jump": "1"})
    assert response.status_code == 302
    case_page = _page(client.get(response.location))
    assert household in case_page


def test_the_reference_finds_its_case(client_for, cases):
    anna, _bert, karimi, *_ = cases
    response = client_for(anna).get(
        "/cases", query_string={"q": karimi.reference, "status": "all", "jump": "1"}
    )
    assert response.status_code == 302 and response.location.endswith(f"/cases/{karimi.id}")


@pytest.mark.parametrize(("locale", "count"), [("en", "2 cases"), ("nl", "2 dossiers")])
def test_several_matches_show_the_case_list(client_for, cases, locale, count):
    anna, *_ = cases
    response = _in(locale, client_for(anna)).get(
        "/cases", query_string={"q": "patel", "status": "all", "jump": "1"}
    )
    assert response.status_code == 200
    page = _page(response)
    assert count in page and "Patel household" in page and "Patel (second)" in page


def test_the_case_list_s_own_search_does_not_jump(client_for, cases):
    anna, *_ = cases
    response = client_for(anna).get("/cases", query_string={"q": "umicore"})
    assert response.status_code == 200 and "1 case" in _page(response)


def test_search_stays_within_what_the_user_may_see(client_for, cases, make_user):
    _anna, bert, karimi, *_ = cases
    response = client_for(bert).get(
        "/cases", query_string={"q": karimi.reference, "status": "all", "jump": "1"}
    )
    assert response.status_code == 200
    page = _page(response)
    assert "0 cases" in page and "Karimi" not in page
    lead = client_for(make_user("team_lead"))
    found = lead.get("/cases", query_string={"q": "karimi", "status": "all", "jump": "1"})
    assert found.status_code == 302


# --- The case list ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "plain", "counted"),
    [("en", "More filters", "More filters (2)"), ("nl", "Meer filters", "Meer filters (2)")],
)
def test_rarer_filters_fold_under_more_filters_with_a_count(
    client_for, cases, locale, plain, counted
):
    anna, *_ = cases
    client = _in(locale, client_for(anna))
    page = _page(client.get("/cases"))
    details = re.search(
        r'<details class="col-12 cf-more-filters"([^>]*)>\s*<summary>([^<]+)<', page
    )
    assert details.group(1) == "" and details.group(2) == plain  # folded
    folded = page[details.start() :]
    for name in (
        "case_type",
        "municipality",
        "nationality",
        "overdue",
        "waiting",
        "followups",
        "hold",
    ):
        assert f'id="{name}"' in folded
    for name in ("q", "status", "advisor", "sort"):
        assert f'id="{name}"' not in folded and f'id="{name}"' in page

    page = _page(
        client.get("/cases", query_string={"municipality": "Genk", "hold": "0", "status": "all"})
    )
    details = re.search(
        r'<details class="col-12 cf-more-filters"([^>]*)>\s*<summary>([^<]+)<', page
    )
    assert details.group(1) == " open" and details.group(2) == counted


def test_the_search_field_is_the_widest_filter(client_for, cases):
    anna, *_ = cases
    page = _page(client_for(anna).get("/cases"))
    pattern = r'<div class="([^"]+)">\s*<label class="form-label small" for="(\w+)"'
    columns = {name: classes for classes, name in re.findall(pattern, page)}
    assert columns["q"] == "col-12 col-lg-4"  # the browser test measures the widths
    assert columns["status"] == columns["advisor"] == "col-sm-6 col-lg-3"
    assert columns["sort"] == "col-sm-6 col-lg-2"


def test_the_household_name_links_to_the_case(client_for, cases):
    anna, _bert, karimi, *_ = cases
    page = _page(client_for(anna).get("/cases"))
    assert f'<a href="/cases/{karimi.id}">Karimi family</a>' in page


def _row(page: str, household: str) -> list[str]:
    """The cells of the list's row of ``household``, as text."""
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if household in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


@pytest.mark.parametrize("search", ["", "Karimi"])
def test_a_list_row_shows_the_case_its_household_type_advisor_and_hold(
    client_for, make_user, make_case, search
):
    """What a row of the list (and of a search's best matches) shows, read from the
    database's rows (caseflow.cases.queries.CaseRow): the persons and the first one's
    nationality in household order, the case type in the reader's language, the
    advisor or the intake queue, the legal hold, the arrival and the municipality."""
    from datetime import date

    from caseflow.cases.models import Case, CaseType

    lead = make_user("team_lead")
    anna = make_user("advisor", name="Anna Advisor")
    karimi = make_case(
        anna,
        household_name="Karimi family",
        arrival_date=date(2026, 3, 2),
        municipality="Genk",
        persons=[person("Reza", "Karimi", nationality="IR"), person("Kian", "Karimi")],
    )
    make_case(None, actor=lead, household_name="Karimi queue", persons=[person("Sara", "Karimi")])
    karimi_case = db.session.get(Case, karimi.id)
    karimi_case.legal_hold_at = karimi_case.created_at
    case_type = db.session.get(CaseType, karimi_case.case_type_id)
    case_type.name_en, case_type.name_nl = "Work permit", "Arbeidskaart"
    db.session.commit()
    client = client_for(lead)
    page = _page(client.get("/cases", query_string={"q": search}))
    cells = _row(page, "Karimi family")
    assert cells[1:] == [
        karimi.reference,
        "Karimi family 2 persons · Iran",
        "Work permit",
        "Open Legal hold",
        cells[5],  # the checklist's progress (tests/checklists)
        "Anna Advisor",
        cells[7],
        "Genk",
    ]
    assert "2026" in cells[7]
    queued_cells = _row(page, "Karimi queue")
    assert queued_cells[2] == "Karimi queue 1 person · Brazil"
    assert queued_cells[6] == "Intake queue"
    assert "Legal hold" not in queued_cells[4]
    client.post_form("/language", {"locale": "nl"})
    page = _page(client.get("/cases", query_string={"q": search}))
    assert _row(page, "Karimi family")[3] == "Arbeidskaart"
    assert _row(page, "Karimi family")[2] == "Karimi family 2 personen · Iran"

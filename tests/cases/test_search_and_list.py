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

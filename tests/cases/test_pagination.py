"""The case list pages by keyset: every case once, in order, forwards and backwards,
for every sort; links carry a cursor (no page numbers, no OFFSET); counts are capped."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from caseflow.cases import queries
from caseflow.cases.models import Case
from caseflow.cases.queries import CaseFilters, case_list_query, decode_cursor, encode_cursor
from caseflow.extensions import db

NAMES = ["Zed", "zed", "Émile", "emile", "Adams", "adams", "Bakker", "Zed"]
ARRIVALS = [None, date(2026, 3, 1), date(2026, 3, 1), None, date(2025, 1, 9)]
SORTS = ["-updated", "reference", "household", "-arrival", "arrival", "status", "opened"]


@pytest.fixture
def cases(app, make_user, make_case):
    """15 cases with tied names (in different letter cases) and tied or unknown arrival
    dates, 4 to a page."""
    app.config["CASES_PER_PAGE"] = 4
    advisor = make_user("advisor")
    for n in range(15):
        make_case(
            advisor,
            household_name=NAMES[n % len(NAMES)],
            arrival_date=ARRIVALS[n % len(ARRIVALS)],
        )
    return advisor


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'name="case_ids" value="(\d+)"', body)]
    links = {
        label: html.unescape(href)
        for href, label in re.findall(r'<a class="page-link" href="([^"]+)"[^>]*>([^<]+)</a>', body)
    }
    return ids, links, body


def _expected(lead, sort):
    query = case_list_query(lead, CaseFilters(status="all", sort=sort))
    return list(db.session.scalars(query.with_only_columns(Case.id)))


@pytest.mark.parametrize("sort", SORTS)
def test_next_links_walk_every_case_once_in_order(client_for, make_user, cases, sort):
    lead = make_user("team_lead")
    client = client_for(lead)
    seen, url, pages = [], f"/cases?status=all&sort={sort}", 0
    while url:
        ids, links, body = _page(client, url)
        seen += ids
        pages += 1
        assert "page=" not in body.split('aria-label="Pages of cases"')[-1]
        url = links.get("Next")
        if pages > 1:
            assert "First page" in links and "Previous" in links
    assert pages == 4
    assert seen == _expected(lead, sort)
    assert "Last page" not in links


@pytest.mark.parametrize("sort", SORTS)
def test_previous_links_from_the_last_page_walk_back_to_the_first(
    client_for, make_user, cases, sort
):
    lead = make_user("team_lead")
    client = client_for(lead)
    first_ids, links, _body = _page(client, f"/cases?status=all&sort={sort}")
    url = links["Last page"]
    assert "last=1" in url and f"sort={sort}" in url
    pages, seen = [], []
    while url:
        ids, links, _body = _page(client, url)
        pages.append(ids)
        url = links.get("Previous")
    for ids in pages:
        seen = ids + seen
    # Reaching the start shows the full first page (it may repeat cases of the next).
    assert pages[-1] == first_ids
    assert list(dict.fromkeys(seen)) == _expected(lead, sort)
    assert len(pages[0]) == 4  # the last page is full: read backwards from the end


def test_a_cursor_link_keeps_the_filters_and_is_stable_when_a_case_changes(
    client_for, make_user, cases
):
    lead = make_user("team_lead")
    client = client_for(lead)
    _ids, links, _body = _page(client, "/cases?status=all&sort=household&q=silva")
    second = links["Next"]
    assert "q=silva" in second and "sort=household" in second and "after=" in second
    before, _links, _body = _page(client, second)
    # A case on the first page changes: the second page (by its cursor) does not move.
    first_case = db.session.get(Case, _ids[0])
    first_case.municipality = "Genk"
    db.session.commit()
    after, _links, _body = _page(client, second)
    assert before == after


@pytest.mark.parametrize("token", ["nonsense", "e30", "W251bGwsIDFd", "x" * 500, "WyIiLCAtMV0"])
def test_a_broken_cursor_shows_the_first_page(client_for, make_user, cases, token):
    lead = make_user("team_lead")
    client = client_for(lead)
    first, _links, _body = _page(client, "/cases?status=all")
    assert _page(client, f"/cases?status=all&after={token}")[0] == first
    assert _page(client, f"/cases?status=all&before={token}")[0] == first


def test_cursors_round_trip():
    for name, value in [
        ("reference", "2026-0001"),
        ("household", "émile"),
        ("arrival", date(2026, 3, 1)),
        ("arrival", None),
    ]:
        cursor = decode_cursor(name, encode_cursor(value, 7))
        assert (cursor.value, cursor.id) == (value, 7)
    assert decode_cursor("reference", encode_cursor(None, 7)) is None


def test_counts_stop_at_the_limit_and_say_so(client_for, make_user, cases, monkeypatch):
    lead = make_user("team_lead")
    client = client_for(lead)
    monkeypatch.setattr(queries, "COUNT_LIMIT", 10)
    _ids, _links, body = _page(client, "/cases?status=all")
    assert "More than 10 cases" in body
    assert "Export all matching cases" in body
    monkeypatch.setattr(queries, "COUNT_LIMIT", 15)
    _ids, _links, body = _page(client, "/cases?status=all")
    assert "15 cases" in body and "More than" not in body
    base = select(Case).where(Case.centre_id == lead.centre_id)
    assert queries.count_capped(base, 14) == (14, True)
    assert queries.count_capped(base, 15) == (15, False)


def test_export_all_matching_still_takes_every_matching_case(client_for, make_user, cases):
    lead = make_user("team_lead")
    query = case_list_query(lead, CaseFilters(status="all", q="zed"))
    assert len(db.session.scalars(query.with_only_columns(Case.id)).all()) == 5


def test_the_links_and_the_capped_count_in_dutch(client_for, make_user, cases, monkeypatch):
    lead = make_user("team_lead", locale="nl")
    client = client_for(lead)
    monkeypatch.setattr(queries, "COUNT_LIMIT", 10_000)
    monkeypatch.setattr(queries, "count_capped", lambda _query, limit=None: (10_000, True))
    _ids, links, body = _page(client, "/cases?status=all")
    assert "Meer dan 10.000 dossiers" in body
    assert {"Volgende", "Laatste pagina"} <= set(links)
    _ids, links, _body = _page(client, links["Volgende"])
    assert {"Eerste pagina", "Vorige", "Volgende", "Laatste pagina"} <= set(links)


def test_the_household_sort_ignores_case_and_accents_and_follows_a_rename(
    app, client_for, make_user, make_case, monkeypatch
):
    monkeypatch.setitem(app.config, "CASES_PER_PAGE", 25)
    advisor = make_user("advisor")
    for name in ["Zed", "Émile", "adams", "Ørsted", "emile", "Bakker"]:
        make_case(advisor, household_name=name)
    client = client_for(make_user("team_lead"))

    def names():
        _ids, _links, body = _page(client, "/cases?status=all&sort=household")
        rows = re.findall(r'<td><a href="/cases/\d+">([^<]+)</a><div', body)
        return [html.unescape(name) for name in rows]

    shown = names()
    assert shown[0] == "adams" and shown[1] == "Bakker" and shown[-1] == "Zed"
    assert set(shown[2:4]) == {"Émile", "emile"} and shown[4] == "Ørsted"
    # Renamed through the model: the stored key follows.
    case = db.session.scalars(select(Case).where(Case.household_name == "Zed")).one()
    case.household_name = "Aaron"
    db.session.commit()
    assert db.session.get(Case, case.id).household_sort == "aaron"
    assert names()[0] == "Aaron"


def test_a_bulk_insert_gets_the_household_sort_key_too(make_user, make_case):
    from sqlalchemy import insert

    template = make_case(make_user("advisor"))
    row = {
        column.name: getattr(template, column.key)
        for column in Case.__table__.columns
        if column.name not in ("id", "reference", "household_name", "household_sort")
    }
    db.session.execute(insert(Case), [row | {"reference": "B-1", "household_name": "Ÿves"}])
    stored = db.session.scalars(select(Case.household_sort).where(Case.reference == "B-1")).one()
    assert stored == "yves"

"""The case list's queries use indexes: EXPLAIN on SQLite and PostgreSQL fails the test
on a full scan of cases, and on a sort of a centre's cases for a page of them."""

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from caseflow.cases.models import Case
from caseflow.cases.queries import CaseFilters, case_list_page, encode_cursor
from caseflow.extensions import db

SORTS = ["-updated", "updated", "reference", "-reference", "household", "-household"]
SORTS += ["arrival", "-arrival", "status", "-status", "opened", "-opened"]
FILTERS = [
    {"status": "intake"},
    {"status": "all"},
    {"advisor": "none"},
    {"advisor": "1"},
    {"case_type": "1"},
    {"municipality": "Genk"},
    {"nationality": "BR"},
    {"hold": "1"},
    {"waiting": "long"},
    {"overdue": "1"},
    {"followups": "overdue"},
]


@contextmanager
def _statements():
    seen = []

    def record(_conn, _cursor, statement, parameters, *_args):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _plan(statement, parameters) -> str:
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return "\n".join(row[-1] for row in rows)
    # Tiny test tables make any plan cheap: forbid sequential scans and sorts, so a
    # query that has no usable index still shows them.
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_sort = off")
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return "\n".join(row[0] for row in rows)


def _full_scans_of_cases(plan: str) -> list[str]:
    return [
        line
        for line in plan.splitlines()
        if re.search(r"\bSCAN cases\b(?! USING INDEX ix_)|Seq Scan on cases\b", line)
        and "SEARCH" not in line
    ]


def _page_plans(user, filters, **where):
    with _statements() as seen:
        case_list_page(user, filters, per_page=25, **where)
    cases_queries = [(s, p) for s, p in seen if re.search(r"\bFROM cases\b", s)]
    assert cases_queries, seen
    return [(s, _plan(s, p)) for s, p in cases_queries]


@pytest.fixture
def lead(make_user, make_case):
    lead = make_user("team_lead")
    advisor = make_user("advisor")
    for n in range(3):
        make_case(advisor, household_name=f"Household {n}", municipality="Genk")
    return lead


def _a_cursor(lead, sort):
    case = db.session.scalars(select(Case).where(Case.centre_id == lead.centre_id)).first()
    value = {
        "updated": case.updated_at,
        "reference": case.reference,
        "household": case.household_sort,
        "arrival": case.arrival_date,
        "status": case.status,
        "opened": case.created_at,
    }[sort.lstrip("-")]
    return encode_cursor(value, case.id)


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("where", ["first", "after", "before", "last"])
def test_every_sort_reads_its_page_from_an_index(lead, sort, where):
    cursor = _a_cursor(lead, sort)
    kwargs = {"first": {}, "after": {"after": cursor}, "before": {"before": cursor}}
    kwargs["last"] = {"last": True}
    plans = _page_plans(lead, CaseFilters(status="all", sort=sort), **kwargs[where])
    for statement, plan in plans:
        assert _full_scans_of_cases(plan) == [], (statement, plan)
    page_statement, page_plan = plans[0]
    assert "LIMIT" in page_statement
    # The page comes in index order: no sort of all the centre's cases (the household
    # sort too: its stored key cases.household_sort is indexed on both databases).
    assert "TEMP B-TREE FOR ORDER BY" not in page_plan, page_plan
    assert not re.search(r"(?<!Incremental )Sort\b", page_plan), page_plan


@pytest.mark.parametrize(
    "filters", FILTERS, ids=lambda f: "-".join(f"{k}={v}" for k, v in f.items())
)
def test_every_filter_uses_an_index(lead, filters):
    for statement, plan in _page_plans(lead, CaseFilters(**filters)):
        assert _full_scans_of_cases(plan) == [], (statement, plan)


def test_an_advisor_list_uses_an_index(make_user, make_case, lead):
    advisor = db.session.scalars(
        select(Case.advisor_id).where(Case.advisor_id.is_not(None))
    ).first()
    from caseflow.auth.models import User

    user = db.session.get(User, advisor)
    for statement, plan in _page_plans(user, CaseFilters()):
        assert _full_scans_of_cases(plan) == [], (statement, plan)

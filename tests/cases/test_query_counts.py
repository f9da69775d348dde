"""Pages run a fixed number of queries, whatever the amount of data (no N+1)."""

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.notes.services import add_note
from tests.conftest import person


@contextmanager
def count_queries():
    statements = []

    def before_cursor_execute(_conn, _cursor, statement, *_args):
        if (
            not statement.lstrip()
            .upper()
            .startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"))
        ):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


def _fill(make_case, advisor, n_cases, persons_per_case=3):
    cases = []
    for i in range(n_cases):
        case = make_case(
            advisor,
            household_name=f"Household {i}",
            persons=[person(first=f"P{i}-{j}") for j in range(persons_per_case)],
        )
        add_note(case, advisor, f"Note {i}")
        add_followup(
            case,
            advisor,
            title=f"Follow-up {i}",
            details=None,
            due_date=date(2026, 1, 1),
            assignee_id=advisor.id,
        )
        cases.append(case)
    db.session.commit()
    return cases


def _queries_for(client, path):
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "path",
    [
        "/cases",
        "/cases?status=all&q=household&sort=household",
        "/?view=mine",  # a team lead's "/" goes to the team overview
        "/followups?view=all",
    ],
)
def test_list_pages_run_the_same_queries_for_5_and_200_cases(
    client_for, make_user, make_case, path
):
    lead = make_user("team_lead")
    advisor = make_user("advisor")
    client = client_for(lead)
    _fill(make_case, advisor, 5)
    small = _queries_for(client, path)
    _fill(make_case, advisor, 195)
    large = _queries_for(client, path)
    assert small == large
    assert large <= 10


def test_case_detail_runs_a_fixed_number_of_queries(client_for, make_user, make_case):
    advisor = make_user("advisor")
    client = client_for(advisor)
    small_case = _fill(make_case, advisor, 1, persons_per_case=1)[0]
    big_case = make_case(advisor, persons=[person(first=f"Kid{j}") for j in range(8)])
    for i in range(40):
        add_note(big_case, advisor, f"Note {i}")
        add_followup(
            big_case,
            advisor,
            title=f"F{i}",
            details=None,
            due_date=date(2026, 1, 1),
            assignee_id=advisor.id,
        )
    db.session.commit()
    small = _queries_for(client, f"/cases/{small_case.id}")
    big = _queries_for(client, f"/cases/{big_case.id}")
    assert small == big
    assert big <= 13  # 12 to show it, 1 to write its case.view audit row

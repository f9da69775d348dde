"""The funder report's cost does not grow with its breakdowns: a fixed few queries."""

import pytest
from sqlalchemy import event

from caseflow.extensions import db
from caseflow.reports.funder import _median, funder_report
from tests.reports.test_funder import Q3, seeded  # noqa: F401 (a fixture)


@pytest.mark.usefixtures("seeded")
def test_whole_report_runs_nine_queries(centre):
    centre_id = centre.id
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        report = funder_report(centre_id, Q3)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The cases (every breakdown), their persons, the key-step template ids, the steps;
    # the events (invitations per event, walk-ins per event, the new arrivals); the
    # referrals (by partner type and outcome at once) and the first-line contacts (per
    # day and channel UNION ALL per topic).
    assert len(selects) == 9, selects
    assert "GROUP BY referrals.partner_type, referrals.state" in selects[-2]
    assert report.served_cases and report.key_steps


def test_median_from_a_histogram():
    assert _median({}) is None
    assert _median({7: 1}) == 7
    assert _median({3: 1, 9: 1}) == 6
    assert _median({1: 2, 5: 1, 8: 4}) == 8  # 1 1 5 8 8 8 8
    assert _median({1: 2, 5: 1, 8: 1}) == 3  # 1 1 5 8: (1 + 5) / 2
    assert _median({2: 3, 4: 3}) == 3

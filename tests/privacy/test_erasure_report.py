"""The funder report counts an erased case exactly as before: totals, breakdowns,
adults and children, and the key steps' shares and median days."""

import dataclasses
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow.cases.models import Case, CaseStatus, ClosingReason, ReferralChannel
from caseflow.checklists.models import ChecklistItem, ItemState, TemplateItem
from caseflow.extensions import db
from caseflow.privacy.erasure import erase_case
from caseflow.reports.funder import funder_report
from caseflow.reports.periods import period_for
from tests.conftest import person

KEY_STEPS = ("municipal-registration-third-country", "health-fund-membership", "bank-account")

# (created UTC, arrival, closed UTC, persons as (nationality, born), done key steps as
# days and hours after the arrival, UTC; hours near midnight cross a Brussels month.)
SPECS = [
    (
        datetime(2025, 1, 31, 23, 30),  # 1 February in Brussels
        date(2025, 1, 20),
        datetime(2025, 6, 30, 22, 30),  # 1 July in Brussels
        [("IN", date(1980, 1, 31))],
        (3, 40),
    ),
    (
        datetime(2025, 2, 3, 9, 0),
        date(2025, 1, 28),
        None,
        # February 2026: born on the 28th is 18 at its end, born on the 29th is not.
        [("PT", date(1990, 7, 2)), ("PT", date(2008, 2, 29)), ("PT", date(2008, 2, 28))],
        (4, 11),
    ),
    (
        datetime(2025, 3, 30, 21, 59),
        date(2025, 3, 1),
        datetime(2026, 1, 5, 8, 0),
        [("UA", date(2008, 3, 31)), ("UA", date(2007, 12, 31))],
        (33, 1),
    ),
    (datetime(2025, 5, 5, 12, 0), None, None, [("BR", date(2001, 9, 9))], (10,)),
    (
        datetime(2025, 8, 31, 22, 15),
        date(2025, 8, 29),
        datetime(2025, 12, 31, 23, 5),
        [("CN", date(1988, 11, 30)), ("CN", date(2008, 1, 1))],
        (2, 30, 65),
    ),
    (datetime(2025, 11, 11, 11, 0), date(2025, 11, 2), None, [("IN", date(1995, 4, 4))], (7, 8)),
]


def _build(make_case, advisor):
    cases = []
    for n, (created, arrival, closed, people, done_days) in enumerate(SPECS):
        case = make_case(
            advisor,
            household_name=f"Household {n}",
            arrival_date=arrival,
            municipality=("Genk", "Hasselt")[n % 2],
            sector="ICT" if n % 3 else None,
            employer=f"Employer {n}",
            referral_channel=ReferralChannel.EMPLOYER if n % 2 else None,
            persons=[
                person(
                    f"P{n}{k}",
                    f"F{n}",
                    "main_applicant" if k == 0 else "child",
                    nationality=nationality,
                    date_of_birth=born,
                )
                for k, (nationality, born) in enumerate(people)
            ],
        )
        case.created_at = created
        if closed:
            case.status = CaseStatus.CLOSED
            case.closing_reason = ClosingReason.COMPLETED
            case.closed_at = closed
            case.closing_comment = "Done"
        items = db.session.scalars(
            select(ChecklistItem)
            .join(TemplateItem)
            .where(ChecklistItem.case_id == case.id, TemplateItem.key.in_(KEY_STEPS))
            .options(joinedload(ChecklistItem.template_item))
            .order_by(ChecklistItem.id)
        ).all()
        start = datetime.combine(arrival or created.date(), datetime.min.time())
        for item, days in zip(items, done_days, strict=False):
            item.state = ItemState.DONE
            item.completed_at = start.replace(hour=22, minute=30) + timedelta(days=days)
        cases.append(case)
    db.session.commit()
    return cases


def _periods():
    months = [
        period_for("month", date(year, month, 1)) for year in (2025, 2026) for month in range(1, 13)
    ]
    quarters = [period_for("quarter", date(2025, month, 1)) for month in (1, 4, 7, 10)]
    years = [period_for("year", date(2025, 1, 1)), period_for("year", date(2026, 1, 1))]
    return months + quarters + years


def _reports(centre_id):
    db.session.expire_all()
    return [dataclasses.asdict(funder_report(centre_id, period)) for period in _periods()]


def test_report_totals_are_the_same_after_erasing_several_cases(app, centre, make_user, make_case):
    from caseflow.checklists.seeding import seed_catalogue

    seed_catalogue(centre)
    db.session.commit()
    advisor, lead = make_user("advisor"), make_user("team_lead")
    cases = _build(make_case, advisor)
    before = _reports(centre.id)
    # The data is not trivial: medians, adults and children, closings all show up.
    assert any(s["median_days"] for r in before for s in r["key_steps"])
    assert any(r["children"] and r["adults"] for r in before)
    assert any(r["closed_cases"] for r in before)

    for case in cases[:5]:
        erase_case(case, reason="Retention test", actor=lead if case.id % 2 else None)
    db.session.commit()

    assert all(db.session.get(Case, c.id).erased_at for c in cases[:5])
    assert _reports(centre.id) == before

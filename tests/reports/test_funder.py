"""The funder report: numbers equal direct SQL counts, exports suppress small counts."""

import csv
import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pypdf
import pytest
from sqlalchemy import select, text

from caseflow.cases.models import Case, CaseStatus, ClosingReason, ReferralChannel
from caseflow.checklists.models import ChecklistItem, ItemState, TemplateItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.extensions import db
from caseflow.reports.funder import funder_report
from caseflow.reports.periods import period_for
from tests.conftest import person

Q3 = period_for("quarter", date(2026, 8, 15))  # 1 July - 30 September 2026


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0)


@pytest.fixture
def seeded(centre, other_centre, make_user, make_case):
    """Twelve cases of our centre around Q3 2026, and noise in another centre."""
    seed_catalogue(centre)
    db.session.commit()
    advisor = make_user("advisor")
    stranger = make_user("advisor", centre_=other_centre)
    specs = [
        # (created, closed, reason, municipality, sector, channel, persons)
        (date(2026, 6, 30), None, None, "Genk", "ICT", "website", [("IN", 1980), ("IN", 2015)]),
        (date(2026, 7, 1), None, None, "Genk", "ICT", "website", [("IN", 1985)]),
        (
            date(2026, 7, 2),
            date(2026, 7, 20),
            "completed",
            "Hasselt",
            "ICT",
            "employer",
            [("PT", 1990), ("PT", 2012), ("PT", 2018)],
        ),
        (date(2026, 8, 5), None, None, "Hasselt", "Research", "employer", [("UA", 1970)]),
        (date(2026, 8, 6), None, None, "Genk", None, None, [("UA", 1992), ("IN", 1993)]),
        (
            date(2026, 9, 30),
            date(2026, 9, 30),
            "moved_away",
            "Genk",
            "ICT",
            "event",
            [("BR", 2000)],
        ),
        (date(2026, 10, 1), None, None, "Genk", "ICT", "event", [("BR", 2001)]),  # after Q3
        (
            date(2026, 5, 1),
            date(2026, 6, 15),
            "completed",
            "Genk",
            "ICT",
            "event",
            [("BR", 1999)],
        ),  # closed before Q3
        (
            date(2026, 5, 2),
            date(2026, 7, 3),
            "no_response",
            "Lommel",
            "ICT",
            "partner",
            [("CN", 1988)],
        ),  # served in Q3, closed in Q3
    ]
    cases = []
    for n, (created, closed, reason, town, sector, channel, people) in enumerate(specs):
        case = make_case(
            advisor,
            household_name=f"Household {n}",
            arrival_date=created,
            municipality=town,
            sector=sector,
            referral_channel=ReferralChannel(channel) if channel else None,
            persons=[
                person(
                    f"P{n}{k}",
                    f"F{n}",
                    "main_applicant" if k == 0 else "child",
                    nationality=nat,
                    date_of_birth=date(year, 6, 1),
                )
                for k, (nat, year) in enumerate(people)
            ],
        )
        case.created_at = _at(created)
        if closed:
            case.status = CaseStatus.CLOSED
            case.closing_reason = ClosingReason(reason)
            case.closed_at = _at(closed)
        cases.append(case)
    noise = make_case(stranger, household_name="Elsewhere", municipality="Antwerpen")
    noise.created_at = _at(date(2026, 8, 1))
    db.session.commit()
    return cases


SERVED = """
    SELECT id FROM cases WHERE centre_id = :centre AND created_at < :end
    AND (closed_at IS NULL OR closed_at >= :start)
"""


def _sql(query: str, centre) -> list:
    params = {"centre": centre.id, "start": Q3.start_at, "end": Q3.end_before}
    return db.session.execute(text(query), params).all()


def test_report_numbers_equal_direct_sql_counts(seeded, centre):
    report = funder_report(centre.id, Q3)
    served_ids = [r[0] for r in _sql(SERVED, centre)]
    assert report.served_cases == len(served_ids) == 7
    new = _sql(
        "SELECT count(*) FROM cases WHERE centre_id = :centre AND created_at >= :start "
        "AND created_at < :end",
        centre,
    )[0][0]
    assert report.new_cases == new == 5
    closed = _sql(
        "SELECT closing_reason, count(*) FROM cases WHERE centre_id = :centre AND "
        "status = 'closed' AND closed_at >= :start AND closed_at < :end "
        "GROUP BY closing_reason",
        centre,
    )
    assert report.closed_cases == sum(n for _r, n in closed) == 3
    assert sorted((str(r), n) for r, n in report.closing_reasons) == sorted(closed)
    persons = _sql(
        f"SELECT nationality, count(*) FROM persons WHERE case_id IN ({SERVED}) "
        "GROUP BY nationality",
        centre,
    )
    assert report.persons == sum(n for _c, n in persons) == 11
    assert dict(report.nationalities) == dict(persons)
    adults = _sql(
        f"SELECT count(*) FROM persons WHERE case_id IN ({SERVED}) "
        "AND date_of_birth <= '2008-09-30'",
        centre,
    )[0][0]
    assert report.adults == adults and report.children == report.persons - adults == 3
    assert dict(report.nationality_groups) == {"eu": 3, "third_country": 8}
    towns = _sql(
        f"SELECT municipality, count(*) FROM cases WHERE id IN ({SERVED}) GROUP BY municipality",
        centre,
    )
    assert dict(report.municipalities) == dict(towns)
    assert dict(report.sectors)["unknown"] == 1
    channels = dict(report.referral_channels)
    assert channels["unknown"] == 1 and channels[ReferralChannel.EMPLOYER] == 2


def test_key_steps_share_and_median_days(seeded, centre):
    items = db.session.scalars(
        select(ChecklistItem)
        .join(TemplateItem, TemplateItem.id == ChecklistItem.template_item_id)
        .where(TemplateItem.key == "bank-account")
        .order_by(ChecklistItem.case_id)
    ).all()
    served = {row[0] for row in _sql(SERVED, centre)}
    served_items = [i for i in items if i.case_id in served]
    assert len(served_items) == 7
    # Done 2, 4 and 9 days after arrival: median 4.
    for item, days in zip(served_items[:3], (2, 4, 9), strict=True):
        case = db.session.get(Case, item.case_id)
        item.state = ItemState.DONE
        item.completed_at = _at(case.arrival_date) + timedelta(days=days)
    served_items[3].state = ItemState.NOT_APPLICABLE
    db.session.commit()
    bank = next(s for s in funder_report(centre.id, Q3).key_steps if s.key == "bank_account")
    assert (bank.applicable, bank.done) == (6, 3)
    assert bank.share == 0.5 and bank.median_days == 4


def _page_numbers(html: str) -> dict[str, list[tuple[str, int]]]:
    """Each table of the page: section id -> [(label, count)]."""
    sections = {}
    for key, body in re.findall(r'id="t-([a-z_]+)">.*?<tbody>(.*?)</tbody>', html, re.S):
        rows = re.findall(
            r'<th scope="row"[^>]*>(.*?)</th><td class="text-end" '
            r'data-count="(\d+)"',
            body,
            re.S,
        )
        sections[key] = [(label.strip(), int(n)) for label, n in rows]
    return sections


def test_excel_matches_the_page_with_small_counts_protected(seeded, client_for, make_user):
    http = client_for(make_user("team_lead"))
    query = "period=quarter&on=2026-08-15"
    numbers = _page_numbers(http.get(f"/reports/funder?{query}").get_data(as_text=True))
    assert numbers["summary"][0] == ("New cases", 5)
    response = http.get(f"/reports/funder.xlsx?{query}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    exported = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=5, values_only=True)}
    # Counts that stand alone: equal to the page, or "<5".
    for label, count in numbers["summary"]:
        assert exported[("Cases and persons", label)] == ("<5" if count < 5 else count)
    # Named groups: the big ones as on the page, the small ones only inside "Other".
    title = "Nationality (persons, top countries)"
    page_rows = dict(numbers["nationalities"])
    small = sum(n for n in page_rows.values() if n < 5)
    for label, count in page_rows.items():
        assert ((title, label) in exported) is (count >= 5)
        if count >= 5:
            assert exported[(title, label)] == count
    other = exported[(title, "Other (fewer than 5 each)")]
    assert other == ("<5" if small < 5 else small)
    assert all(v in ("<5", "–") or not isinstance(v, int) or v >= 5 for v in exported.values())


def test_csv_and_pdf_suppress_small_counts(seeded, client_for, make_user):
    http = client_for(make_user("team_lead"))
    query = "period=quarter&on=2026-08-15"
    rows = list(
        csv.reader(io.StringIO(http.get(f"/reports/funder.csv?{query}").data.decode("utf-8-sig")))
    )
    values = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert values[("Cases and persons", "Cases served")] == "7"
    assert values[("Cases and persons", "Closed cases")] == "<5"
    assert all(v == "<5" or v in "–" or not v.isdigit() or int(v) >= 5 for v in values.values())
    pdf = http.get(f"/reports/funder.pdf?{query}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "<5" in text and "Cases served 7" in text
    assert not re.search(r"Closed cases [0-4]\b", text)


def test_period_boundaries_are_inclusive_dates():
    assert (Q3.start, Q3.end) == (date(2026, 7, 1), date(2026, 9, 30))
    month = period_for("month", date(2024, 2, 10))
    assert (month.start, month.end) == (date(2024, 2, 1), date(2024, 2, 29))
    year = period_for("year", date(2026, 5, 5))
    assert (year.start, year.end) == (date(2026, 1, 1), date(2026, 12, 31))
    with pytest.raises(ValueError):
        period_for("custom", date(2026, 1, 1), date(2026, 2, 1), date(2026, 1, 1))


@pytest.mark.parametrize(
    "query",
    [
        "period=custom&start=2026-09-01&end=2026-08-01",
        "period=custom&start=2026-09-01",
        "period=weekly",
        "period=month&on=not-a-date",
    ],
)
def test_bad_periods_are_refused_with_a_message(client_for, make_user, query):
    response = client_for(make_user("team_lead")).get(f"/reports/funder?{query}")
    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True)


def test_the_report_page_runs_a_fixed_number_of_queries(seeded, client_for, make_user, make_case):
    from tests.cases.test_query_counts import count_queries

    http = client_for(make_user("team_lead"))
    with count_queries() as before:
        http.get("/reports/funder?period=year&on=2026-08-15")
    advisor = make_user("advisor")
    for n in range(30):
        make_case(advisor, household_name=f"More {n}", municipality=f"Town {n}")
    with count_queries() as after:
        http.get("/reports/funder?period=year&on=2026-08-15")
    assert len(before) == len(after) <= 20


def test_a_lone_small_count_cannot_be_worked_out_from_its_total(seeded, centre, app):
    from caseflow.reports.presentation import Table, protected_rows

    with app.test_request_context():
        rows = protected_rows(Table("x", "X", [("EU/EEA/Swiss", 20), ("Third country", 2)]))
        assert rows == [("EU/EEA/Swiss", "–"), ("Third country", "<5")]
        rows = protected_rows(Table("x", "X", [("A", 9), ("B", 7), ("C", 1), ("D", 2)]))
        assert rows == [("A", 9), ("B", 7), ("C", "<5"), ("D", "<5")]


def test_exports_never_carry_a_spreadsheet_formula(client_for, make_user, make_case):
    advisor = make_user("advisor")
    for n in range(6):
        make_case(
            advisor,
            household_name=f"F{n}",
            municipality='=HYPERLINK("http://evil.test")',
            sector="@SUM(1+1)",
        )
    http = client_for(make_user("team_lead"))
    body = http.get("/reports/funder.csv?period=year").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body
    assert "'@SUM" in body
    sheet = openpyxl.load_workbook(
        io.BytesIO(http.get("/reports/funder.xlsx?period=year").data)
    ).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    assert any(c.value.startswith("'=HYPERLINK") for c in cells)


def test_period_edges_follow_brussels_midnight(client_for, make_user, make_case, centre):
    advisor = make_user("advisor")
    case = make_case(advisor)
    case.created_at = datetime(2025, 12, 31, 23, 30)  # 00:30 on 1 January 2026 in Brussels
    db.session.commit()
    assert funder_report(centre.id, period_for("year", date(2026, 1, 1))).new_cases == 1
    assert funder_report(centre.id, period_for("year", date(2025, 1, 1))).new_cases == 0


@pytest.mark.parametrize("query", ["on=9999-12-15", "period=year&on=0005-06-01", "fmt=csv"])
def test_odd_report_queries_never_crash(client_for, make_user, query):
    response = client_for(make_user("team_lead")).get(f"/reports/funder?{query}")
    assert response.status_code in (200, 400)

"""The funder report from the figures the worker refreshes (caseflow/reports/figures.py):
the same tables as counting live, shown with their time while fresh, live when stale,
missing, custom or asked for ("Count now"); only the centre's own; counts, no names."""

import csv
import io
import json
import re
from datetime import date, datetime, timedelta

import openpyxl
import pypdf
import pytest
from sqlalchemy import delete, select, update

from caseflow.auth.models import User
from caseflow.cases.models import Case, Person
from caseflow.checklists.models import ChecklistItem, ItemState, TemplateItem
from caseflow.core.i18n import format_clock
from caseflow.core.time import utcnow
from caseflow.events.models import InvitationStatus, WalkIn
from caseflow.extensions import db
from caseflow.partners.services import create_referral
from caseflow.reports import presentation
from caseflow.reports.figures import (
    refresh_report_figures,
    standard_periods,
    stored_report,
    to_data,
)
from caseflow.reports.funder import funder_report
from caseflow.reports.models import ReportFigure
from caseflow.reports.periods import period_for
from tests.contacts.test_contacts_report import contacts  # noqa: F401 (a fixture)
from tests.events.test_report import _event, _invite
from tests.partners.test_partners import _partner
from tests.reports.test_funder import Q3, _page_numbers, seeded  # noqa: F401 (a fixture)

DAY = date(2026, 8, 15)  # its standard periods include Q3 2026 (the fixture's quarter)
QUERY = "period=quarter&on=2026-08-15"


@pytest.fixture
def populated(seeded, contacts, centre, make_user):  # noqa: F811
    """The funder tests' cases (Q3 2026), the contacts tests' contacts, and events,
    referrals and key steps done, so that every table of the report has rows."""
    lead = make_user("team_lead")
    cases = seeded
    july = _event(centre, lead, datetime(2026, 7, 20, 17))
    september = _event(centre, lead, datetime(2026, 9, 5, 8), "family")
    _invite(july, cases[1], InvitationStatus.REGISTERED, 2, came=2)
    _invite(september, cases[3], InvitationStatus.REGISTERED, 3, came=4)
    _invite(september, cases[4], InvitationStatus.WAITING, 1)
    db.session.add(WalkIn(event_id=september.id, name="Walk-in Visitor", people=3))
    advisor = db.session.get(User, cases[0].advisor_id)
    person = db.session.scalars(select(Person).where(Person.case_id == cases[0].id)).first()
    for n, kind in enumerate(["health_fund"] * 3 + ["bank"]):
        partner = _partner(centre.id, f"Partner {n}", type=kind)
        referral = create_referral(
            cases[0],
            advisor,
            partner_id=partner.id,
            person_ids=[person.id],
            reason="x",
            consent=False,
            details=[],
            email_client=False,
        ).referral
        referral.created_at = datetime(2026, 8, 10, 9)
    items = db.session.scalars(
        select(ChecklistItem)
        .join(TemplateItem, TemplateItem.id == ChecklistItem.template_item_id)
        .where(
            TemplateItem.key == "bank-account",
            ChecklistItem.case_id.in_([c.id for c in cases[:5]]),
        )
        .order_by(ChecklistItem.case_id)
    ).all()
    for days, item in zip((2, 4, 9), items, strict=False):
        item.state = ItemState.DONE
        item.completed_at = datetime(2026, 8, 20, 10) + timedelta(days=days)
    db.session.commit()
    return lead


def _tables(report, centre_id):
    """Every table of the report as the page and exports label it."""
    tables = presentation.tables(report, centre_id, "en")
    steps = presentation.key_step_rows(report)
    return (
        [(t.key, t.title, t.rows) for t in tables],
        steps,
        presentation.contact_share(report),
        presentation.event_share(report),
    )


def test_stored_figures_equal_the_live_report_table_by_table(app, populated, centre):
    with app.test_request_context():
        live = {p: _tables(funder_report(centre.id, p), centre.id) for p in standard_periods(DAY)}
        assert refresh_report_figures(centre.id, day=DAY) == 6
        db.session.commit()
        for period, tables in live.items():
            report, computed_at = stored_report(centre.id, period)
            assert _tables(report, centre.id) == tables, period
            assert utcnow() - computed_at < timedelta(minutes=1)
        # The fixture fills every table of Q3 (not a comparison of empty reports).
        (keyed, steps, contact_share, event_share) = live[Q3]
        assert all(rows for _key, _title, rows in keyed), [k for k, _t, r in keyed if not r]
        assert {s.label: s.done for s in steps}["Bank account"] == 3
        assert contact_share != "–" and event_share != "–"
    # The standard periods: this and last month, quarter and year.
    stored = db.session.execute(
        select(ReportFigure.kind, ReportFigure.period_start, ReportFigure.period_end)
    ).all()
    assert sorted(stored) == sorted(
        [
            ("month", date(2026, 8, 1), date(2026, 8, 31)),
            ("month", date(2026, 7, 1), date(2026, 7, 31)),
            ("quarter", date(2026, 7, 1), date(2026, 9, 30)),
            ("quarter", date(2026, 4, 1), date(2026, 6, 30)),
            ("year", date(2026, 1, 1), date(2026, 12, 31)),
            ("year", date(2025, 1, 1), date(2025, 12, 31)),
        ]
    )
    # A second refresh replaces the rows rather than adding to them.
    refresh_report_figures(centre.id, day=DAY)
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(ReportFigure)) == 6


def _mark(figure_filter, **values):
    """Change the stored Q3 figures so that a page read from them shows it."""
    row = db.session.scalar(select(ReportFigure).where(*figure_filter))
    data = json.loads(row.data)
    data.update(values)
    row.data = json.dumps(data)
    db.session.commit()


Q3_ROW = (ReportFigure.kind == "quarter", ReportFigure.period_start == date(2026, 7, 1))


def test_the_page_shows_fresh_figures_with_their_time_and_counts_now_on_request(
    populated, client_for, centre
):
    http = client_for(populated)
    live_page = http.get(f"/reports/funder?{QUERY}").get_data(as_text=True)
    assert "Figures as of" not in live_page
    refresh_report_figures(centre.id, day=DAY)
    db.session.commit()
    computed_at = db.session.scalar(select(ReportFigure.computed_at).where(*Q3_ROW))
    body = http.get(f"/reports/funder?{QUERY}").get_data(as_text=True)
    with http.application.test_request_context():
        shown = format_clock(computed_at)
    assert f"Figures as of {shown}" in body
    assert _page_numbers(body) == _page_numbers(live_page)
    # The page reads the stored figures (not a live count): a changed figure shows.
    _mark(Q3_ROW, new_cases=99)
    numbers = _page_numbers(http.get(f"/reports/funder?{QUERY}").get_data(as_text=True))
    assert numbers["summary"][0] == ("New cases", 99)
    # "Count now" counts live: the real figure, no time, and the exports follow it.
    link = re.search(r'href="([^"]*live=1[^"]*)">Count now<', body).group(1).replace("&amp;", "&")
    counted = http.get(link).get_data(as_text=True)
    assert "Figures as of" not in counted
    assert _page_numbers(counted)["summary"][0] == ("New cases", 5)
    assert "live=1" in re.search(r'href="([^"]*funder\.csv[^"]*)"', counted).group(1)


def test_the_exports_use_the_same_figures_as_the_page(populated, client_for, centre):
    http = client_for(populated)
    refresh_report_figures(centre.id, day=DAY)
    db.session.commit()
    _mark(Q3_ROW, served_cases=77, new_cases=66)
    body = http.get(f"/reports/funder?{QUERY}").get_data(as_text=True)
    assert _page_numbers(body)["summary"][2] == ("Cases served", 77)
    rows = list(
        csv.reader(io.StringIO(http.get(f"/reports/funder.csv?{QUERY}").data.decode("utf-8-sig")))
    )
    values = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert values[("Cases and persons", "Cases served")] == "77"
    assert values[("Cases and persons", "New cases")] == "66"
    sheet = openpyxl.load_workbook(
        io.BytesIO(http.get(f"/reports/funder.xlsx?{QUERY}").data)
    ).active
    exported = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert exported[("Cases and persons", "Cases served")] == 77
    assert "Figures as of" in sheet["A2"].value
    pdf = http.get(f"/reports/funder.pdf?{QUERY}")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Cases served 77" in text and "Figures as of" in text
    # Counted live ("Count now"), the exports count live too.
    live_csv = http.get(f"/reports/funder.csv?{QUERY}&live=1").data.decode("utf-8-sig")
    assert "Cases served,7\r\n" in live_csv


def test_stale_missing_or_custom_figures_are_counted_live(app, populated, client_for, centre):
    http = client_for(populated)
    refresh_report_figures(centre.id, day=DAY)
    db.session.execute(update(ReportFigure).values(data=json.dumps(to_data(_empty()))))
    max_age = app.config["REPORT_FIGURES_MAX_AGE_MINUTES"]
    db.session.execute(
        update(ReportFigure).values(computed_at=utcnow() - timedelta(minutes=max_age + 1))
    )
    db.session.commit()
    assert stored_report(centre.id, Q3) is None
    body = http.get(f"/reports/funder?{QUERY}").get_data(as_text=True)
    assert "Figures as of" not in body
    assert _page_numbers(body)["summary"][2] == ("Cases served", 7)
    # A custom period of exactly the quarter's dates is counted live as well.
    db.session.execute(update(ReportFigure).values(computed_at=utcnow()))
    db.session.commit()
    assert stored_report(centre.id, Q3) is not None
    custom = "period=custom&start=2026-07-01&end=2026-09-30"
    body = http.get(f"/reports/funder?{custom}").get_data(as_text=True)
    assert "Figures as of" not in body
    assert _page_numbers(body)["summary"][2] == ("Cases served", 7)
    # No row at all: live.
    db.session.execute(delete(ReportFigure))
    db.session.commit()
    assert "Figures as of" not in http.get(f"/reports/funder?{QUERY}").get_data(as_text=True)


def test_figures_stored_by_another_version_of_the_report_are_counted_live(populated, centre):
    refresh_report_figures(centre.id, day=DAY)
    db.session.commit()
    assert stored_report(centre.id, Q3) is not None
    row = db.session.scalar(select(ReportFigure).where(*Q3_ROW))
    data = json.loads(row.data)
    del data["contacts"]  # as if stored before the report counted contacts
    row.data = json.dumps(data)
    db.session.commit()
    assert stored_report(centre.id, Q3) is None


def _empty():
    return funder_report(0, Q3)  # a centre without cases: every count 0


def test_a_shorter_max_age_makes_figures_stale_sooner(app, populated, centre, monkeypatch):
    refresh_report_figures(centre.id, day=DAY)
    db.session.execute(update(ReportFigure).values(computed_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()
    assert stored_report(centre.id, Q3) is not None
    monkeypatch.setitem(app.config, "REPORT_FIGURES_MAX_AGE_MINUTES", 2)
    assert stored_report(centre.id, Q3) is None


def test_another_centres_figures_are_never_used(
    populated, centre, other_centre, make_user, client_for
):
    refresh_report_figures(day=DAY)  # every centre
    db.session.commit()
    assert set(db.session.scalars(select(ReportFigure.centre_id))) == {centre.id, other_centre.id}
    # Our centre's rows gone, the other centre's marked: our lead counts live.
    db.session.execute(delete(ReportFigure).where(ReportFigure.centre_id == centre.id))
    db.session.commit()
    _mark((*Q3_ROW, ReportFigure.centre_id == other_centre.id), new_cases=99)
    body = client_for(populated).get(f"/reports/funder?{QUERY}").get_data(as_text=True)
    assert "Figures as of" not in body
    assert _page_numbers(body)["summary"][0] == ("New cases", 5)
    # The other centre's lead sees their own stored figures.
    stranger = make_user("team_lead", centre_=other_centre)
    body = client_for(stranger).get(f"/reports/funder?{QUERY}").get_data(as_text=True)
    assert "Figures as of" in body
    assert _page_numbers(body)["summary"][0] == ("New cases", 99)


def test_with_fresh_figures_the_page_runs_a_few_queries(populated, client_for, centre):
    from tests.cases.test_query_counts import count_queries

    http = client_for(populated)
    refresh_report_figures(centre.id, day=DAY)
    db.session.commit()
    with count_queries() as statements:
        response = http.get(f"/reports/funder?{QUERY}")
    assert "Figures as of" in response.get_data(as_text=True)
    # The session user, the stored report, the centre's case types and topic names, the
    # centre's name: none of the report's nine counting queries.
    assert len(statements) <= 5, statements
    assert not any("GROUP BY" in s for s in statements), statements


def test_the_stored_report_holds_counts_and_codes_no_personal_data(populated, centre):
    refresh_report_figures(centre.id, day=DAY)
    db.session.commit()
    stored = " ".join(db.session.scalars(select(ReportFigure.data)))
    # Names, household names, references, emails, days of birth, walk-ins: none.
    personal = db.session.execute(
        select(Case.household_name, Case.reference, Person.first_name, Person.last_name)
        .join(Person, Person.case_id == Case.id)
        .where(Case.centre_id == centre.id)
    ).all()
    assert personal
    for row in personal:
        for value in row:
            assert value and value not in stored, value
    assert "Walk-in Visitor" not in stored and "1980-06-01" not in stored
    columns = set(ReportFigure.__table__.columns.keys())
    assert columns == {
        "id",
        "centre_id",
        "kind",
        "period_start",
        "period_end",
        "data",
        "computed_at",
    }

    # Every value is a count, a median, or the code a count is kept under.
    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        else:
            yield value

    for data in db.session.scalars(select(ReportFigure.data)):
        strings = {v for v in leaves(json.loads(data)) if isinstance(v, str)}
        assert all(isinstance(v, int | float | str) or v is None for v in leaves(json.loads(data)))
        # The free text the report groups by is what erasure keeps (municipality, sector).
        allowed = {"Genk", "Hasselt", "Lommel", "ICT", "Research", "unknown", "other", "eu"}
        codes = re.compile(r"^([A-Z]{2}|[a-z_]+|\d{4}-\d{2})$")
        assert all(v in allowed or codes.match(v) for v in strings), strings


def test_erasing_a_case_leaves_the_stored_counts_unchanged(populated, centre):
    from caseflow.privacy.erasure import erase_case

    refresh_report_figures(centre.id, day=DAY)
    db.session.commit()
    before = json.loads(db.session.scalar(select(ReportFigure.data).where(*Q3_ROW)))
    target = db.session.scalar(select(Case).where(Case.household_name == "Household 3"))
    erase_case(target, reason="request of the client", actor=populated, via="web")
    db.session.commit()
    refresh_report_figures(centre.id, day=DAY)
    db.session.commit()
    after = json.loads(db.session.scalar(select(ReportFigure.data).where(*Q3_ROW)))
    assert after == before
    assert "Household 3" not in db.session.scalar(select(ReportFigure.data).where(*Q3_ROW))


def test_figures_go_with_their_centre():
    # A centre has its topics, types and templates too: deleting one is no test step;
    # the foreign key (and the migration, tests/test_migrations.py) says it.
    (key,) = ReportFigure.__table__.c.centre_id.foreign_keys
    assert (key.column.table.name, key.ondelete) == ("centres", "CASCADE")


def test_the_cli_refreshes_every_centre(app, populated, centre, other_centre):
    result = app.test_cli_runner().invoke(args=["report-figures"])
    assert result.exit_code == 0, result.output
    assert "Counted the funder report figures: 12 report(s)." in result.output
    db.session.rollback()
    centres = set(db.session.scalars(select(ReportFigure.centre_id)))
    assert centres == {centre.id, other_centre.id}
    # Today's standard periods, counted as live.
    with app.test_request_context():
        for period in standard_periods():
            report, _at = stored_report(centre.id, period)
            live = funder_report(centre.id, period)
            assert _tables(report, centre.id) == _tables(live, centre.id)


def _sqlite_path():
    url = db.engine.url
    return url.database if url.get_backend_name() == "sqlite" else None


def test_the_worker_counts_without_the_write_lock_and_stores_the_live_figures(
    app, populated, centre, other_centre, monkeypatch
):
    """The worker's task (and ``flask report-figures``): each centre counted while
    another connection can still write (no BEGIN IMMEDIATE around the counts), then
    stored."""
    import sqlite3

    from caseflow import worker
    from caseflow.reports import figures

    periods = standard_periods()
    with app.test_request_context():
        live = {p: _tables(funder_report(centre.id, p), centre.id) for p in periods}
    db.session.commit()
    path = _sqlite_path()
    # The worker's setting: transactions outside requests take the write lock up front.
    monkeypatch.setitem(app.config, "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS", True)
    probes = []

    def counting(centre_id, period):
        report = funder_report(centre_id, period)
        if path is not None:  # can another connection take the write lock meanwhile?
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                probes.append("free")
            except sqlite3.OperationalError as error:
                probes.append(str(error))
            finally:
                other.close()
        else:
            probes.append("free")
        return report

    monkeypatch.setattr(figures, "funder_report", counting)
    stored = worker.report_figures()
    assert not db.session().in_transaction()  # everything committed, nothing left open
    assert probes == ["free"] * 12  # 6 periods of both centres
    db.session.rollback()
    assert stored == 12 == db.session.scalar(select(db.func.count()).select_from(ReportFigure))
    with app.test_request_context():
        for period, tables in live.items():
            assert _tables(stored_report(centre.id, period)[0], centre.id) == tables


def test_the_standard_periods_are_this_and_last_month_quarter_and_year():
    periods = standard_periods(date(2026, 1, 10))
    assert [(p.kind, p.start, p.end) for p in periods] == [
        ("month", date(2026, 1, 1), date(2026, 1, 31)),
        ("month", date(2025, 12, 1), date(2025, 12, 31)),
        ("quarter", date(2026, 1, 1), date(2026, 3, 31)),
        ("quarter", date(2025, 10, 1), date(2025, 12, 31)),
        ("year", date(2026, 1, 1), date(2026, 12, 31)),
        ("year", date(2025, 1, 1), date(2025, 12, 31)),
    ]
    assert period_for("quarter", date(2026, 2, 3)) in periods


def test_charts_are_drawn_once_for_the_same_figures(app):
    from caseflow.reports.presentation import Table, _chart, chart

    _chart.cache_clear()
    with app.test_request_context():
        first = chart(Table("x", "Towns", [("Genk", 12), ("Hasselt", 7)]))
        again = chart(Table("x", "Towns", [("Genk", 12), ("Hasselt", 7)]))
        other = chart(Table("x", "Towns", [("Genk", 12), ("Hasselt", 8)]))
    assert first == again != other
    assert first.startswith("data:image/svg+xml;base64,")
    assert (_chart.cache_info().hits, _chart.cache_info().misses) == (1, 2)


def test_the_dutch_page_says_when_the_figures_were_counted(
    populated, make_user, client_for, centre
):
    refresh_report_figures(centre.id, day=DAY)
    db.session.commit()
    lead = make_user("team_lead", locale="nl")
    body = client_for(lead).get(f"/reports/funder?{QUERY}").get_data(as_text=True)
    assert "Cijfers van " in body and ">Nu tellen<" in body

"""Small-number suppression hides the small complementary figure, never the large one."""

import csv
import io
from datetime import date

import openpyxl
import pypdf
import pytest

from caseflow.cases.models import HouseholdRole
from caseflow.core.time import today
from caseflow.reports.funder import FunderReport
from caseflow.reports.periods import period_for
from caseflow.reports.presentation import Table, protected_rows, tables
from tests.conftest import person

PERIOD = period_for("quarter", date(2026, 8, 15))


def _rows(report: FunderReport, key: str, centre_id: int) -> list:
    (table,) = [t for t in tables(report, centre_id, "en") if t.key == key]
    return table.rows, protected_rows(table)


def test_44_children_and_none_of_unknown_age_shows_44(app, centre):
    report = FunderReport(PERIOD, persons=94, adults=50, children=44, age_unknown=0)
    with app.test_request_context():
        shown, exported = _rows(report, "ages", centre.id)
    assert shown == [("Adults (18 and over)", 50), ("Children", 44)]  # no empty "unknown"
    assert exported == [("Adults (18 and over)", 50), ("Children", 44)]


def test_a_few_of_unknown_age_are_hidden_and_the_large_figures_stay(app, centre):
    report = FunderReport(PERIOD, persons=97, adults=50, children=44, age_unknown=3)
    with app.test_request_context():
        shown, exported = _rows(report, "ages", centre.id)
    assert shown[-1] == ("Age unknown", 3)  # the centre's own page shows the exact number
    assert exported == [("Adults (18 and over)", 50), ("Children", 44), ("Age unknown", "<5")]


def test_a_few_children_are_covered_by_the_unknown_row_not_by_the_adults(app, centre):
    report = FunderReport(PERIOD, persons=104, adults=92, children=2, age_unknown=10)
    with app.test_request_context():
        _shown, exported = _rows(report, "ages", centre.id)
    # Children = total - adults - unknown: hiding "unknown" keeps it from being worked out.
    assert exported == [("Adults (18 and over)", 92), ("Children", "<5"), ("Age unknown", "–")]


def test_a_few_children_and_nobody_of_unknown_age_hide_the_adults(app, centre):
    """Without an "unknown" row, the only cover left is the other figure."""
    report = FunderReport(PERIOD, persons=94, adults=92, children=2, age_unknown=0)
    with app.test_request_context():
        _shown, exported = _rows(report, "ages", centre.id)
    assert exported == [("Adults (18 and over)", "–"), ("Children", "<5")]


def test_no_children_at_all_describes_nobody_and_needs_no_cover(app, centre):
    report = FunderReport(PERIOD, persons=50, adults=50, children=0, age_unknown=0)
    with app.test_request_context():
        _shown, exported = _rows(report, "ages", centre.id)
    assert exported == [("Adults (18 and over)", 50), ("Children", "<5")]


@pytest.mark.parametrize("key", ["municipalities", "sectors"])
def test_towns_and_sectors_keep_their_large_figures(app, centre, key):
    report = FunderReport(PERIOD)
    setattr(report, key, [("Genk", 30), ("Hasselt", 12), ("unknown", 2), ("Bree", 1)])
    with app.test_request_context():
        _shown, exported = _rows(report, key, centre.id)
    # The small ones (the unknown ones too) merge into "Other", which describes nobody.
    assert exported == [("Genk", 30), ("Hasselt", 12), ("Other (fewer than 5 each)", "<5")]


@pytest.mark.parametrize("key", ["municipalities", "sectors"])
def test_a_large_unknown_row_covers_a_small_named_one(app, centre, key):
    report = FunderReport(PERIOD)
    setattr(report, key, [("Genk", 30), ("unknown", 9), ("Hasselt", 6)])
    with app.test_request_context():
        (table,) = [t for t in tables(report, centre.id, "en") if t.key == key]
        # A "partition" with one small named row (as if a town could not be merged).
        exported = protected_rows(
            Table(key, table.title, [*table.rows, ("Bree", 2)], residual=table.residual)
        )
    assert exported == [("Genk", 30), ("Unknown", "–"), ("Hasselt", 6), ("Bree", "<5")]


def test_tables_without_an_unknown_row_still_hide_a_second_count(app):
    with app.test_request_context():
        rows = protected_rows(Table("x", "X", [("EU/EEA/Swiss", 20), ("Third country", 2)]))
    assert rows == [("EU/EEA/Swiss", "–"), ("Third country", "<5")]


# --- The same through the page and every export, in English and Dutch ----------------


@pytest.fixture
def families(make_user, make_case):
    """11 families of one adult and four children: 44 children, none of unknown age; nine
    in Genk and two with no town; eight in ICT and three with no sector; and 40 adults
    on their own in Hasselt."""
    advisor = make_user("advisor")
    born_child, born_adult = date(today().year - 8, 3, 1), date(1985, 3, 1)
    for n in range(11):
        make_case(
            advisor,
            household_name=f"Family {n}",
            municipality="Genk" if n < 9 else None,
            sector="ICT" if n < 8 else None,
            persons=[
                person(f"Parent{n}", "Test", date_of_birth=born_adult),
                *[
                    person(f"Kid{n}{k}", "Test", HouseholdRole.CHILD, date_of_birth=born_child)
                    for k in range(4)
                ],
            ],
        )
    for n in range(40):  # more adults than children, as in the centre
        make_case(
            advisor,
            household_name=f"Single {n}",
            municipality="Hasselt",
            sector="Research",
            persons=[person(f"Single{n}", "Test", date_of_birth=born_adult)],
        )
    return advisor


LABELS_ADULTS = {"en": "Adults (18 and over)", "nl": "Volwassenen (18 jaar en ouder)"}
LABELS = {
    "en": ("Persons by age", "Children", "Age unknown", "Municipality", "Employer sector"),
    "nl": (
        "Personen naar leeftijd",
        "Kinderen",
        "Leeftijd onbekend",
        "Gemeente",
        "Sector van de werkgever",
    ),
}


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_children_served_shows_44_in_the_page_and_every_export(
    client_for, make_user, families, locale
):
    ages, children, unknown_age, town, sector = LABELS[locale]
    client = client_for(make_user("team_lead"))
    client.post_form("/language", {"locale": locale})
    query = f"period=month&on={today().isoformat()}"

    page = client.get(f"/reports/funder?{query}").get_data(as_text=True)
    assert f'{children}</th><td class="text-end" data-count="44">44</td>' in page
    assert unknown_age not in page

    rows = list(
        csv.reader(io.StringIO(client.get(f"/reports/funder.csv?{query}").data.decode("utf-8-sig")))
    )
    values = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert values[(ages, children)] == "44"
    assert values[(ages, LABELS_ADULTS[locale])] == "51"
    assert not any(item == unknown_age for _section, item in values)
    assert values[(town, "Genk")] == "9"  # the two without a town do not hide Genk
    assert values[(sector, "ICT")] == "8"
    assert "–" not in {values[k] for k in values if k[0] in (ages, town, sector)}

    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/reports/funder.xlsx?{query}").data)
    ).active
    exported = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert exported[(ages, children)] == 44 and exported[(town, "Genk")] == 9

    pdf = client.get(f"/reports/funder.pdf?{query}").data
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert f"{children} 44" in text and "Genk 9" in text and unknown_age not in text

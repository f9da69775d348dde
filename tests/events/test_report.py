"""The funder report's events (issue 15, step 6): events held, invitations,
registrations, attendance by type and month, new arrivals who attended; small counts
protected in the exports like every other table."""

import csv
import io
from datetime import date, datetime

import pytest

from caseflow.events.models import EventInvitation, InvitationStatus, WalkIn
from caseflow.events.services import create_event, publish_event
from caseflow.extensions import db
from caseflow.reports.funder import event_figures
from caseflow.reports.periods import period_for

Q3 = period_for("quarter", date(2026, 8, 15))


def _event(centre, lead, when, event_type="info_session", cancel=False):
    event = create_event(
        centre.id,
        lead,
        {
            "title_en": f"Event {when:%d %b}",
            "event_type": event_type,
            "starts_at": when,
            "ends_at": when.replace(hour=when.hour + 2),
            "place": "Hall",
            "audience_languages": ["en"],
            "organiser": "The centre",
        },
    )
    publish_event(event, None)
    if cancel:
        event.status = event.status.CANCELLED
    db.session.flush()
    return event


def _invite(event, case, status=InvitationStatus.INVITED, people=None, came=None):
    db.session.add(
        EventInvitation(
            event_id=event.id,
            case_id=case.id,
            language="en",
            status=status,
            people=people,
            attended_at=datetime(2026, 9, 1) if came else None,
            attended_people=came,
        )
    )


def test_event_figures_count_by_type_and_month(centre, make_user, make_case):
    lead = make_user("team_lead")
    arrived = make_case(lead, arrival_date=date(2026, 7, 10))
    also_arrived = make_case(lead, arrival_date=date(2026, 8, 1))
    earlier = make_case(lead, arrival_date=date(2025, 1, 1))
    july = _event(centre, lead, datetime(2026, 7, 20, 17))  # 19:00 Brussels
    september = _event(centre, lead, datetime(2026, 9, 5, 8), "family")
    _event(centre, lead, datetime(2026, 9, 6, 8), cancel=True)  # not held
    _event(centre, lead, datetime(2026, 10, 6, 8))  # after the period
    _invite(july, arrived, InvitationStatus.REGISTERED, 2, came=2)
    _invite(july, also_arrived, InvitationStatus.DECLINED)
    _invite(september, earlier, InvitationStatus.REGISTERED, 3, came=4)
    _invite(september, also_arrived, InvitationStatus.WAITING, 1)
    db.session.add(WalkIn(event_id=september.id, name="Walk-in Visitor", people=3))
    db.session.commit()

    figures = event_figures(centre.id, Q3)

    assert (figures.total.events, figures.total.invitations) == (2, 4)
    assert (figures.total.registrations, figures.total.attendance) == (2, 9)
    assert figures.by_type["info_session"].attendance == 2
    assert figures.by_type["family"].attendance == 7
    assert {m: c.events for m, c in figures.by_month.items()} == {"2026-07": 1, "2026-09": 1}
    assert (figures.new_arrivals, figures.new_arrivals_attended) == (2, 1)


def test_the_report_page_and_its_protected_export(centre, make_user, make_case, client_for):
    lead = make_user("team_lead")
    case = make_case(lead, arrival_date=date(2026, 7, 10))
    july = _event(centre, lead, datetime(2026, 7, 20, 17))
    _invite(july, case, InvitationStatus.REGISTERED, 2, came=2)
    db.session.commit()
    client = client_for(lead)
    page = client.get("/reports/funder?period=quarter&on=2026-08-15").get_data(as_text=True)
    assert 'id="t-events"' in page and "Events held" in page
    assert "Attendance by event type (people)" in page
    export = client.get("/reports/funder.csv?period=quarter&on=2026-08-15")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    attendance = [r for r in rows if r[1:2] == ["Attendance (people)"]]
    assert attendance and attendance[0][2] == "<5"  # 2 people: too few to show


def _export_rows(client):
    export = client.get("/reports/funder.csv?period=quarter&on=2026-08-15")
    return list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))


SHARE = "Share of new arrivals who attended an event"


@pytest.mark.parametrize(
    ("came", "page_share", "export_share"),
    [(5, "50%", "50%"), (2, "20%", "–"), (8, "80%", "–")],
)
def test_new_arrivals_who_attended_are_a_protected_share(
    centre, make_user, make_case, client_for, came, page_share, export_share
):
    """Two plain counts (new arrivals, and those who attended) would give a small
    count away by subtraction: the report shows the share, and exports it only when
    both those who came and those who did not reach the threshold."""
    lead = make_user("team_lead")
    july = _event(centre, lead, datetime(2026, 7, 20, 17))
    for number in range(10):
        case = make_case(lead, arrival_date=date(2026, 7, 1 + number))
        if number < came:
            _invite(july, case, InvitationStatus.REGISTERED, 1, came=1)
    db.session.commit()
    client = client_for(lead)
    page = client.get("/reports/funder?period=quarter&on=2026-08-15").get_data(as_text=True)
    assert f'data-share="events">{page_share}<' in page
    assert "New arrivals who attended an event" not in page
    rows = _export_rows(client)
    assert [r[2] for r in rows if r[1] == SHARE] == [export_share]
    assert not any(r[1] == "New arrivals who attended an event" for r in rows)
    assert [r[2] for r in rows if r[1] == "New arrivals in the period (households)"] == ["10"]

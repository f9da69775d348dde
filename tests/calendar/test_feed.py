"""The personal calendar feed: its address on the profile page, what it holds, and who
it stops serving."""

import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from caseflow.calendar.models import CalendarFeed
from caseflow.calendar.services import token_hash
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.audit import AuditEvent
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.models import FollowUpStatus
from caseflow.followups.services import add_followup, close_followup
from tests.conftest import person

FEED_URL = re.compile(r'value="(http://localhost/calendar/[A-Za-z0-9_-]+\.ics)"')


@pytest.fixture
def work(centre, make_user, make_case):
    seed_catalogue(centre)
    db.session.commit()
    me = make_user("advisor", name="Arne Advisor")
    colleague = make_user("advisor", name="Bea Colleague")
    mine = make_case(
        me,
        household_name="Okafor household",
        arrival_date=today() - timedelta(days=10),
        persons=[person("Chidi", "Okafor", "main_applicant", date_of_birth=date(1985, 6, 6))],
    )
    theirs = make_case(
        colleague,
        household_name="Lindqvist household",
        arrival_date=today() - timedelta(days=10),
        persons=[person("Sven", "Lindqvist", "main_applicant", date_of_birth=date(1980, 1, 1))],
    )
    followup = add_followup(
        mine,
        me,
        title="Call Chidi about the lease",  # a client's name typed into a title
        details="Chidi Okafor asked about the deposit.",
        due_date=today() + timedelta(days=3),
        assignee_id=me.id,
    )
    add_followup(
        theirs,
        colleague,
        title="Visit the town hall with Sven",
        details=None,
        due_date=today() + timedelta(days=2),
        assignee_id=colleague.id,
    )
    db.session.commit()
    return me, colleague, mine, theirs, followup


def _address(http) -> str | None:
    match = FEED_URL.search(http.get("/profile").get_data(as_text=True))
    return match.group(1) if match else None


def _make_address(http) -> str:
    response = http.post_form("/profile/calendar")
    assert response.status_code == 302
    return _address(http)


def _events(http, url) -> dict:
    response = http.get(url.removeprefix("http://localhost"))
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.mark.parametrize(
    ("locale", "heading", "button"),
    [
        ("en", "Calendar feed", "Make my calendar address"),
        ("nl", "Agendafeed", "Mijn agenda-adres maken"),
    ],
)
def test_the_profile_page_offers_a_feed_and_then_shows_its_address(
    client_for, work, locale, heading, button
):
    me = work[0]
    me.locale = locale
    db.session.commit()
    http = client_for(me)
    page = http.get("/profile").get_data(as_text=True)
    assert f'<h2 class="h5" id="calendar-heading">{heading}</h2>' in page
    assert f">{button}</button>" in page
    assert _address(http) is None

    url = _make_address(http)
    assert url is not None
    page = http.get("/profile").get_data(as_text=True)
    new, stop = {
        "en": ("Make a new address", "Stop the calendar feed"),
        "nl": ("Nieuw adres maken", "Agendafeed stopzetten"),
    }[locale]
    assert f">{new}</button>" in page and f">{stop}</button>" in page
    # Only a hash finds the feed; the token itself is stored encrypted.
    feed = db.session.scalars(select(CalendarFeed)).one()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert feed.token_hash == token_hash(token)
    assert token not in feed.token_sealed


def test_the_feed_holds_my_followups_and_due_steps_and_no_names(client_for, app, work):
    me, colleague, mine, theirs, followup = work
    http = client_for(me)
    url = _make_address(http)
    anonymous = app.test_client()  # a calendar app: no login, no cookie
    events = _events(anonymous, url)

    event = events[f"followup-{followup.id}@localhost"]
    assert event.decoded("DTSTART") == followup.due_date  # an all-day event
    assert event.decoded("DTEND") == followup.due_date + timedelta(days=1)
    assert str(event["SUMMARY"]) == f"{mine.reference}: Call … about the lease"
    assert int(event["SEQUENCE"]) == followup.version
    assert str(event["URL"]) == f"http://localhost/cases/{mine.id}"

    steps = db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == mine.id)).all()
    due = [s for s in steps if s.is_open and s.due_date is not None]
    assert due
    for step in due:
        event = events[f"step-{step.id}@localhost"]
        assert event.decoded("DTSTART") == step.due_date
        assert str(event["SUMMARY"]).startswith(f"{mine.reference}: step ")
    assert len(events) == 1 + len(due)

    body = anonymous.get(url.removeprefix("http://localhost")).get_data(as_text=True)
    for name in ("Chidi", "Okafor", "Sven", "Lindqvist", theirs.reference, "deposit"):
        assert name not in body, name


def test_the_feed_speaks_the_users_language(client_for, app, work):
    me, _colleague, mine, _theirs, _followup = work
    me.locale = "nl"
    db.session.commit()
    url = _make_address(client_for(me))
    events = _events(app.test_client(), url)
    summaries = [str(e["SUMMARY"]) for e in events.values()]
    assert any(s.startswith(f"{mine.reference}: stap ") for s in summaries)


def test_events_follow_the_work(client_for, app, work):
    me, _colleague, mine, _theirs, followup = work
    url = _make_address(client_for(me))
    anonymous = app.test_client()
    uid = f"followup-{followup.id}@localhost"
    first = _events(anonymous, url)[uid]

    followup.due_date = today() + timedelta(days=9)
    db.session.commit()
    moved = _events(anonymous, url)[uid]  # the same UID: the calendar replaces the event
    assert moved.decoded("DTSTART") == today() + timedelta(days=9)
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])

    close_followup(followup, me, FollowUpStatus.DONE)
    db.session.commit()
    assert uid not in _events(anonymous, url)


def test_regenerating_stops_the_old_address_and_revoking_stops_the_feed(client_for, app, work):
    me = work[0]
    http = client_for(me)
    anonymous = app.test_client()
    old = _make_address(http)
    new = _make_address(http)
    assert new != old
    assert anonymous.get(old.removeprefix("http://localhost")).status_code == 404
    assert anonymous.get(new.removeprefix("http://localhost")).status_code == 200

    response = http.post_form("/profile/calendar/revoke")
    assert response.status_code == 302
    assert anonymous.get(new.removeprefix("http://localhost")).status_code == 404
    assert _address(http) is None
    assert db.session.scalar(select(func.count()).select_from(CalendarFeed)) == 0


def test_a_deactivated_users_feed_is_gone(client_for, app, work):
    me = work[0]
    url = _make_address(client_for(me))
    me.is_active_account = False
    db.session.commit()
    response = app.test_client().get(url.removeprefix("http://localhost"))
    assert response.status_code == 404
    assert b"Okafor" not in response.data and b"BEGIN:VCALENDAR" not in response.data


def test_an_unknown_address_is_a_404_for_everyone(client_for, app, work):
    me = work[0]
    _make_address(client_for(me))
    for http in (app.test_client(), client_for(me)):
        assert http.get("/calendar/not-a-real-calendar-address-000.ics").status_code == 404
        assert http.get("/calendar/x.ics").status_code == 404


def test_visibility_follows_the_current_access_rule(client_for, app, work):
    """A follow-up on a colleague's case is in my feed while I hold it, and a case that
    moves to a colleague takes its steps out of my feed."""
    me, colleague, mine, theirs, followup = work
    lent = add_followup(
        theirs,
        colleague,
        title="Translate the letter",
        details=None,
        due_date=today() + timedelta(days=4),
        assignee_id=me.id,
    )
    db.session.commit()
    url = _make_address(client_for(me))
    anonymous = app.test_client()
    events = _events(anonymous, url)
    assert f"followup-{lent.id}@localhost" in events
    assert not any(
        uid.startswith("step-") and theirs.reference in str(e["SUMMARY"])
        for uid, e in events.items()
    )

    mine.advisor_id = colleague.id
    db.session.commit()
    events = _events(anonymous, url)
    # Its steps are the colleague's now; the follow-up I still hold stays mine.
    assert [uid for uid, e in events.items() if mine.reference in str(e["SUMMARY"])] == [
        f"followup-{followup.id}@localhost"
    ]


def test_feed_reads_are_audited_once_a_day_per_address(client_for, app, work):
    me = work[0]
    http = client_for(me)
    url = _make_address(http).removeprefix("http://localhost")
    anonymous = app.test_client()
    for _ in range(3):
        assert anonymous.get(url).status_code == 200
    anonymous.get(url, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("calendar.%")).order_by(AuditEvent.id)
    ).all()
    assert [(r.action, r.outcome, r.user_id, r.source_address) for r in rows] == [
        ("calendar.create", "ok", me.id, "127.0.0.1"),
        ("calendar.feed", "ok", me.id, "127.0.0.1"),
        ("calendar.feed", "ok", me.id, "203.0.113.9"),
    ]
    http.post_form("/profile/calendar/revoke")
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "calendar.revoke")
        )
        == 1
    )


def test_guessing_addresses_is_rate_limited(app):
    anonymous = app.test_client()
    statuses = [
        anonymous.get(f"/calendar/guess-number-{n:04d}-abcdefghij.ics").status_code
        for n in range(31)
    ]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429

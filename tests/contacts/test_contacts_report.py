"""The funder report's first-line contacts: by month, channel and topic, the share
turned into a case, small counts protected in the exports, other centres left out."""

import csv
import io
from datetime import date

import pytest

from caseflow.contacts.models import Contact, ContactChannel
from caseflow.contacts.services import ContactData, centre_topics, log_contact
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.reports.funder import funder_report
from caseflow.reports.periods import period_for

Q3 = period_for("quarter", date(2026, 8, 15))
QUERY = "period=quarter&on=2026-08-15"


def _topic(centre_id, code):
    return next(t.id for t in centre_topics(centre_id) if t.code == code)


@pytest.fixture
def contacts(centre, other_centre, make_user, make_case):
    """In Q3 2026: 8 phone calls in July (6 about housing, 2 about housing and taxes),
    3 emails in September about taxes, 2 of them turned into a case; one walk-in
    before Q3, one in another centre."""
    advisor = make_user("advisor")
    stranger = make_user("advisor", centre_=other_centre)
    housing, taxes = _topic(centre.id, "housing"), _topic(centre.id, "taxes")
    case = make_case(advisor)

    def log(user, day, channel, topics, converted=False):
        contact = log_contact(
            user, ContactData(channel=channel, topic_ids=topics, minutes=5, contact_date=day)
        )
        if converted:
            contact.case_id, contact.converted_at = case.id, utcnow()
        return contact

    for n in range(8):
        log(advisor, date(2026, 7, 3 + n), ContactChannel.PHONE, [housing] + [taxes] * (n < 2))
    for n in range(3):
        log(advisor, date(2026, 9, 10 + n), ContactChannel.EMAIL, [taxes], converted=n < 2)
    log(advisor, date(2026, 6, 30), ContactChannel.WALK_IN, [housing])
    log(stranger, date(2026, 7, 5), ContactChannel.PHONE, [_topic(other_centre.id, "housing")])
    db.session.commit()
    return advisor


def test_contacts_are_counted(contacts, centre):
    report = funder_report(centre.id, Q3)
    assert report.contacts == 11
    assert report.contacts_converted == 2
    assert report.contact_months == [("2026-07", 8), ("2026-09", 3)]
    assert report.contact_channels == [("phone", 8), ("email", 3)]
    names = {_topic(centre.id, "housing"): "housing", _topic(centre.id, "taxes"): "taxes"}
    assert [(names[t], n) for t, n in report.contact_topics] == [("housing", 8), ("taxes", 5)]
    assert db.session.query(Contact).count() == 13


def test_the_page_shows_the_contacts(contacts, client_for, make_user):
    body = client_for(make_user("team_lead")).get(f"/reports/funder?{QUERY}").get_data(as_text=True)
    assert "First-line contacts" in body and "Contacts by topic" in body
    assert "July 2026" in body and "Walk-in" not in body
    assert "Share turned into a case: <strong>18%</strong>" in body


def test_the_exports_protect_small_counts(contacts, client_for, make_user):
    http = client_for(make_user("team_lead"))
    text = http.get(f"/reports/funder.csv?{QUERY}").data.decode("utf-8-sig")
    rows = {(r[0], r[1]): r[2] for r in csv.reader(io.StringIO(text))}
    assert rows[("First-line contacts", "Contacts")] == "11"
    assert rows[("First-line contacts", "Turned into a case")] == "<5"
    # 2 of 11: both the share and what it would give away stay hidden.
    assert rows[("First-line contacts", "Share turned into a case")] == "–"
    # Email "<5" would follow from 11 - 8: the phone count is hidden too.
    assert rows[("Contacts by channel", "Email")] == "<5"
    assert rows[("Contacts by channel", "Phone")] == "–"
    assert rows[("Contacts by topic", "Housing")] == "8"
    assert rows[("Contacts by topic", "Taxes")] == "5"
    assert rows[("Contacts by month", "September 2026")] == "<5"


def test_the_share_is_exported_when_both_sides_are_large(contacts, client_for, make_user):
    report = funder_report(contacts.centre_id, Q3)
    from caseflow.reports.presentation import protected_contact_share

    report.contacts, report.contacts_converted = 20, 5
    assert protected_contact_share(report) == "25%"
    report.contacts_converted = 16
    assert protected_contact_share(report) == "–"

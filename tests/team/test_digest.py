"""The weekly digest for team leads: queued per lead, delivered over real SMTP."""

import pytest
from sqlalchemy import select

from caseflow.extensions import db
from caseflow.mail import services
from caseflow.mail.digests import queue_digests
from caseflow.mail.models import OutboxMessage, OutboxStatus
from caseflow.reviews.services import request_review
from tests.team.helpers import followup, waiting_on_client

ENGLISH_SUBJECT = "Caseflow: your weekly team overview"


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def plain_text(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def html_text(mail) -> str:
    return mail.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def week(make_user, make_case, other_centre):
    """A centre with something to report, and another centre with nothing."""
    leads = {
        "lena": make_user("team_lead", name="Lena Lead", email="lena@centre.example.org"),
        "nina": make_user(
            "team_lead", name="Nina Nederlands", email="nina@centre.example.org", locale="nl"
        ),
    }
    make_user("team_lead", name="Gone Lead", is_active_account=False)
    make_user("admin", name="Ada Admin")
    anna = make_user("advisor", name="Anna Advisor")
    bert = make_user("advisor", name="Bert Belated")
    reviewed = make_case(anna, household_name="Reviewed family")
    request_review(reviewed, anna, "Please check the permit type")
    db.session.commit()
    stuck = waiting_on_client(make_case(bert, household_name="Stuck family"), bert, days_ago=20)
    followup(make_case(bert, household_name="Late family"), bert, days_late=3)
    waiting_on_client(make_case(anna, household_name="Recent family"), anna, days_ago=3)
    # Another centre: a lead, an advisor and a case, all on time.
    make_user("team_lead", centre_=other_centre, email="olaf@other.example.org")
    quiet = make_user("advisor", centre_=other_centre)
    make_case(quiet, household_name="Quiet family")
    return leads, anna, bert, reviewed, stuck


def test_one_digest_per_active_team_lead_of_the_centre(smtp, week, queued_tasks):
    leads, anna, bert, reviewed, stuck = week
    assert queue_digests() == 2
    db.session.commit()
    queued = outbox()
    assert sorted(m.recipients[0] for m in queued) == [
        "lena@centre.example.org",
        "nina@centre.example.org",
    ]
    assert all(m.kind == "digest" and m.status == OutboxStatus.QUEUED for m in queued)
    assert {m.centre_id for m in queued} == {leads["lena"].centre_id}

    assert services.deliver_due() == (2, 0)
    assert sorted(e.rcpt_tos[0] for e in smtp.inbox.envelopes) == [
        "lena@centre.example.org",
        "nina@centre.example.org",
    ]
    assert all(m.status == OutboxStatus.SENT for m in outbox())


def test_the_digest_names_the_review_the_late_advisor_and_the_stuck_case(smtp, week):
    leads, anna, bert, reviewed, stuck = week
    queue_digests()
    db.session.commit()
    services.deliver_due()
    (mail,) = [m for m in smtp.inbox.messages if m["To"] == "lena@centre.example.org"]
    assert mail["Subject"] == ENGLISH_SUBJECT
    body = plain_text(mail)
    assert "Hello Lena Lead," in body
    requests = body.split("Requests waiting for you (1):")[1].split("Late work per advisor")[0]
    assert f"{reviewed.reference} Reviewed family: review, Anna Advisor" in requests
    late = body.split("Late work per advisor:")[1].split("Cases waiting on the client")[0]
    assert (
        "Bert Belated: 0 overdue steps, 1 overdue follow-up, 1 case waiting more than 14 days"
        in late
    )
    assert "Anna Advisor" not in late  # her case waits 3 days only
    stuck_part = body.split("Cases waiting on the client for more than 14 days:")[1]
    assert f"{stuck.reference} Stuck family (Bert Belated)" in stuck_part
    assert "Recent family" not in body
    assert "http://127.0.0.1:5000/team" in body
    page = html_text(mail)
    assert reviewed.reference in page and "Bert Belated" in page and stuck.reference in page
    assert 'href="http://127.0.0.1:5000/team"' in page


def test_a_dutch_lead_gets_the_digest_in_dutch(smtp, week):
    queue_digests()
    db.session.commit()
    services.deliver_due()
    (mail,) = [m for m in smtp.inbox.messages if m["To"] == "nina@centre.example.org"]
    body = plain_text(mail)
    assert body.startswith("Dag Nina Nederlands,")
    assert 'lang="nl"' in html_text(mail)
    # Every sentence of the digest is in Dutch, the subject too.
    assert mail["Subject"] != ENGLISH_SUBJECT
    for english in (
        "Your weekly team overview.",
        "Requests waiting for you",
        "Late work per advisor",
        "Cases waiting on the client for more than 14 days",
    ):
        assert english not in body


def test_a_centre_with_nothing_to_report_gets_no_digest(make_user, make_case, other_centre):
    make_user("team_lead", centre_=other_centre)
    quiet = make_user("advisor", centre_=other_centre)
    make_case(quiet, household_name="Quiet family")
    assert queue_digests() == 0
    assert outbox() == []


def test_only_the_reporting_centre_s_leads_get_one(smtp, week):
    queue_digests()
    db.session.commit()
    assert "olaf@other.example.org" not in [m.recipients[0] for m in outbox()]


def test_the_cli_sends_the_digests(app, smtp, week, queued_tasks):
    """The cron path: the command delivers itself (no worker to ask)."""
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "Queued 2 digest(s); sent 2, failed 0." in result.output
    assert len(smtp.inbox.envelopes) == 2


def test_the_cli_with_nothing_to_report(app, smtp, make_user):
    make_user("team_lead")
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "Queued 0 digest(s); sent 0, failed 0." in result.output
    assert smtp.inbox.envelopes == []

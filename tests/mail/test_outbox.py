"""Emails through the outbox, against a real SMTP server (aiosmtpd)."""

import io
from datetime import date, timedelta

import pypdf
import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Activity, ActivityKind, ClientLanguage
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.mail import client, reminders, services
from caseflow.mail.models import OutboxMessage, OutboxStatus
from tests.conftest import db_digest, person, reload

ARRIVAL = date(2026, 9, 7)


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def client_case(centre, make_user, make_case):
    seed_catalogue(centre)
    db.session.commit()
    advisor = make_user("advisor", name="Arne Advisor", email="arne@centre.example.org")
    case = make_case(
        advisor,
        household_name="Dubois family",
        arrival_date=ARRIVAL,
        client_language=ClientLanguage.FR,
        contact_email="famille.dubois@example.net",
        persons=[
            person(
                "Léa",
                "Dubois",
                "main_applicant",
                nationality="IN",
                email="lea@example.net",
                date_of_birth=date(1990, 1, 1),
            ),
        ],
    )
    return case, advisor


def _send(http, case, recipients, message="Bon courage !"):
    return http.post_form(
        f"/cases/{case.id}/email-checklist",
        {"recipients": recipients, "personal_message": message, "action": "send"},
    )


def test_the_client_receives_one_email_in_french_with_the_pdf(smtp, client_for, client_case):
    case, advisor = client_case
    response = _send(client_for(advisor), case, ["famille.dubois@example.net", "lea@example.net"])
    assert response.status_code == 302
    assert len(smtp.inbox.envelopes) == 1
    envelope = smtp.inbox.envelopes[0]
    assert sorted(envelope.rcpt_tos) == ["famille.dubois@example.net", "lea@example.net"]
    mail = smtp.inbox.messages[0]
    assert mail["Subject"] == "Vos démarches – Expat Centre Limburg"
    assert mail["Reply-To"] == "arne@centre.example.org"
    parts = {part.get_content_type(): part for part in mail.walk()}
    assert "Bon courage !" in parts["text/plain"].get_payload(decode=True).decode()
    assert "text/html" in parts
    pdf = parts["application/pdf"].get_payload(decode=True)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert case.reference in text and "Inscription à la commune" in text
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == OutboxStatus.SENT and message.attempts == 1
    assert _count(Activity, Activity.kind == ActivityKind.EMAILED) == 1
    page = client_for(advisor).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Sent" in page


def test_preview_shows_the_message_and_sends_nothing(smtp, client_for, client_case):
    case, advisor = client_case
    http = client_for(advisor)
    before = db_digest()
    response = http.post_form(
        f"/cases/{case.id}/email-checklist",
        {"recipients": ["lea@example.net"], "personal_message": "Hello", "action": "preview"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vos démarches – Expat Centre Limburg" in body and "Hello" in body
    assert smtp.inbox.envelopes == [] and db_digest() == before


def test_smtp_down_the_request_succeeds_and_the_mail_waits(smtp_down, client_for, client_case):
    case, advisor = client_case
    response = _send(client_for(advisor), case, ["lea@example.net"])
    assert response.status_code == 302
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == OutboxStatus.QUEUED and message.attempts == 1
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()
    assert message.next_attempt_at > utcnow()
    # Nothing is due yet: no new attempt.
    assert services.deliver_due() == (0, 0)

    smtp_down.start()  # the server comes back
    later = utcnow() + timedelta(hours=1)
    assert services.deliver_due(now=later) == (1, 0)
    assert services.deliver_due(now=later + timedelta(hours=1)) == (0, 0)
    assert len(smtp_down.inbox.envelopes) == 1
    assert reload(OutboxMessage, message.id).status == OutboxStatus.SENT


def test_after_the_last_attempt_the_mail_is_failed_and_can_be_retried(
    app, smtp_down, client_for, client_case, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    case, advisor = client_case
    http = client_for(advisor)
    _send(http, case, ["lea@example.net"])
    services.deliver_due(now=utcnow() + timedelta(days=1))
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == OutboxStatus.FAILED and message.attempts == 2
    page = http.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Failed" in page and "2 attempts" in page and "Send again" in page

    smtp_down.start()
    response = http.post_form(f"/cases/{case.id}/emails/{message.id}/retry")
    assert response.status_code == 302
    assert reload(OutboxMessage, message.id).status == OutboxStatus.SENT
    assert len(smtp_down.inbox.envelopes) == 1


def test_a_rolled_back_action_sends_nothing(smtp, client_case):
    case, advisor = client_case
    client.email_checklist(case, advisor, ["lea@example.net"], None)
    db.session.rollback()
    assert _count(OutboxMessage) == 0
    assert services.deliver_due() == (0, 0)
    assert smtp.inbox.envelopes == []


def test_only_the_cases_addresses_can_receive_it(smtp, client_for, client_case):
    case, advisor = client_case
    http = client_for(advisor)
    before = db_digest()
    response = _send(http, case, ["attacker@example.org"])
    assert response.status_code == 400
    assert db_digest() == before and smtp.inbox.envelopes == []


@pytest.mark.parametrize(
    "field",
    ["subject", "recipient", "reply_to"],
)
def test_line_breaks_in_any_header_are_refused_before_building(smtp, centre, field):
    values = {
        "subject": "Checklist",
        "recipients": ["someone@example.org"],
        "reply_to": "advisor@example.org",
    }
    injected = "x@example.org\r\nBcc: victim@example.org"
    if field == "subject":
        values["subject"] = "Hello\r\nBcc: victim@example.org"
    elif field == "recipient":
        values["recipients"] = [injected]
    else:
        values["reply_to"] = injected
    with pytest.raises(services.HeaderInjectionError):
        services.queue_email(centre_id=centre.id, kind="test", text_body="Hi", **values)
    db.session.rollback()
    assert _count(OutboxMessage) == 0


def test_sent_bytes_parse_back_to_the_same_headers(smtp, centre, queued_tasks):
    services.queue_email(
        centre_id=centre.id,
        kind="test",
        recipients=["zoe@bücher.example"],
        subject="Démarches — Ж مريم",
        text_body="Body",
    )
    db.session.commit()
    assert services.deliver_due() == (1, 0)
    mail = smtp.inbox.messages[0]
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(mail["Subject"]))) == "Démarches — Ж مريم"
    assert smtp.inbox.envelopes[0].rcpt_tos == ["zoe@xn--bcher-kva.example"]
    assert "Bcc" not in mail


def test_an_address_the_smtp_server_may_not_accept_is_refused_with_a_message(centre):
    with pytest.raises(services.InvalidAddressError, match="not a valid email address"):
        services.queue_email(
            centre_id=centre.id,
            kind="test",
            recipients=["zoë@example.org"],
            subject="S",
            text_body="B",
        )


def test_a_message_is_claimed_by_one_sender_only(smtp, centre, queued_tasks):
    message = services.queue_email(
        centre_id=centre.id,
        kind="test",
        recipients=["a@example.org"],
        subject="S",
        text_body="B",
    )
    db.session.commit()
    now = utcnow()
    assert services._claim(message.id, now) is not None
    assert services._claim(message.id, now) is None
    assert services.deliver_due(now=now) == (0, 0)  # claimed: not sent twice
    # A claim left by a sender that died is taken over after a while.
    assert services.deliver_due(now=now + timedelta(minutes=11)) == (1, 0)
    assert len(smtp.inbox.envelopes) == 1


def test_daily_reminders_go_to_advisors_with_something_due_in_their_language(
    smtp, centre, make_user, make_case, queued_tasks
):
    seed_catalogue(centre)
    busy = make_user("advisor", name="Bo Busy", locale="nl")
    idle = make_user("advisor", name="Ida Idle")
    case = make_case(
        busy, arrival_date=today() - timedelta(days=40), persons=[person(nationality="IN")]
    )
    add_followup(
        case,
        busy,
        title="Bel de werkgever",
        details=None,
        due_date=today() - timedelta(days=1),
        assignee_id=busy.id,
    )
    make_case(idle, arrival_date=today() + timedelta(days=300))
    db.session.commit()
    assert reminders.queue_reminders() == 1
    db.session.commit()
    assert queued_tasks == [(services.DELIVER_TASK, ())]  # the worker is asked at once
    services.deliver_due()
    assert len(smtp.inbox.envelopes) == 1
    assert smtp.inbox.envelopes[0].rcpt_tos == [busy.email]
    body = smtp.inbox.messages[0].get_body(("plain",)).get_content()
    assert "Bel de werkgever" in body and case.reference in body
    assert "Inschrijving in de gemeente" in body  # an overdue step, in Dutch


def test_no_reminder_when_nothing_is_due(smtp, make_user):
    make_user("advisor")
    assert reminders.queue_reminders() == 0
    assert _count(OutboxMessage) == 0


def test_long_lines_are_wrapped_so_smtp_servers_accept_them(smtp, centre, queued_tasks):
    # aiosmtpd, like real servers, refuses lines over 998 characters (RFC 5321).
    services.queue_email(
        centre_id=centre.id,
        kind="test",
        recipients=["a@example.org"],
        subject="Long",
        text_body="é" + "x" * 5000,
        html_body="<ul>" + "<li>step</li>" * 500 + "</ul>",
    )
    db.session.commit()
    assert services.deliver_due() == (1, 0)
    mail = smtp.inbox.messages[0]
    assert mail.get_body(("plain",)).get_content().rstrip("\n") == "é" + "x" * 5000


def test_committing_an_email_asks_the_worker_to_deliver_it(smtp, centre):
    """The prompt path: a commit that queued mail enqueues delivery (run in-process
    here; tests/reliability runs the real worker)."""
    services.queue_email(
        centre_id=centre.id, kind="test", recipients=["a@example.org"], subject="S", text_body="B"
    )
    assert smtp.inbox.envelopes == []  # nothing before the commit
    db.session.commit()
    assert len(smtp.inbox.envelopes) == 1
    assert db.session.scalars(select(OutboxMessage)).one().status == OutboxStatus.SENT


def test_a_rolled_back_email_asks_for_no_delivery(centre, queued_tasks):
    services.queue_email(
        centre_id=centre.id, kind="test", recipients=["a@example.org"], subject="S", text_body="B"
    )
    db.session.rollback()
    db.session.commit()
    assert queued_tasks == []


def test_no_transaction_is_open_while_smtp_talks(smtp, centre, queued_tasks, monkeypatch):
    """SMTP runs between two short transactions: a slow server holds no database lock."""
    services.queue_email(
        centre_id=centre.id, kind="test", recipients=["a@example.org"], subject="S", text_body="B"
    )
    db.session.commit()
    seen = []
    send = services._send

    def spy(connection, envelope):
        seen.append(db.session().in_transaction())
        return send(connection, envelope)

    monkeypatch.setattr(services, "_send", spy)
    assert services.deliver_due() == (1, 0)
    assert seen == [False]


def test_sent_email_bodies_and_attachments_are_pruned_after_the_keep_days(
    app, smtp, centre, queued_tasks
):
    message = services.queue_email(
        centre_id=centre.id,
        kind="test",
        recipients=["a@example.org"],
        subject="Your checklist",
        text_body="Personal text",
        html_body="<p>Personal text</p>",
        attachments=[services.Attachment("c.pdf", "application/pdf", b"%PDF-1.7")],
    )
    waiting = services.queue_email(
        centre_id=centre.id, kind="test", recipients=["b@example.org"], subject="S", text_body="W"
    )
    db.session.commit()
    services.deliver_due()
    waiting = reload(OutboxMessage, waiting.id)
    waiting.status = OutboxStatus.QUEUED  # not sent: kept whatever its age
    db.session.commit()
    keep = app.config["SENT_MAIL_KEEP_DAYS"]
    assert services.prune_sent(now=utcnow() + timedelta(days=keep - 1)) == 0
    assert services.prune_sent(now=utcnow() + timedelta(days=keep + 1)) == 1
    db.session.commit()
    pruned = reload(OutboxMessage, message.id)
    assert pruned.text_body == "" and pruned.html_body is None and pruned.body_pruned_at
    assert pruned.subject == "Your checklist" and pruned.status == OutboxStatus.SENT
    assert _count(services.OutboxAttachment) == 0
    assert reload(OutboxMessage, waiting.id).text_body == "W"
    assert services.prune_sent(now=utcnow() + timedelta(days=keep + 2)) == 0

"""Finding 10: each centre's emails come from that centre (sender name and signature).

Two centres; the sent bytes are parsed back from a real SMTP server.
"""

from datetime import timedelta
from email.header import decode_header, make_header

import pytest

from caseflow.cases.models import ClientLanguage
from caseflow.centres.services import get_or_create_centre
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.mail import client, digests, reminders, services
from caseflow.reviews.services import request_review
from tests.conftest import person

LIMBURG = "Expat Centre Limburg"


def _header(mail, name) -> str:
    return str(make_header(decode_header(mail[name])))


def _sender(mail) -> tuple[str, str]:
    """(display name, address) of From, as a mail program reads them."""
    (address,) = mail["From"].addresses
    return address.display_name, address.addr_spec


def _bodies(mail) -> str:
    return "\n".join(
        part.get_content() for part in mail.walk() if part.get_content_maintype() == "text"
    )


@pytest.fixture
def liege(app):
    centre = get_or_create_centre("Expat Centre Liège & Namur", "LIE")
    db.session.commit()
    return centre


@pytest.fixture
def two_centres(centre, liege, make_user, make_case):
    world = {}
    for home in (centre, liege):
        seed_catalogue(home)
        db.session.commit()
        advisor = make_user("advisor", centre_=home, name=f"Advisor {home.code}")
        case = make_case(
            advisor,
            household_name=f"Family {home.code}",
            client_language=ClientLanguage.EN,
            contact_email=f"family.{home.code.lower()}@example.net",
            persons=[person(nationality="IN")],
            arrival_date=today() - timedelta(days=40),
        )
        world[home.code] = (home, advisor, case)
    return world


def test_the_client_email_comes_from_the_cases_centre(smtp, two_centres, queued_tasks):
    for code in ("LIM", "LIE"):
        _home, advisor, case = two_centres[code]
        client.email_checklist(case, advisor, [case.contact_email], None)
    db.session.commit()
    assert services.deliver_due() == (2, 0)
    by_recipient = {env.rcpt_tos[0]: mail for env, mail in zip(
        smtp.inbox.envelopes, smtp.inbox.messages, strict=True)}  # fmt: skip
    limburg = by_recipient["family.lim@example.net"]
    liege = by_recipient["family.lie@example.net"]
    assert _sender(limburg) == (LIMBURG, "noreply@caseflow.example")
    assert _sender(liege) == ("Expat Centre Liège & Namur", "noreply@caseflow.example")
    assert "Expat Centre Liège &amp; Namur" in _bodies(liege)  # the HTML part
    assert "Expat Centre Liège & Namur" in _bodies(liege)  # the text part
    assert LIMBURG not in _bodies(liege) and LIMBURG not in _header(liege, "Subject")
    assert LIMBURG in _bodies(limburg)
    # The SMTP envelope sender is the bare address.
    assert {env.mail_from for env in smtp.inbox.envelopes} == {"noreply@caseflow.example"}


def test_staff_emails_come_from_the_users_centre_and_are_signed(
    smtp, two_centres, make_user, queued_tasks
):
    for code in ("LIM", "LIE"):
        home, advisor, case = two_centres[code]
        add_followup(
            case, advisor, title="Call", details=None,
            due_date=today() - timedelta(days=1), assignee_id=advisor.id,
        )  # fmt: skip
        make_user("team_lead", centre_=home, name=f"Lead {code}")
        request_review(case, advisor, "Please look.")
    db.session.commit()
    assert reminders.queue_reminders() == 2
    assert digests.queue_digests() == 2
    db.session.commit()
    assert services.deliver_due() == (4, 0)
    assert len(smtp.inbox.messages) == 4
    for env, mail in zip(smtp.inbox.envelopes, smtp.inbox.messages, strict=True):
        code = "LIM" if "lim" in env.rcpt_tos[0] or _is_user_of(env.rcpt_tos[0], "LIM") else "LIE"
        name = db.session.get(type(two_centres[code][0]), two_centres[code][0].id).name
        assert _sender(mail)[0] == name
        for part in ("plain", "html"):
            body = mail.get_body((part,)).get_content()
            assert f"Caseflow, {name}" in body or f"Caseflow, {_html(name)}" in body
        other = two_centres["LIE" if code == "LIM" else "LIM"][0].name
        assert other not in _bodies(mail)


def _html(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def _is_user_of(address: str, code: str) -> bool:
    from sqlalchemy import select

    from caseflow.auth.models import User
    from caseflow.centres.models import Centre

    user = db.session.scalars(select(User).where(User.email == address)).one()
    return db.session.get(Centre, user.centre_id).code == code


@pytest.mark.parametrize(
    "name",
    [
        "Centre\r\nBcc: victim@example.org",
        "Centre\nX-Evil: 1",
        "Centre\u2028Two",
        "Centre <victim@example.org>",
        'Centre Liège "x" <victim@example.org>, other@example.org',
    ],
)
def test_a_centre_name_with_line_breaks_cannot_add_headers(smtp, app, name, queued_tasks):
    centre = get_or_create_centre(name, "EVL")
    db.session.commit()
    services.queue_email(
        centre_id=centre.id, kind="test", recipients=["someone@example.org"],
        subject="Hello", text_body="Body",
    )  # fmt: skip
    db.session.commit()
    assert services.deliver_due() == (1, 0)
    mail = smtp.inbox.messages[0]
    assert "Bcc" not in mail and "X-Evil" not in mail
    assert smtp.inbox.envelopes[0].rcpt_tos == ["someone@example.org"]
    display, address = _sender(mail)
    assert address == "noreply@caseflow.example"
    assert "\n" not in display and "\r" not in display and display.startswith("Centre ")
    assert "@" not in display and "<" not in display


def test_the_address_follows_the_setting(app, centre, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Caseflow <mail@centre.example>")
    assert services.centre_sender(centre.id) == "Expat Centre Limburg <mail@centre.example>"
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "bare@centre.example")
    assert services.centre_sender(centre.id) == "Expat Centre Limburg <bare@centre.example>"

"""Account emails: queued through the outbox with the change, in the user's language."""

from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from caseflow.auth import notifications
from caseflow.auth.models import User
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from caseflow.mail.services import build_message
from tests.conftest import PASSWORD, reload

NEW = "Tafel-Rivier-Koffie-42"
GIVEN = "quartz-harbour-violin-58"


def queued() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def parsed(message: OutboxMessage):
    """The email as it would go out over SMTP, parsed back."""
    mail = message_from_bytes(build_message(message, []).as_bytes())
    subject = str(make_header(decode_header(mail["Subject"])))
    body = mail.get_payload(decode=True) if not mail.is_multipart() else None
    if body is None:
        part = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
        body = part.get_payload(decode=True)
    return mail, subject, body.decode("utf-8")


def test_profile_password_change_emails_the_user_in_dutch(client_for, make_user):
    user = make_user("advisor", locale="nl")
    response = client_for(user).post_form(
        "/profile/password",
        {"current_password": PASSWORD, "new_password": NEW, "confirm_password": NEW},
    )
    assert response.status_code == 302
    [message] = queued()
    mail, subject, body = parsed(message)
    assert mail["To"] == user.email
    assert message.kind == "account.password_changed" and message.case_id is None
    assert subject == "Caseflow: je wachtwoord is gewijzigd"
    assert "Het wachtwoord van je Caseflow-account is gewijzigd op" in body
    assert "beheerder" in body  # "if this wasn't you, contact your administrator"
    assert NEW not in body and PASSWORD not in body and "http" not in body


def test_admin_reset_emails_the_user_in_english_without_the_password(client_for, make_user):
    admin, user = make_user("admin"), make_user("advisor")
    response = client_for(admin).post_form(
        f"/admin/users/{user.id}/password", {"new_password": GIVEN}
    )
    assert response.status_code == 302
    [message] = queued()
    mail, subject, body = parsed(message)
    assert mail["To"] == user.email
    assert subject == "Caseflow: an administrator reset your password"
    assert "If this wasn't you, contact your Caseflow administrator" in body
    assert GIVEN not in body and "http" not in body


def test_a_refused_change_sends_nothing(client_for, make_user):
    user = make_user("advisor")
    client_for(user).post_form(
        "/profile/password",
        {"current_password": "wrong-password-here", "new_password": NEW, "confirm_password": NEW},
    )
    client_for(user).post_form(
        "/profile/password",
        {
            "current_password": PASSWORD,
            "new_password": "Welcome2026!!",
            "confirm_password": "Welcome2026!!",
        },
    )
    assert queued() == []


@pytest.mark.parametrize("event", notifications.EVENTS)
@pytest.mark.parametrize("locale", ["en", "nl", None])
def test_every_event_has_a_subject_and_body_in_each_language(make_user, event, locale):
    user = make_user("advisor", locale=locale)
    notifications.notify(user, event)
    [message] = queued()
    _mail, subject, body = parsed(message)
    assert subject.startswith("Caseflow: ")
    assert user.full_name in body
    dutch = locale == "nl"
    assert ("beheerder" in body) == dutch and ("administrator" in body) != dutch


def test_dutch_texts_differ_from_english_for_every_event(make_user):
    english, dutch = make_user("advisor", locale="en"), make_user("advisor", locale="nl")
    for event in notifications.EVENTS:
        notifications.notify(english, event)
        notifications.notify(dutch, event)
    messages = queued()
    for en, nl in zip(messages[::2], messages[1::2], strict=True):
        assert en.subject != nl.subject and en.text_body != nl.text_body


def test_an_unknown_event_is_refused(make_user):
    with pytest.raises(ValueError):
        notifications.notify(make_user("advisor"), "made_up")


def test_an_address_the_outbox_refuses_does_not_stop_the_change(make_user, caplog):
    user = make_user("advisor")
    db.session.execute(
        db.update(User).where(User.id == user.id).values(email="bad address@example.org")
    )
    db.session.commit()
    notifications.notify(reload(User, user.id), notifications.PASSWORD_CHANGED)
    assert queued() == []
    assert f"user {user.id}" in caplog.text

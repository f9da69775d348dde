"""User administration: one audit event per event (finding 6 too: an admin of one centre
cannot tell whether an email address is used in another centre)."""

import re

import pytest
from sqlalchemy import func, select

from caseflow.auth.models import Role, User
from caseflow.core import audit
from caseflow.extensions import db
from tests.conftest import PASSWORD, db_digest, reload

NEW_PASSWORD = "copper-meadow-lantern-87"
OWN = "Tafel-Rivier-Koffie-42"


@pytest.fixture
def events(monkeypatch) -> list[dict]:
    """Every audit.record call (the stub stores nothing yet)."""
    recorded: list[dict] = []

    def record(action, *, outcome=audit.OK, actor=None, **kwargs):
        # The actor's id, read when the event is recorded (it may be current_user).
        actor_id = actor.id if actor is not None else None
        recorded.append({"action": action, "outcome": outcome, "actor_id": actor_id, **kwargs})

    monkeypatch.setattr(audit, "record", record)
    return recorded


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ada Admin", email="ada@example.org")


@pytest.fixture
def web(client_for, admin):
    return client_for(admin)


@pytest.fixture
def colleague(make_user):
    return make_user("advisor", name="Colin Colleague", email="colin@example.org")


def actions(events) -> list[str]:
    return [event["action"] for event in events]


def _edit(web, user, **changes):
    data = {"full_name": user.full_name, "role": user.role.value, "is_active": "y"}
    data.update(changes)
    if data["is_active"] is None:
        del data["is_active"]
    return web.post_form(f"/admin/users/{user.id}", data)


def _new_user(web, email="nina.new@example.org", password=NEW_PASSWORD):
    return web.post_form(
        "/admin/users/new",
        {
            "full_name": "Nina New",
            "email": email,
            "role": "advisor",
            "password": password,
            "is_active": "y",
        },
    )


def test_creating_a_user_records_user_created_once(web, admin, events):
    assert _new_user(web).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "nina.new@example.org"))
    [event] = [e for e in events if e["action"].startswith("user.")]
    assert event["action"] == "user.created" and event["outcome"] == audit.OK
    assert event["object_type"] == "user" and event["object_id"] == user.id
    assert event["actor_id"] == admin.id


def test_a_refused_creation_records_no_created_user(web, events):
    assert _new_user(web, password="Welcome2026!!").status_code == 400
    assert "user.created" not in actions(events)


def test_renaming_records_user_updated_with_the_field_names(web, colleague, events):
    assert _edit(web, colleague, full_name="Colin Renamed").status_code == 302
    assert events == [
        {
            "action": "user.updated",
            "outcome": audit.OK,
            "object_type": "user",
            "object_id": colleague.id,
            "actor_id": events[0]["actor_id"],
            "details": {"fields": ["full_name"]},
        }
    ]


def test_a_role_change_records_old_and_new_role_only(web, colleague, events):
    assert _edit(web, colleague, role="team_lead").status_code == 302
    [event] = events
    assert event["action"] == "user.role_changed" and event["object_id"] == colleague.id
    assert event["details"] == {"old_role": "advisor", "new_role": "team_lead"}


def test_role_change_and_deactivation_in_one_save_are_two_events(web, colleague, events):
    assert _edit(web, colleague, role="team_lead", is_active=None).status_code == 302
    assert actions(events) == ["user.role_changed", "user.deactivated"]
    user = reload(User, colleague.id)
    assert user.role == Role.TEAM_LEAD and not user.is_active_account


def test_all_three_changes_are_three_events(web, colleague, events):
    response = _edit(web, colleague, full_name="Colin C.", role="admin", is_active=None)
    assert response.status_code == 302
    assert actions(events) == ["user.role_changed", "user.deactivated", "user.updated"]


def test_activation_and_deactivation(web, colleague, events):
    _edit(web, colleague, is_active=None)
    _edit(web, reload(User, colleague.id), is_active="y")
    assert actions(events) == ["user.deactivated", "user.activated"]


def test_saving_without_changes_records_nothing(web, colleague, events):
    assert _edit(web, colleague).status_code == 302
    assert events == []


def test_a_refused_save_records_nothing(web, admin, events):
    assert _edit(web, admin, role="advisor").status_code == 400
    assert events == []


def test_a_reset_records_auth_password_reset_on_the_user(web, admin, colleague, events):
    response = web.post_form(
        f"/admin/users/{colleague.id}/password", {"new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    [event] = events
    assert event["action"] == "auth.password_reset"
    assert event["object_type"] == "user" and event["object_id"] == colleague.id
    assert event["actor_id"] == admin.id


def test_a_refused_reset_records_nothing(web, colleague, events):
    response = web.post_form(f"/admin/users/{colleague.id}/password", {"new_password": "short"})
    assert response.status_code == 400
    assert events == []


def test_a_profile_change_records_auth_password_changed(client_for, colleague, events):
    response = client_for(colleague).post_form(
        "/profile/password",
        {"current_password": PASSWORD, "new_password": OWN, "confirm_password": OWN},
    )
    assert response.status_code == 302
    [event] = [e for e in events if e["action"] != "auth.login"]  # client_for logs in
    assert event["action"] == "auth.password_changed" and event["object_id"] == colleague.id
    assert event["actor_id"] == colleague.id


def test_a_wrong_current_password_records_no_change(client_for, colleague, events):
    client_for(colleague).post_form(
        "/profile/password",
        {"current_password": "not-the-password", "new_password": OWN, "confirm_password": OWN},
    )
    assert "auth.password_changed" not in actions(events)


def test_details_hold_no_names(web, colleague, events):
    _edit(web, colleague, full_name="Colin Renamed", role="team_lead", is_active=None)
    for event in events:
        assert "Colin" not in repr(event.get("details"))


# --- finding 6 ---------------------------------------------------------------------------


def _users() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User))


def _normalised(response, email: str) -> str:
    """The page without what differs by construction: the echoed address, the token."""
    body = response.get_data(as_text=True).replace(email, "EMAIL")
    return re.sub(r'name="csrf-token" content="[^"]+"', "", body)


def test_an_address_of_another_centre_is_refused_like_one_of_the_own_centre(
    web, make_user, other_centre, colleague, events
):
    elsewhere = make_user("advisor", centre_=other_centre, email="far.away@example.org")
    before, users = db_digest(), _users()
    events.clear()
    other = _new_user(web, email=elsewhere.email)
    own = _new_user(web, email=colleague.email)
    assert other.status_code == own.status_code == 400
    assert _normalised(other, elsewhere.email) == _normalised(own, colleague.email)
    assert dict(other.headers).keys() == dict(own.headers).keys()
    body = other.get_data(as_text=True)
    assert "This email address cannot be used for a new account." in body
    assert other_centre.name not in body and "already exists" not in body
    assert db_digest() == before and _users() == users
    # Each refusal is audited (denied), the same for both.
    refusals = [e for e in events if e["action"] == "user.created"]
    assert [e["outcome"] for e in refusals] == [audit.DENIED, audit.DENIED]
    assert all(e.get("object_id") is None for e in refusals)


@pytest.mark.parametrize("spelling", ["FAR.AWAY@Example.org", " far.away@example.org "])
def test_any_spelling_of_another_centres_address_gets_the_neutral_refusal(
    web, make_user, other_centre, spelling
):
    make_user("advisor", centre_=other_centre, email="far.away@example.org")
    response = _new_user(web, email=spelling)
    assert response.status_code == 400
    assert "This email address cannot be used for a new account." in response.get_data(as_text=True)

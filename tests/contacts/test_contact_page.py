"""A contact's own page: what it shows, editing (bad input, stale forms), "Erase name
and note", deleting one logged by mistake, and what a person's erasure leaves."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from caseflow.cases.models import Case, Person
from caseflow.contacts.models import Contact, ContactChannel, ContactTopic, contact_topic_links
from caseflow.core.audit import AuditEvent
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.privacy.erasure import erase_person
from tests.conftest import db_digest
from tests.contacts.test_contacts import BAD_INPUT, _log, contact_form, topic_id
from tests.forms_helpers import apply


def fresh(contact_id: int) -> Contact:
    """The stored contact with its topics (what another request would see)."""
    return db.session.scalar(
        select(Contact)
        .where(Contact.id == contact_id)
        .options(selectinload(Contact.topics))
        .execution_options(populate_existing=True)
    )


def edit_form(client, contact_id: int, overrides: dict | None = None) -> dict:
    """What the edit form posts when sent as shown (with its version), plus changes."""
    page = client.get(f"/contacts/{contact_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([0-9a-f]+)"', page).group(1)
    contact = fresh(contact_id)
    reference = db.session.get(Case, contact.case_id).reference if contact.case_id else ""
    data = contact_form(
        contact.centre_id,
        {
            "channel": contact.channel.value,
            "topics": [str(t.id) for t in contact.topics],
            "minutes": str(contact.minutes),
            "contact_date": contact.contact_date.isoformat(),
            "nationality": contact.nationality or "",
            "municipality": contact.municipality or "",
            "name": contact.name or "",
            "note": contact.note or "",
            "case_reference": reference,
        },
    )
    data.pop("next")
    data["version"] = version
    return apply(data, overrides)


def test_the_page_shows_the_contact_and_its_case(client_for, make_user, make_case, centre):
    advisor = make_user("advisor")
    case = make_case(advisor)
    contact = _log(advisor, centre.id, case=case, name="Pagecaller Qx", note="About schools.")
    client = client_for(advisor)

    listing = client.get("/contacts").get_data(as_text=True)
    assert f'href="/contacts/{contact.id}"' in listing
    page = client.get(f"/contacts/{contact.id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Pagecaller Qx" in body and "About schools." in body and "Housing" in body
    assert f'<a href="/cases/{case.id}">{case.reference}</a>' in body
    assert "Edit" in body and "Erase name and note" in body and "Delete" in body


def test_a_case_the_user_cannot_see_is_named_not_linked(client_for, make_user, make_case, centre):
    advisor, colleague = make_user("advisor"), make_user("advisor")
    case = make_case(advisor)
    contact = _log(advisor, centre.id, case=case)
    case.advisor_id = colleague.id  # reassigned since
    db.session.commit()
    body = client_for(advisor).get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert case.reference in body
    assert f'href="/cases/{case.id}"' not in body


def test_a_colleague_and_another_centre_get_not_found(client_for, make_user, centre, other_centre):
    contact = _log(make_user("advisor"), centre.id, name="Hiddencaller Qx")
    for user in (make_user("advisor"), make_user("admin", centre_=other_centre)):
        for path in ("", "/edit", "/erase", "/delete"):
            response = client_for(user).get(f"/contacts/{contact.id}{path}")
            assert response.status_code == 404
            assert "Hiddencaller" not in response.get_data(as_text=True)


def test_the_author_edits_everything(client_for, make_user, make_case, centre):
    advisor = make_user("advisor")
    case = make_case(advisor)
    contact = _log(advisor, centre.id, name="Firstname Qx")
    client = client_for(advisor)
    changes = {
        "channel": "walk_in",
        "topics": [str(topic_id(centre.id, "taxes")), str(topic_id(centre.id, "schools"))],
        "minutes": "30",
        "contact_date": (today() - timedelta(days=3)).isoformat(),
        "nationality": "BR",
        "municipality": "Genk",
        "name": "Secondname Qx",
        "note": "Came back with the tax letter.",
        "case_reference": case.reference,
    }

    response = client.post_form(
        f"/contacts/{contact.id}/edit", edit_form(client, contact.id, changes)
    )

    assert response.status_code == 302
    assert response.location.endswith(f"/contacts/{contact.id}")
    stored = fresh(contact.id)
    assert stored.channel == ContactChannel.WALK_IN and stored.minutes == 30
    assert stored.contact_date == today() - timedelta(days=3)
    assert (stored.nationality, stored.municipality) == ("BR", "Genk")
    assert (stored.name, stored.note) == ("Secondname Qx", "Came back with the tax letter.")
    assert stored.case_id == case.id
    assert sorted(t.code for t in stored.topics) == ["schools", "taxes"]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "contact.update")
    ).one()
    assert (event.user_id, event.object_id, event.outcome) == (advisor.id, contact.id, "ok")
    assert "Contact saved." in client.get(f"/contacts/{contact.id}").get_data(as_text=True)


def test_a_team_lead_edits_an_advisors_contact(client_for, make_user, centre):
    contact = _log(make_user("advisor"), centre.id)
    client = client_for(make_user("team_lead"))
    response = client.post_form(
        f"/contacts/{contact.id}/edit", edit_form(client, contact.id, {"minutes": "12"})
    )
    assert response.status_code == 302
    assert fresh(contact.id).minutes == 12


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
def test_bad_edits_are_refused_and_nothing_stored(
    client_for, make_user, centre, overrides, message
):
    advisor = make_user("advisor")
    contact = _log(advisor, centre.id, name="Keptname Qx")
    client = client_for(advisor)
    payload = apply(edit_form(client, contact.id), overrides)
    before = db_digest()
    response = client.post_form(f"/contacts/{contact.id}/edit", payload)
    assert response.status_code == 400
    assert message.lower() in response.get_data(as_text=True).lower()
    assert db_digest() == before


def test_a_stale_edit_is_refused(client_for, make_user, centre):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    contact = _log(advisor, centre.id)
    mine, theirs = client_for(advisor), client_for(lead)
    my_form = edit_form(mine, contact.id, {"minutes": "7"})
    assert (
        theirs.post_form(
            f"/contacts/{contact.id}/edit", edit_form(theirs, contact.id, {"minutes": "9"})
        ).status_code
        == 302
    )
    before = db_digest()

    response = mine.post_form(f"/contacts/{contact.id}/edit", my_form)

    assert response.status_code == 409
    assert "Someone changed this contact" in response.get_data(as_text=True)
    assert db_digest() == before
    assert fresh(contact.id).minutes == 9


def test_a_retired_topic_stays_while_ticked(client_for, make_user, centre):
    advisor = make_user("advisor")
    contact = _log(advisor, centre.id, code="taxes")
    db.session.get(ContactTopic, topic_id(centre.id, "taxes")).is_active = False
    db.session.commit()
    client = client_for(advisor)
    response = client.post_form(
        f"/contacts/{contact.id}/edit", edit_form(client, contact.id, {"minutes": "8"})
    )
    assert response.status_code == 302
    assert [t.code for t in fresh(contact.id).topics] == ["taxes"]


def test_the_case_a_contact_became_cannot_change(client_for, make_user, make_case, centre):
    advisor = make_user("advisor")
    case, other = make_case(advisor), make_case(advisor)
    contact = _log(advisor, centre.id, case=case)
    contact.converted_at = utcnow()
    db.session.commit()
    client = client_for(advisor)
    before = db_digest()
    for reference in (other.reference, ""):
        response = client.post_form(
            f"/contacts/{contact.id}/edit",
            edit_form(client, contact.id, {"case_reference": reference}),
        )
        assert response.status_code == 400
        assert "its case cannot change" in response.get_data(as_text=True)
    assert db_digest() == before


@pytest.mark.parametrize("role", ["author", "team_lead", "admin"])
def test_erase_name_and_note_keeps_the_statistics(client_for, make_user, make_case, centre, role):
    advisor = make_user("advisor")
    case = make_case(advisor)
    contact = _log(
        advisor, centre.id, case=case, name="Erasedcaller Qx", note="Private", municipality="Genk"
    )
    user = advisor if role == "author" else make_user(role)
    client = client_for(user)
    page = client.get(f"/contacts/{contact.id}/erase").get_data(as_text=True)
    assert "Erasedcaller Qx" in page and '<form method="post"' in page
    assert fresh(contact.id).name == "Erasedcaller Qx"  # the GET only asks

    response = client.post_form(f"/contacts/{contact.id}/erase", {})

    assert response.status_code == 302
    stored = fresh(contact.id)
    assert stored.name is None and stored.note is None and stored.anonymised_at is not None
    assert (stored.channel, stored.minutes, stored.municipality) == (
        ContactChannel.PHONE,
        5,
        "Genk",
    )
    assert [t.code for t in stored.topics] == ["housing"] and stored.case_id == case.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "contact.erase")).one()
    assert (event.user_id, event.object_id, event.case_id) == (user.id, contact.id, case.id)
    assert "Erasedcaller" not in str(event.details)
    body = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Name and note erased." in body and "Erasedcaller" not in body


def test_a_colleague_cannot_erase_or_delete(client_for, make_user, centre):
    contact = _log(make_user("advisor"), centre.id, name="Keptcaller Qx")
    client = client_for(make_user("advisor"))
    before = db_digest()
    for action in ("erase", "delete", "edit"):
        assert client.post_form(f"/contacts/{contact.id}/{action}", {}).status_code == 404
    assert db_digest() == before


def count_contacts() -> int:
    return db.session.scalar(select(func.count(Contact.id)))


def test_the_author_deletes_a_mistake_the_same_day(client_for, make_user, centre):
    advisor = make_user("advisor")
    contact = _log(advisor, centre.id, name="Mistake Qx")
    client = client_for(advisor)
    page = client.get(f"/contacts/{contact.id}/delete").get_data(as_text=True)
    assert "Delete contact" in page and count_contacts() == 1

    response = client.post_form(f"/contacts/{contact.id}/delete", {})

    assert response.status_code == 302 and response.location.endswith("/contacts")
    assert count_contacts() == 0
    assert db.session.scalar(select(func.count()).select_from(contact_topic_links)) == 0
    assert "Contact deleted." in client.get("/contacts").get_data(as_text=True)


def test_after_the_day_only_leads_delete(client_for, make_user, centre):
    advisor = make_user("advisor")
    contact = _log(advisor, centre.id)
    contact.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    author = client_for(advisor)
    assert "Delete" not in author.get(f"/contacts/{contact.id}").get_data(as_text=True)
    before = db_digest()
    assert author.get(f"/contacts/{contact.id}/delete").status_code == 403
    assert author.post_form(f"/contacts/{contact.id}/delete", {}).status_code == 403
    assert db_digest() == before

    assert (
        client_for(make_user("team_lead"))
        .post_form(f"/contacts/{contact.id}/delete", {})
        .status_code
        == 302
    )
    assert count_contacts() == 0


def test_erasing_one_person_leaves_the_case_contacts_alone(
    client_for, make_user, make_case, centre
):
    """The contact's name is free text that matches no person reliably: erasing one
    person of a case leaves it (erase the contact's name and note, or the case)."""
    advisor, lead = make_user("advisor"), make_user("team_lead")
    case = make_case(advisor)
    contact = _log(advisor, centre.id, case=case, name="Anyname Qx", note="Kept")
    erase_person(
        db.session.scalars(select(Person).where(Person.case_id == case.id)).first(),
        reason="The person asked for erasure of their data.",
        actor=lead,
    )
    db.session.commit()
    stored = fresh(contact.id)
    assert (stored.name, stored.note, stored.anonymised_at) == ("Anyname Qx", "Kept", None)

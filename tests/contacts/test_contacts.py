"""First-line contacts: logging one (and bad input), the lists and their filters, the
topic list, "Turn into a case", and what erasure and retention leave."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Case
from caseflow.contacts.models import Contact, ContactChannel, ContactTopic
from caseflow.contacts.services import ContactData, centre_topics, log_contact
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from tests.conftest import db_digest, person, reload
from tests.forms_helpers import LONG, MISSING, apply, first_case_type, new_case_form


def topic_id(centre_id: int, code: str) -> int:
    return next(t.id for t in centre_topics(centre_id) if t.code == code)


def contact_form(centre_id: int, overrides: dict | None = None) -> dict:
    """A phone question about housing: what the quick form posts."""
    data = {
        "channel": "phone",
        "topics": str(topic_id(centre_id, "housing")),
        "minutes": "5",
        "contact_date": today().isoformat(),
        "nationality": "",
        "municipality": "",
        "case_reference": "",
        "name": "",
        "note": "",
        "next": "",
    }
    return apply(data, overrides)


def count_contacts() -> int:
    return db.session.scalar(select(func.count(Contact.id)))


def test_log_a_phone_question_and_return_to_the_page(client_for, make_user, centre):
    advisor = make_user("advisor")
    client = client_for(advisor)
    page = client.get("/contacts/new?next=/cases%3Fstatus%3Dall")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'<input checked [^>]*name="channel" type="radio" value="phone">', body)
    assert "Health fund" in body and "Driving licence" in body

    response = client.post_form(
        "/contacts/new", contact_form(centre.id, {"next": "/cases?status=all"})
    )

    assert response.status_code == 302
    assert response.location.endswith("/cases?status=all")
    [contact] = db.session.scalars(select(Contact)).all()
    assert contact.channel == ContactChannel.PHONE
    assert contact.minutes == 5 and contact.logged_by_id == advisor.id
    assert contact.name is None and contact.case_id is None
    assert contact.contact_date == today()
    links = db.session.execute(select(ContactTopic.code).join(Contact.topics)).scalars().all()
    assert links == ["housing"]
    assert "Contact logged." in client.get("/cases?status=all").get_data(as_text=True)


def test_every_staff_page_offers_log_a_contact(client_for, make_user):
    client = client_for(make_user("advisor"))
    for path in ("/cases", "/followups", "/contacts"):
        body = client.get(path).get_data(as_text=True)
        assert "Log a contact" in body
        assert "/contacts/new?next=" in body


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_an_outside_next_is_never_followed(client_for, make_user, centre, target):
    client = client_for(make_user("advisor"))
    response = client.post_form("/contacts/new", contact_form(centre.id, {"next": target}))
    assert response.status_code == 302
    assert response.location.endswith("/contacts")


def test_logged_from_a_case_page_the_case_is_prefilled(client_for, make_user, make_case):
    advisor, colleague = make_user("advisor"), make_user("advisor")
    mine, theirs = make_case(advisor), make_case(colleague)
    client = client_for(advisor)
    page = client.get(f"/contacts/new?next=/cases/{mine.id}").get_data(as_text=True)
    assert f'value="{mine.reference}"' in page
    page = client.get(f"/contacts/new?next=/cases/{theirs.id}").get_data(as_text=True)
    assert theirs.reference not in page


def test_all_details_are_stored(client_for, make_user, make_case, centre):
    advisor = make_user("advisor")
    case = make_case(advisor)
    client = client_for(advisor)
    topics = [topic_id(centre.id, "taxes"), topic_id(centre.id, "schools")]
    response = client.post_form(
        "/contacts/new",
        contact_form(
            centre.id,
            {
                "channel": "walk_in",
                "topics": [str(t) for t in topics],
                "minutes": "25",
                "nationality": "IN",
                "municipality": "Hasselt",
                "case_reference": case.reference,
                "name": "Priya Example",
                "note": "Asked about the school registration dates.",
            },
        ),
    )
    assert response.status_code == 302
    contact = db.session.scalars(select(Contact)).one()
    assert (contact.channel, contact.nationality, contact.municipality) == (
        ContactChannel.WALK_IN,
        "IN",
        "Hasselt",
    )
    assert contact.case_id == case.id and contact.name == "Priya Example"
    assert contact.converted_at is None


BAD_INPUT = [
    pytest.param({"topics": MISSING}, "Tick at least one topic.", id="no-topic"),
    pytest.param({"topics": "999999"}, "Not a valid choice", id="unknown-topic"),
    pytest.param({"topics": "abc"}, "Invalid choice", id="topic-not-a-number"),
    pytest.param({"minutes": "-5"}, "between 0 and 480", id="negative-minutes"),
    pytest.param({"minutes": "100000"}, "between 0 and 480", id="too-many-minutes"),
    pytest.param({"minutes": ""}, "Enter the minutes spent.", id="minutes-empty"),
    pytest.param({"minutes": "ten"}, "Not a valid integer", id="minutes-not-a-number"),
    pytest.param({"channel": "fax"}, "Not a valid choice", id="unknown-channel"),
    pytest.param({"note": LONG}, "cannot be longer than 500 characters", id="note-too-long"),
    pytest.param({"name": "x" * 121}, "cannot be longer than 120", id="name-too-long"),
    pytest.param({"name": "Ana\nSilva"}, "not allowed", id="name-line-break"),
    pytest.param({"nationality": "XX"}, "Not a valid choice", id="unknown-country"),
    pytest.param({"contact_date": "2999-01-01"}, "cannot be in the future", id="future-date"),
    pytest.param({"case_reference": "2026-9999"}, "No case with this reference", id="no-case"),
]


@pytest.mark.parametrize(("overrides", "message"), BAD_INPUT)
def test_bad_input_is_refused_and_nothing_stored(client_for, make_user, centre, overrides, message):
    client = client_for(make_user("advisor"))
    payload = contact_form(centre.id, overrides)
    before = db_digest()
    response = client.post_form("/contacts/new", payload)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message.lower() in body.lower()
    assert db_digest() == before


def test_a_retired_topic_cannot_be_chosen(client_for, make_user, centre):
    client = client_for(make_user("advisor"))
    topic = db.session.get(ContactTopic, topic_id(centre.id, "taxes"))
    topic.is_active = False
    db.session.commit()
    response = client.post_form("/contacts/new", contact_form(centre.id, {"topics": topic.id}))
    assert response.status_code == 400
    assert count_contacts() == 0


def test_a_topic_of_another_centre_is_refused(client_for, make_user, centre, other_centre):
    client = client_for(make_user("advisor"))
    theirs = topic_id(other_centre.id, "housing")
    response = client.post_form("/contacts/new", contact_form(centre.id, {"topics": theirs}))
    assert response.status_code == 400
    assert count_contacts() == 0


def test_a_case_of_another_centre_or_advisor_cannot_be_linked(
    client_for, make_user, make_case, centre, other_centre
):
    advisor, colleague = make_user("advisor"), make_user("advisor")
    theirs = make_case(make_user("advisor", centre_=other_centre))
    colleagues = make_case(colleague)
    client = client_for(advisor)
    for case in (theirs, colleagues):
        response = client.post_form(
            "/contacts/new", contact_form(centre.id, {"case_reference": case.reference})
        )
        assert response.status_code == 400
        assert "No case with this reference" in response.get_data(as_text=True)
    assert count_contacts() == 0


def _log(
    user, centre_id, *, day=None, channel=ContactChannel.PHONE, code="housing", case=None, **kw
):
    contact = log_contact(
        user,
        ContactData(
            channel=channel,
            topic_ids=[topic_id(centre_id, code)],
            minutes=5,
            contact_date=day,
            **kw,
        ),
        case,
    )
    db.session.commit()
    return contact


def test_my_contacts_and_the_centres(client_for, make_user, centre, other_centre):
    advisor, colleague, lead = make_user("advisor"), make_user("advisor"), make_user("team_lead")
    stranger = make_user("team_lead", centre_=other_centre)
    _log(advisor, centre.id, name="Mineperson Qx")
    _log(colleague, centre.id, name="Colleagueperson Qx")
    _log(stranger, other_centre.id, name="Strangerperson Qx")

    mine = client_for(advisor).get("/contacts").get_data(as_text=True)
    assert "Mineperson" in mine and "Colleagueperson" not in mine
    assert client_for(advisor).get("/contacts/centre").status_code == 403
    centre_list = client_for(lead).get("/contacts/centre").get_data(as_text=True)
    assert "Mineperson" in centre_list and "Colleagueperson" in centre_list
    assert "Strangerperson" not in centre_list
    assert advisor.full_name in centre_list  # who logged it


def test_filters_by_date_channel_and_topic(client_for, make_user, centre):
    advisor = make_user("advisor")
    old = today() - timedelta(days=40)
    _log(advisor, centre.id, day=old, name="Oldcall Qx")
    _log(advisor, centre.id, channel=ContactChannel.EMAIL, name="Emailcall Qx")
    _log(advisor, centre.id, code="taxes", name="Taxcall Qx")
    client = client_for(advisor)

    def shown(query):
        body = client.get(f"/contacts?{query}").get_data(as_text=True)
        return {n for n in ("Oldcall", "Emailcall", "Taxcall") if n in body}

    assert shown("") == {"Oldcall", "Emailcall", "Taxcall"}
    assert shown(f"start={(old + timedelta(days=1)).isoformat()}") == {"Emailcall", "Taxcall"}
    assert shown(f"end={old.isoformat()}") == {"Oldcall"}
    assert shown("channel=email") == {"Emailcall"}
    assert shown(f"topic={topic_id(centre.id, 'taxes')}") == {"Taxcall"}
    assert client.get("/contacts?channel=fax").status_code == 400
    assert client.get("/contacts?start=2026-02-30").status_code == 400


def test_empty_state_and_pages(client_for, make_user, centre):
    advisor = make_user("advisor")
    client = client_for(advisor)
    assert "No contacts here yet" in client.get("/contacts").get_data(as_text=True)
    for _n in range(51):
        _log(advisor, centre.id)
    first = client.get("/contacts").get_data(as_text=True)
    assert "51 contacts" in first and 'rel="next"' in first
    assert client.get("/contacts?page=2").get_data(as_text=True).count("<tr>") == 2  # head + 1


def test_the_list_runs_the_same_queries_for_5_and_50(client_for, make_user, centre, make_case):
    from tests.cases.test_query_counts import count_queries

    lead = make_user("team_lead")
    case = make_case(lead)
    client = client_for(lead)
    for n in range(5):
        _log(lead, centre.id, name=f"Caller {n}", case=case if n % 2 else None)
    client.get("/contacts/centre")
    with count_queries() as few:
        client.get("/contacts/centre")
    for n in range(45):
        _log(lead, centre.id, code="taxes" if n % 2 else "housing")
    with count_queries() as many:
        client.get("/contacts/centre")
    assert len(many) == len(few)


def test_admins_edit_the_topic_list(client_for, make_user, centre):
    admin = make_user("admin")
    client = client_for(admin)
    assert "Driving licence" in client.get("/contacts/topics").get_data(as_text=True)
    response = client.post_form(
        "/contacts/topics",
        {"name_en": "Pets", "name_nl": "Huisdieren", "position": "20", "is_active": "y"},
    )
    assert response.status_code == 302
    pets = db.session.scalar(select(ContactTopic).where(ContactTopic.name_en == "Pets"))
    assert pets.is_active and pets.centre_id == centre.id
    # Renamed and retired: no longer offered.
    response = client.post_form(
        f"/contacts/topics/{pets.id}", {"name_en": "Pets and vets", "name_nl": "Huisdieren"}
    )
    assert response.status_code == 302
    pets = reload(ContactTopic, pets.id)
    assert pets.name_en == "Pets and vets" and not pets.is_active
    assert "Pets and vets" not in client.get("/contacts/new").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name_en": "Housing", "name_nl": "Iets"}, "already exists"),
        ({"name_en": "", "name_nl": "Iets"}, "This field is required."),
        ({"name_en": "x" * 81, "name_nl": "Iets"}, "longer than 80"),
        ({"name_en": "Pets", "name_nl": "Huisdieren", "position": "-1"}, "between 0 and 999"),
    ],
)
def test_bad_topics_are_refused(client_for, make_user, centre, data, message):
    client = client_for(make_user("admin"))
    centre_topics(centre.id)
    db.session.commit()
    before = db_digest()
    response = client.post_form("/contacts/topics", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db_digest() == before


def test_another_centres_topic_is_not_found(client_for, make_user, other_centre):
    theirs = topic_id(other_centre.id, "housing")
    db.session.commit()
    assert client_for(make_user("admin")).get(f"/contacts/topics/{theirs}").status_code == 404


def test_turn_a_contact_into_a_case(client_for, make_user, centre):
    advisor = make_user("advisor")
    contact = _log(
        advisor,
        centre.id,
        channel=ContactChannel.EVENT,
        code="health_fund",
        nationality="IN",
        municipality="Genk",
        name="Priya Example",
    )
    client = client_for(advisor)
    assert "Turn into a case" in client.get("/contacts").get_data(as_text=True)
    form = client.get(f"/cases/new?from=contact:{contact.id}").get_data(as_text=True)
    assert "filled in from a first-line contact" in form
    assert 'value="Genk"' in form and 'value="Priya"' in form and 'value="Example"' in form
    assert 'value="IN" selected' in form or 'selected value="IN"' in form
    assert f'value="contact:{contact.id}"' in form

    case_type = first_case_type(centre.id)
    response = client.post_form(
        "/cases/new",
        new_case_form(
            case_type.id,
            {"source": f"contact:{contact.id}", "municipality": "Genk"},
            persons=[{"first_name": "Priya", "last_name": "Example", "nationality": "IN"}],
        ),
    )
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    contact = reload(Contact, contact.id)
    assert contact.case_id == case.id and contact.converted_at is not None
    assert case.help_topics == ["health_fund"]
    listed = client.get("/contacts").get_data(as_text=True)
    assert case.reference in listed and "made from this contact" in listed

    # A contact makes one case: a second save is refused and stores nothing.
    before = db_digest()
    again = client.post_form(
        "/cases/new", new_case_form(case_type.id, {"source": f"contact:{contact.id}"})
    )
    assert again.status_code == 400
    assert db_digest() == before


def test_someone_elses_contact_cannot_be_turned_into_a_case(client_for, make_user, centre):
    owner, other = make_user("advisor"), make_user("advisor")
    contact = _log(owner, centre.id, name="Hiddenname Qx", municipality="Genk")
    client = client_for(other)
    form = client.get(f"/cases/new?from=contact:{contact.id}").get_data(as_text=True)
    assert "Hiddenname" not in form and "filled in from" not in form
    before = db_digest()
    case_type = first_case_type(centre.id)
    response = client.post_form(
        "/cases/new", new_case_form(case_type.id, {"source": f"contact:{contact.id}"})
    )
    assert response.status_code == 400
    assert db_digest() == before
    for bad in ("contact:abc", "nothing:1", "contact:1\n"):
        response = client.post_form("/cases/new", new_case_form(case_type.id, {"source": bad}))
        assert response.status_code == 400
    assert db_digest() == before


def test_erasure_of_a_case_anonymises_its_contacts(make_user, make_case, centre):
    from caseflow.privacy.erasure import erase_case

    lead = make_user("team_lead")
    case = make_case(lead, persons=[person()])
    linked = _log(lead, centre.id, name="Erasedcaller Qx", note="A note", case=case)
    other = _log(lead, centre.id, name="Keptcaller Qx")
    erase_case(case, reason="The client asked for erasure.", actor=lead)
    db.session.commit()
    linked, other = reload(Contact, linked.id), reload(Contact, other.id)
    assert linked.name is None and linked.note is None and linked.anonymised_at
    assert linked.channel == ContactChannel.PHONE and linked.case_id == case.id
    assert db.session.scalar(select(func.count()).select_from(Contact.topics.prop.secondary))
    assert other.name == "Keptcaller Qx"


def test_retention_removes_old_names_and_notes(make_user, centre):
    from caseflow.privacy.retention import run_retention

    advisor = make_user("advisor")
    old = _log(advisor, centre.id, name="Oldname Qx", note="Old note")
    recent = _log(advisor, centre.id, name="Newname Qx")
    old.created_at = utcnow() - timedelta(days=31 * 25)  # the default: 24 months
    db.session.commit()

    dry = run_retention(commit=db.session.commit, dry_run=True)
    assert dry.contact_details == 1
    result = run_retention(commit=db.session.commit)

    assert result.contact_details == 1
    old, recent = reload(Contact, old.id), reload(Contact, recent.id)
    assert old.name is None and old.note is None and old.minutes == 5
    assert recent.name == "Newname Qx"


def test_a_contact_is_in_the_subject_access_export(make_user, make_case, centre):
    from caseflow.privacy.export import collect

    advisor = make_user("advisor")
    case = make_case(advisor)
    _log(advisor, centre.id, name="Exportcaller Qx", case=case, code="taxes")
    _log(advisor, centre.id, name="Unrelated Qx")
    data = collect(case.id)
    [exported] = data["first_line_contacts"]
    assert exported["name"] == "Exportcaller Qx" and exported["logged_by"] == advisor.full_name
    assert "centre_id" not in exported
    assert [t["topic"] for t in data["first_line_contact_topics"]] == ["Taxes"]


def test_contact_dates_cannot_be_in_the_future_in_the_service(make_user, centre):
    from caseflow.core.errors import DomainError

    advisor = make_user("advisor")
    with pytest.raises(DomainError):
        _log(advisor, centre.id, day=today() + timedelta(days=2))
    db.session.rollback()

"""The door list (issue 15, step 5): tick who came, walk-ins by name; the case timeline
shows the attendance."""

import pytest
from sqlalchemy import select

from caseflow.cases.models import Activity, ActivityKind
from caseflow.core.audit import AuditEvent
from caseflow.events.models import EventInvitation, WalkIn
from caseflow.extensions import db
from tests.conftest import db_digest
from tests.events.test_invitations import _invite_one, make_event


def _registered(client_for, centre, households):
    event, cases, links = _invite_one(client_for, centre, households)
    visitor = client_for(None)
    visitor.post_form(f"{links[cases['A'].id]}/register", {"people": "3"})
    return event, cases


def test_the_door_list_ticks_attendance(client_for, centre, households):
    event, cases = _registered(client_for, centre, households)
    lead = households[0]
    client = client_for(lead)
    page = client.get(f"/events/{event.id}/door").get_data(as_text=True)
    assert "Dubois family" in page and "Jansen family" not in page  # only who registered
    invitation = db.session.scalar(
        select(EventInvitation).where(EventInvitation.case_id == cases["A"].id)
    )

    response = client.post_form(f"/events/{event.id}/door/{invitation.id}", {"people": "2"})

    assert response.status_code == 302
    db.session.refresh(invitation)
    assert invitation.attended_at is not None and invitation.attended_people == 2
    page = client.get(f"/events/{event.id}/door").get_data(as_text=True)
    assert f'data-present="{invitation.id}"' in page
    assert 'data-count="present">2<' in page and 'data-count="registered">3<' in page
    timeline = client.get(f"/cases/{cases['A'].id}").get_data(as_text=True)
    assert "Attended an event</strong>: Language café (2 people)" in timeline

    client.post_form(f"/events/{event.id}/door/{invitation.id}/undo")
    db.session.refresh(invitation)
    assert invitation.attended_at is None


def test_walk_ins_are_added_by_name(client_for, centre, households):
    event, _cases = _registered(client_for, centre, households)
    client = client_for(households[0])
    response = client.post_form(
        f"/events/{event.id}/door/walk-in", {"name": "Walk-in Visitor", "people": "2"}
    )
    assert response.status_code == 302
    walk_in = db.session.scalars(select(WalkIn)).one()
    assert (walk_in.name, walk_in.people) == ("Walk-in Visitor", 2)
    page = client.get(f"/events/{event.id}/door").get_data(as_text=True)
    assert "Walk-in Visitor" in page and 'data-count="present">2<' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "people": "1"}, "This field is required."),
        ({"name": "Ana\nSilva", "people": "1"}, "not allowed"),
        ({"name": "x" * 201, "people": "1"}, "longer than 200"),
        ({"name": "Ana", "people": "0"}, "between 1 and 20"),
        ({"name": "Ana", "people": "lots"}, "Not a valid integer"),
    ],
)
def test_bad_walk_ins_are_refused(client_for, centre, households, data, message):
    event, _cases = _registered(client_for, centre, households)
    client = client_for(households[0])
    before = db_digest()
    response = client.post_form(f"/events/{event.id}/door/walk-in", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db_digest() == before


@pytest.mark.parametrize("people", ["0", "21", "x", ""])
def test_bad_attendance_is_refused(client_for, centre, households, people):
    event, cases = _registered(client_for, centre, households)
    client = client_for(households[0])
    invitation = db.session.scalar(
        select(EventInvitation).where(EventInvitation.case_id == cases["A"].id)
    )
    before = db_digest()
    response = client.post_form(f"/events/{event.id}/door/{invitation.id}", {"people": people})
    assert response.status_code == 400
    assert db_digest() == before


def test_another_events_invitation_is_not_found(client_for, centre, households, make_user):
    event, cases = _registered(client_for, centre, households)
    invitation = db.session.scalar(select(EventInvitation))
    from tests.events.test_invitations import make_event

    other = make_event(centre, households[0])
    client = client_for(households[0])
    before = db_digest()
    response = client.post_form(f"/events/{other.id}/door/{invitation.id}", {"people": "1"})
    assert response.status_code == 404
    assert db_digest() == before


def test_the_attendance_list_exports_with_names(client_for, centre, households):
    import csv
    import io

    from openpyxl import load_workbook

    event, cases = _registered(client_for, centre, households)
    client = client_for(households[0])
    client.post_form(f"/events/{event.id}/door/walk-in", {"name": "=HYPERLINK(1)", "people": "1"})
    response = client.get(f"/events/{event.id}/attendance.csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][:4] == ["Dubois family", cases["A"].reference, "Registered", "3"]
    assert rows[2][0] == "'=HYPERLINK(1)"  # never a formula
    workbook = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/attendance.xlsx").data))
    values = [c.value for c in workbook.active["A"]]
    assert "Dubois family" in values
    # In Excel the cell is typed text: the name as typed, no ' shown, never a formula.
    [walk_in] = [c for c in workbook.active["A"] if c.value == "=HYPERLINK(1)"]
    assert walk_in.data_type == "s"
    assert client.get(f"/events/{event.id}/attendance.pdf").status_code == 404


def test_a_formula_in_the_event_title_stays_text_in_both_exports(client_for, centre, households):
    import csv
    import io

    from openpyxl import load_workbook

    event, _cases = _registered(client_for, centre, households)
    title = '=HYPERLINK("https://evil.example/x","Click")'
    event.title_nl = event.title_en = event.title_fr = title
    db.session.commit()
    client = client_for(households[0])
    client.post_form(f"/events/{event.id}/door/walk-in", {"name": "@SUM(1)", "people": "1"})
    workbook = load_workbook(io.BytesIO(client.get(f"/events/{event.id}/attendance.xlsx").data))
    sheet = workbook.active
    assert sheet["A1"].value == title and sheet["A1"].data_type == "s"
    assert any(c.value == "@SUM(1)" and c.data_type == "s" for c in sheet["A"])
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in sheet["A"])
    text = client.get(f"/events/{event.id}/attendance.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[0] for r in rows if "SUM" in r[0]] == ["'@SUM(1)"]


def test_an_advisor_works_the_door_but_does_not_manage_the_event(
    client_for, centre, households, make_user
):
    event, cases = _registered(client_for, centre, households)
    advisor = make_user("advisor")
    client = client_for(advisor)
    detail = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/door" in detail  # the link to the door list
    page = client.get(f"/events/{event.id}/door")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Dubois family" in body
    assert "attendance.csv" not in body  # the export stays with team leads
    invitation = db.session.scalar(
        select(EventInvitation).where(EventInvitation.case_id == cases["A"].id)
    )
    assert (
        client.post_form(f"/events/{event.id}/door/{invitation.id}", {"people": "3"}).status_code
        == 302
    )
    db.session.refresh(invitation)
    assert invitation.attended_people == 3
    assert (
        client.post_form(
            f"/events/{event.id}/door/walk-in", {"name": "Door Visitor", "people": "1"}
        ).status_code
        == 302
    )
    assert db.session.scalars(select(WalkIn.name)).all() == ["Door Visitor"]
    # Not the rest: editing, inviting, exporting, cancelling.
    before = db_digest()
    assert client.get(f"/events/{event.id}/edit").status_code == 403
    assert client.get(f"/events/{event.id}/invite").status_code == 403
    assert client.get(f"/events/{event.id}/attendance.csv").status_code == 403
    assert (
        client.post_form(f"/events/{event.id}/cancel", {"version": event.version}).status_code
        == 403
    )
    assert db_digest() == before


def test_a_lead_removes_a_walk_ins_name_on_request(client_for, centre, households, make_user):
    event, _cases = _registered(client_for, centre, households)
    lead = households[0]
    client = client_for(lead)
    client.post_form(f"/events/{event.id}/door/walk-in", {"name": "Private Visitor", "people": "2"})
    walk_in = db.session.scalars(select(WalkIn)).one()
    # An advisor at the door cannot remove it, and sees no button.
    advisor = client_for(make_user("advisor"))
    assert "Remove name" not in advisor.get(f"/events/{event.id}/door").get_data(as_text=True)
    url = f"/events/{event.id}/door/walk-in/{walk_in.id}/remove-name"
    assert advisor.post_form(url).status_code == 403

    assert "Remove name" in client.get(f"/events/{event.id}/door").get_data(as_text=True)
    response = client.post_form(url)

    assert response.status_code == 302
    db.session.refresh(walk_in)
    assert (walk_in.name, walk_in.people) == ("", 2)  # the count stays
    page = client.get(f"/events/{event.id}/door?lang=en").get_data(as_text=True)
    assert "Private Visitor" not in page and "Name removed" in page
    assert 'data-count="present">2<' in page
    row = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "event.walk_in_remove_name")
    )
    assert row is not None and row.object_id == event.id


def test_another_events_walk_in_is_not_found(client_for, centre, households):
    event, _cases = _registered(client_for, centre, households)
    lead = households[0]
    client = client_for(lead)
    client.post_form(f"/events/{event.id}/door/walk-in", {"name": "Kept Visitor", "people": "1"})
    walk_in = db.session.scalars(select(WalkIn)).one()
    other = make_event(centre, lead)
    url = f"/events/{other.id}/door/walk-in/{walk_in.id}/remove-name"
    assert client.post_form(url).status_code == 404
    db.session.refresh(walk_in)
    assert walk_in.name == "Kept Visitor"


def test_undo_at_the_door_shows_on_the_timeline_and_in_the_audit_trail(
    client_for, centre, households
):
    """The timeline is append-only: an undone tick stays, followed by "attendance
    undone" (a tick again adds "attended" again); the audit trail has each action."""
    event, cases = _registered(client_for, centre, households)
    client = client_for(households[0])
    invitation = db.session.scalar(
        select(EventInvitation).where(EventInvitation.case_id == cases["A"].id)
    )
    door = f"/events/{event.id}/door/{invitation.id}"
    assert client.post_form(door, {"people": "2"}).status_code == 302
    assert client.post_form(f"{door}/undo").status_code == 302

    db.session.refresh(invitation)
    assert invitation.attended_at is None and invitation.attended_people is None
    kinds = db.session.scalars(
        select(Activity.kind)
        .where(Activity.case_id == cases["A"].id, Activity.kind.like("event_attend%"))
        .order_by(Activity.id)
    ).all()
    assert kinds == [ActivityKind.EVENT_ATTENDED, ActivityKind.EVENT_ATTENDANCE_UNDONE]
    timeline = client.get(f"/cases/{cases['A'].id}?lang=en").get_data(as_text=True)
    assert "Attendance at an event undone</strong>: Language café (2 people)" in timeline
    assert "Attended an event</strong>: Language café (2 people)" in timeline
    page = client.get(f"/events/{event.id}/door").get_data(as_text=True)
    assert f'data-present="{invitation.id}"' not in page and 'data-count="present">0<' in page
    audit = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "event.attendance", AuditEvent.outcome == "ok")
        .order_by(AuditEvent.id)
    ).all()
    assert [(a.case_id, a.details) for a in audit] == [
        (cases["A"].id, {"status": 302, "invitation": invitation.id, "people": 2}),
        (cases["A"].id, {"status": 302, "undo": True, "invitation": invitation.id, "people": 2}),
    ]

    # An undo of a household not ticked changes nothing on the case.
    before = db_digest()
    assert client.post_form(f"{door}/undo").status_code == 302
    assert db_digest() == before
    # Ticked again: "attended" again, after the undo.
    client.post_form(door, {"people": "3"})
    last = db.session.scalar(
        select(Activity).where(Activity.case_id == cases["A"].id).order_by(Activity.id.desc())
    )
    assert last.kind == ActivityKind.EVENT_ATTENDED and last.details["people"] == 3

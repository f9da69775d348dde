"""Every endpoint x method x role against one case owned by advisor A.

advisor_a owns the case; advisor_b is another advisor of the same centre (the case is
"another advisor's case" to them); other_centre is a team lead of another centre. A new
endpoint without a row here fails ``test_every_endpoint_is_in_the_matrix``.
"""

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from flask import url_for

from caseflow import create_app
from caseflow.attachments.services import store_upload
from caseflow.cases.models import Case, CaseType, Person
from caseflow.checklists.models import ChecklistItem, TemplateItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.contacts.models import ContactChannel
from caseflow.contacts.services import ContactData, centre_topics, log_contact
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.events.models import EventInvitation, WalkIn
from caseflow.events.services import create_event, publish_event
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.mail.services import queue_email
from caseflow.notes.services import add_note
from caseflow.partners.services import create_partner, create_referral
from caseflow.portal.services import claim_step
from caseflow.reviews.services import request_review
from tests.attachments.files import png_bytes, upload
from tests.conftest import db_digest, person

ROLES = ("anonymous", "advisor_a", "advisor_b", "team_lead", "admin", "other_centre")
CANARY = "Canaryhousehold Qx7"
CANARY_PERSON = "Canaryperson Zw3"

OK = "ok"  # allowed: 2xx, a redirect that is not to the login page, or 400 (empty form)
LOGIN = "login"  # redirected to the login page
LOGGED_OUT = "logged_out"  # logout: back to the login page, with the session ended


def row(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


PUBLIC = row(OK)
LOGGED_IN = row(OK, anonymous=LOGIN)
# The case is advisor A's: advisor B and the other centre must not learn it exists.
CASE_EDITORS = row(OK, anonymous=LOGIN, advisor_b=404, other_centre=404)
CASE_VIEWERS = CASE_EDITORS
LEADS_ONLY = row(OK, anonymous=LOGIN, advisor_a=403, advisor_b=404, other_centre=404)
ADMINS_ONLY = row(403, anonymous=LOGIN, admin=OK)
# Pages about the user's own centre as a whole (team, funder report): team leads of any
# centre reach them, and each sees only their centre (tested with canaries below).
LEADS_OF_ANY_CENTRE = row(OK, anonymous=LOGIN, advisor_a=403, advisor_b=403)
# Taking a case: only an unassigned one can be taken, and this one is assigned.
TAKE_ASSIGNED = row(403, anonymous=LOGIN, advisor_b=404, other_centre=404)
# Only a note's author edits it.
NOTE_AUTHOR = row(403, anonymous=LOGIN, advisor_a=OK, advisor_b=404, other_centre=404)

# An event of the centre: its team leads and admins change it, another centre's lead
# must not learn it exists.
EVENT_MANAGERS = row(OK, anonymous=LOGIN, advisor_a=403, advisor_b=403, other_centre=404)
# A contact (logged by advisor_a): its author and the centre's leads and admins.
CONTACT_KEEPERS = row(OK, anonymous=LOGIN, advisor_b=404, other_centre=404)
DOOR_WORKERS = row(OK, anonymous=LOGIN, other_centre=404)

MATRIX = {
    ("static", "GET"): PUBLIC,
    ("bootstrap.static", "GET"): PUBLIC,
    ("main.healthz", "GET"): PUBLIC,
    ("main.set_language", "POST"): PUBLIC,
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("auth.logout", "POST"): row(LOGGED_OUT, anonymous=LOGIN),
    # The code page after the password is public (the user is not logged in yet), but
    # without a pending login it only sends to the login page: nobody gets in through it.
    ("auth.second_factor", "GET"): LOGGED_IN,
    ("auth.second_factor", "POST"): LOGGED_IN,
    ("auth.reauth", "GET"): LOGGED_IN,
    ("auth.reauth", "POST"): LOGGED_IN,
    ("auth.second_factor_setup", "GET"): LOGGED_IN,
    ("auth.second_factor_setup", "POST"): LOGGED_IN,
    ("auth.second_factor_disable", "POST"): LOGGED_IN,
    ("auth.recovery_codes_renew", "POST"): LOGGED_IN,
    ("auth.end_other_sessions", "POST"): LOGGED_IN,
    ("auth.profile", "GET"): LOGGED_IN,
    ("auth.save_profile", "POST"): LOGGED_IN,
    ("auth.change_password", "POST"): LOGGED_IN,
    # Replacing a temporary password; without one it redirects to the home page.
    ("auth.choose_password", "GET"): LOGGED_IN,
    ("auth.choose_password", "POST"): LOGGED_IN,
    ("main.home", "GET"): LOGGED_IN,
    ("cases.index", "GET"): LOGGED_IN,
    ("cases.new", "GET"): LOGGED_IN,
    ("cases.new", "POST"): LOGGED_IN,
    ("cases.detail", "GET"): CASE_VIEWERS,
    ("cases.edit", "GET"): CASE_EDITORS,
    ("cases.edit", "POST"): CASE_EDITORS,
    ("cases.change_status", "POST"): CASE_EDITORS,
    ("cases.assign", "POST"): LEADS_ONLY,
    ("cases.take", "POST"): TAKE_ASSIGNED,
    ("cases.legal_hold", "POST"): LEADS_ONLY,
    ("cases.lift_hold", "POST"): LEADS_ONLY,
    ("notes.add", "POST"): CASE_EDITORS,
    ("notes.edit", "GET"): NOTE_AUTHOR,
    ("notes.edit", "POST"): NOTE_AUTHOR,
    ("followups.add", "POST"): CASE_EDITORS,
    ("followups.complete", "POST"): CASE_EDITORS,
    ("followups.cancel", "POST"): CASE_EDITORS,
    ("followups.index", "GET"): LOGGED_IN,
    ("admin.users_index", "GET"): ADMINS_ONLY,
    ("admin.user_new", "GET"): ADMINS_ONLY,
    ("admin.user_new", "POST"): ADMINS_ONLY,
    ("admin.user_edit", "GET"): ADMINS_ONLY,
    ("admin.user_edit", "POST"): ADMINS_ONLY,
    ("admin.user_reset_password", "POST"): ADMINS_ONLY,
    ("admin.user_reset_second_factor", "POST"): ADMINS_ONLY,
    ("admin.case_types", "GET"): ADMINS_ONLY,
    ("admin.case_types", "POST"): ADMINS_ONLY,
    ("admin.case_type_edit", "GET"): ADMINS_ONLY,
    ("admin.case_type_edit", "POST"): ADMINS_ONLY,
    ("checklists.tick", "POST"): CASE_EDITORS,
    ("checklists.item", "GET"): CASE_VIEWERS,
    ("checklists.item", "POST"): CASE_EDITORS,
    # Files: upload (to the case or a step) and delete by who edits the case, download
    # by who sees it (tests/attachments).
    ("checklists.upload", "POST"): CASE_EDITORS,
    ("attachments.upload", "POST"): CASE_EDITORS,
    ("attachments.download", "GET"): CASE_VIEWERS,
    ("attachments.delete", "POST"): CASE_EDITORS,
    ("checklist_admin.index", "GET"): ADMINS_ONLY,
    ("checklist_admin.template_new", "GET"): ADMINS_ONLY,
    ("checklist_admin.template_new", "POST"): ADMINS_ONLY,
    ("checklist_admin.template_edit", "GET"): ADMINS_ONLY,
    ("checklist_admin.template_edit", "POST"): ADMINS_ONLY,
    ("checklist_admin.item_new", "GET"): ADMINS_ONLY,
    ("checklist_admin.item_new", "POST"): ADMINS_ONLY,
    ("checklist_admin.item_edit", "GET"): ADMINS_ONLY,
    ("checklist_admin.item_edit", "POST"): ADMINS_ONLY,
    ("checklist_admin.item_move", "POST"): ADMINS_ONLY,
    ("checklist_admin.preview", "GET"): ADMINS_ONLY,
    ("documents.summary", "POST"): CASE_EDITORS,
    ("documents.client_checklist", "POST"): CASE_EDITORS,
    ("documents.export_start", "POST"): row(OK, anonymous=LOGIN, advisor_a=403, advisor_b=403),
    # An export job is its creator's (the team lead's) alone.
    ("documents.export_status", "GET"): row(404, anonymous=LOGIN, team_lead=OK),
    ("documents.export_download", "GET"): row(404, anonymous=LOGIN, team_lead=OK),
    ("documents.export_retry", "POST"): row(404, anonymous=LOGIN, team_lead=OK),
    ("mail.email_checklist", "GET"): CASE_EDITORS,
    ("mail.email_checklist", "POST"): CASE_EDITORS,
    ("mail.retry", "POST"): CASE_EDITORS,
    ("reviews.ask", "POST"): CASE_EDITORS,
    ("reviews.decide", "POST"): row(
        OK, anonymous=LOGIN, advisor_a=403, advisor_b=403, other_centre=404
    ),
    ("team.overview", "GET"): LEADS_OF_ANY_CENTRE,
    ("team.intake", "GET"): LEADS_OF_ANY_CENTRE,
    ("team.intake_assign", "POST"): LEADS_ONLY,
    ("team.reassign", "GET"): LEADS_OF_ANY_CENTRE,
    ("team.reassign", "POST"): LEADS_OF_ANY_CENTRE,
    ("team.reviews", "GET"): LEADS_OF_ANY_CENTRE,
    ("reports.funder", "GET"): LEADS_OF_ANY_CENTRE,
    ("reports.funder_export", "GET"): LEADS_OF_ANY_CENTRE,
    ("admin.centre_settings", "GET"): ADMINS_ONLY,
    ("admin.centre_settings", "POST"): ADMINS_ONLY,
    ("audit.case_log", "GET"): LEADS_ONLY,
    ("audit.user_activity", "GET"): ADMINS_ONLY,
    # The centre's privacy notice (each centre its own; tests/privacy/test_notice.py).
    ("privacy_notice.index", "GET"): ADMINS_ONLY,
    ("privacy_notice.index", "POST"): ADMINS_ONLY,
    ("privacy_notice.version", "GET"): ADMINS_ONLY,
    ("privacy_export.page", "GET"): LEADS_ONLY,
    ("privacy_export.download_export", "POST"): LEADS_ONLY,
    # Erasure: team leads and admins of the centre (with re-authentication).
    ("erasure.erase_case", "GET"): LEADS_ONLY,
    ("erasure.erase_case", "POST"): LEADS_ONLY,
    ("erasure.erase_person", "GET"): LEADS_ONLY,
    ("erasure.erase_person", "POST"): LEADS_ONLY,
    # The calendar feed needs no login: its secret address is the credential. Here an
    # address that opens nothing (404 for everyone, logged in or not); a live address,
    # a revoked one and a deactivated user's are in tests/calendar/test_feed.py.
    ("calendar.feed", "GET"): row(404),
    # Asking for help online (caseflow/webintake): anyone gets the form and the thank-you
    # page; an empty post is refused (400) and stores nothing (tests/webintake).
    ("webintake.request_form", "GET"): PUBLIC,
    ("webintake.request_form", "POST"): PUBLIC,
    ("webintake.thanks", "GET"): PUBLIC,
    ("calendar.create", "POST"): LOGGED_IN,
    # The client's page needs no login: its secret link is the credential. Here a link
    # that opens nothing (404 for everyone, logged in or not); a live, an expired and a
    # revoked link, for every role, are in tests/portal/test_client_page.py.
    ("portal.page", "GET"): row(404),
    ("portal.claim", "POST"): row(404),
    ("portal.question", "POST"): row(404),
    ("portal.upload", "POST"): row(404),
    ("portal.upload_document", "POST"): row(404),
    ("portal_staff.send", "GET"): CASE_EDITORS,
    ("portal_staff.send", "POST"): CASE_EDITORS,
    ("portal_staff.revoke", "POST"): CASE_EDITORS,
    ("portal_staff.confirm", "POST"): CASE_EDITORS,
    ("portal_staff.send_back", "POST"): CASE_EDITORS,
    ("calendar.revoke", "POST"): LOGGED_IN,
    # The centre's events (caseflow/events): everyone of the centre sees the calendar and
    # a published event; team leads and admins create and change them; another centre's
    # event is a 404 (tests/events/test_events.py).
    ("events.index", "GET"): LOGGED_IN,
    ("events.detail", "GET"): row(OK, anonymous=LOGIN, other_centre=404),
    ("events.new", "GET"): LEADS_OF_ANY_CENTRE,
    ("events.new", "POST"): LEADS_OF_ANY_CENTRE,
    ("events.edit", "GET"): EVENT_MANAGERS,
    ("events.edit", "POST"): EVENT_MANAGERS,
    ("events.publish", "POST"): EVENT_MANAGERS,
    ("events.cancel", "POST"): EVENT_MANAGERS,
    # The household's consent to event invitations, on the case page.
    ("event_consent.give", "POST"): CASE_EDITORS,
    ("event_consent.withdraw", "POST"): CASE_EDITORS,
    # The door list: advisors often work the door, so every staff member of the centre
    # opens it and ticks attendance (tests/events/test_door.py).
    ("events.door_list", "GET"): DOOR_WORKERS,
    ("events.attended", "POST"): DOOR_WORKERS,
    ("events.unmark", "POST"): DOOR_WORKERS,
    ("events.walk_in", "POST"): DOOR_WORKERS,
    # A walk-in's name removed on their request: team leads and admins.
    ("events.remove_walk_in_name", "POST"): EVENT_MANAGERS,
    ("events.attendance_export", "GET"): EVENT_MANAGERS,
    ("events.invite", "GET"): EVENT_MANAGERS,
    ("events.invite", "POST"): EVENT_MANAGERS,
    # The personal invitation link needs no login: its secret address is the credential.
    # Here an address that opens nothing (404 for everyone); live links are in
    # tests/events/test_invitations.py.
    ("event_invite.page", "GET"): row(404),
    ("event_invite.register", "POST"): row(404),
    ("event_invite.decline", "POST"): row(404),
    ("event_invite.unsubscribe", "GET"): row(404),
    ("event_invite.unsubscribe", "POST"): row(404),
    # The partner network (caseflow/partners): every staff member reads the directory
    # (each their own centre's); team leads and admins add and edit partners; a
    # partner of another centre is a 404. Referrals: whoever edits the case.
    ("partners.index", "GET"): LOGGED_IN,
    ("partners.new", "GET"): LEADS_OF_ANY_CENTRE,
    ("partners.new", "POST"): LEADS_OF_ANY_CENTRE,
    ("partners.edit", "GET"): row(403, anonymous=LOGIN, team_lead=OK, admin=OK, other_centre=404),
    ("partners.edit", "POST"): row(403, anonymous=LOGIN, team_lead=OK, admin=OK, other_centre=404),
    ("partners.refer", "GET"): CASE_EDITORS,
    ("partners.refer", "POST"): CASE_EDITORS,
    ("partners.change_state", "POST"): CASE_EDITORS,
    # First-line contacts (tests/contacts): every user logs them and sees their own;
    # team leads and admins see the centre's; admins edit the topic list.
    ("contacts.new", "GET"): LOGGED_IN,
    ("contacts.new", "POST"): LOGGED_IN,
    ("contacts.mine", "GET"): LOGGED_IN,
    ("contacts.centre", "GET"): LEADS_OF_ANY_CENTRE,
    ("contacts.detail", "GET"): CONTACT_KEEPERS,
    ("contacts.edit", "GET"): CONTACT_KEEPERS,
    ("contacts.edit", "POST"): CONTACT_KEEPERS,
    ("contacts.erase", "GET"): CONTACT_KEEPERS,
    ("contacts.erase", "POST"): CONTACT_KEEPERS,
    ("contacts.delete", "GET"): CONTACT_KEEPERS,  # its author on the day, leads any day
    ("contacts.delete", "POST"): CONTACT_KEEPERS,
    ("contacts.topics", "GET"): ADMINS_ONLY,
    ("contacts.topics", "POST"): ADMINS_ONLY,
    ("contacts.topic_edit", "GET"): ADMINS_ONLY,
    ("contacts.topic_edit", "POST"): ADMINS_ONLY,
}

STATIC_FILES = {"static": "css/caseflow.css", "bootstrap.static": "css/bootstrap.min.css"}


def _routes():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


ROUTES = _routes()


def test_every_endpoint_is_in_the_matrix():
    assert set(ROUTES) == set(MATRIX), "add the new endpoint to MATRIX with its expected access"


@pytest.fixture
def world(centre, other_centre, make_user, make_case):
    users = {
        "advisor_a": make_user("advisor"),
        "advisor_b": make_user("advisor"),
        "team_lead": make_user("team_lead"),
        "admin": make_user("admin"),
        "other_centre": make_user("team_lead", centre_=other_centre),
    }
    seed_catalogue(centre)
    case = make_case(
        users["advisor_a"], household_name=CANARY, persons=[person(first=CANARY_PERSON)]
    )
    note = add_note(case, users["advisor_a"], "A note about the canary household.")
    followup = add_followup(
        case,
        users["advisor_a"],
        title="Call the canary household",
        details=None,
        due_date=case.created_at.date(),
        assignee_id=users["advisor_a"].id,
    )
    db.session.commit()
    case_type = db.session.scalars(
        db.select(CaseType).where(CaseType.centre_id == centre.id)
    ).first()
    item = db.session.scalars(
        db.select(ChecklistItem).where(ChecklistItem.case_id == case.id)
    ).first()
    template_item = db.session.get(TemplateItem, item.template_item_id)
    message = queue_email(
        centre_id=centre.id,
        case_id=case.id,
        kind="test",
        recipients=["x@example.org"],
        subject="Canary",
        text_body="Canary",
    )
    job = ExportJob(
        centre_id=centre.id,
        user_id=users["team_lead"].id,
        case_ids=[case.id],
        total=1,
        done=1,
        status=ExportStatus.DONE,
        result=b"PK\x05\x06" + b"\x00" * 18,  # an empty ZIP
    )
    db.session.add(job)
    review = request_review(case, users["advisor_a"], "Please look at the canary household.")
    db.session.commit()
    attachment = store_upload(
        case, upload(png_bytes(), "canary.png"), item=item, uploaded_by=users["advisor_a"]
    )
    claim = claim_step(case, item.id)
    event = create_event(
        centre.id,
        users["team_lead"],
        {
            "title_en": "Canary language café",
            "event_type": "language_cafe",
            "starts_at": datetime(2030, 3, 5, 19, 0),
            "ends_at": datetime(2030, 3, 5, 21, 0),
            "place": "Main hall",
            "audience_languages": ["en"],
            "organiser": "The centre",
        },
    )
    publish_event(event, None)
    invitation = EventInvitation(
        event_id=event.id, case_id=case.id, token_hash="0" * 64, language="en"
    )
    db.session.add(invitation)
    walk_in = WalkIn(event_id=event.id, name="Canary walk-in", people=1)
    db.session.add(walk_in)
    partner = create_partner(
        centre.id,
        {
            "name": "Zorgkas Canary",
            "type": "health_fund",
            "email": "intake@zorgkas.example.org",
            "email_language": "nl",
            "languages": ["nl", "en"],
        },
    )
    referral = create_referral(
        case,
        users["advisor_a"],
        partner_id=partner.id,
        person_ids=[
            db.session.scalars(db.select(Person.id).where(Person.case_id == case.id)).first()
        ],
        reason="The canary household needs a health fund.",
        consent=False,
        details=[],
    ).referral
    topic = centre_topics(centre.id)[0]
    contact = log_contact(
        users["advisor_a"],
        ContactData(
            channel=ContactChannel.PHONE,
            topic_ids=[topic.id],
            minutes=5,
            name=CANARY_PERSON,
            note="Asked about the canary household's health fund.",
        ),
        case,
    )
    db.session.commit()
    return SimpleNamespace(
        users=users,
        url_args={
            "case_id": case.id,
            "person_id": db.session.scalars(
                db.select(Person.id).where(Person.case_id == case.id)
            ).first(),
            "note_id": note.id,
            "followup_id": followup.id,
            "user_id": users["advisor_b"].id,
            "case_type_id": case_type.id,
            "item_id": item.id,
            "template_id": template_item.template_id,
            "template_item_id": template_item.id,
            "message_id": message.id,
            "job_id": job.id,
            "review_id": review.id,
            "attachment_id": attachment.id,
            "claim_id": claim.id,
            "event_id": event.id,
            "invitation_id": invitation.id,
            "walk_in_id": walk_in.id,
            "partner_id": partner.id,
            "referral_id": referral.id,
            "topic_id": topic.id,
            "contact_id": contact.id,
            "decision": "send_back",
            "fmt": "csv",
            "number": 1,
            "token": "no-such-calendar-address-Qx7Zw3Qx7Zw3",
            "centre_code": "LIM",
        },
    )


def _url(app, endpoint, world):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    args = {name: world.url_args[name] for name in rule.arguments if name in world.url_args}
    if endpoint.startswith("checklist_admin.") and "item_id" in args:
        args["item_id"] = world.url_args["template_item_id"]  # a template's step
    if endpoint in STATIC_FILES:
        args["filename"] = STATIC_FILES[endpoint]
    with app.test_request_context():
        return url_for(endpoint, **args)


def _outcome(response, body: str) -> str | int:
    if response.status_code in (301, 302, 303) and "/login" in response.location:
        return LOGIN
    if response.status_code == 400 and "The form has expired" in body:
        return "csrf-refused"  # never expected: every post here carries a valid token
    if response.status_code < 400 or response.status_code == 400:
        return OK
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method"), ROUTES)
def test_access(app, client_for, world, endpoint, method, role, security_figures):
    client = client_for(world.users.get(role))
    url = _url(app, endpoint, world)
    expected = MATRIX[(endpoint, method)][role]
    before = db_digest()

    response = client.get(url) if method == "GET" else client.post_form(url)

    body = response.get_data().decode("utf-8", "replace")  # PDFs and ZIPs too
    response.close()  # static files are streamed from open files
    outcome = _outcome(response, body)
    if expected == LOGGED_OUT and outcome == LOGIN:
        outcome = LOGGED_OUT
    refused = expected not in (OK, LOGGED_OUT)
    security_figures.record("Route x role requests tried", 1)
    security_figures.record(
        "Unauthorised 2xx", int(refused and response.status_code < 300), expected=0
    )
    assert outcome == expected, f"{method} {url} as {role}: {response.status_code}"
    if expected not in (OK, LOGGED_OUT):
        assert db_digest() == before, "a refused request changed the database"
        assert CANARY not in body and CANARY_PERSON not in body


@pytest.mark.parametrize(
    ("role", "sees_it"),
    [
        ("advisor_a", True),
        ("advisor_b", False),
        ("team_lead", True),
        ("admin", True),
        ("other_centre", False),
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/cases?status=all",
        f"/cases?q={CANARY_PERSON.split()[0]}&status=all",
        "/",
        "/followups?view=all",
    ],
)
def test_lists_follow_the_same_rule(client_for, world, role, sees_it, path):
    body = client_for(world.users[role]).get(path).get_data(as_text=True)
    if path in ("/", "/followups?view=all") and role in ("team_lead", "admin"):
        sees_it = False  # their own work lists hold only their own cases and follow-ups
    assert (CANARY in body) is sees_it


def test_followup_assignee_sees_the_case_read_only(client_for, world, make_case):
    """An advisor assigned a follow-up on someone else's case may open it, not edit it."""
    advisor_a, advisor_b = world.users["advisor_a"], world.users["advisor_b"]
    case_id = world.url_args["case_id"]
    add_followup(
        db.session.get(Case, case_id),
        advisor_a,
        title="Translate the letter",
        details=None,
        due_date=date(2030, 1, 1),
        assignee_id=advisor_b.id,
    )
    db.session.commit()
    client = client_for(advisor_b)
    page = client.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert CANARY in page.get_data(as_text=True)
    assert client.get(f"/cases/{case_id}/edit").status_code == 403
    assert client.post_form(f"/cases/{case_id}/notes", {"body": "hi"}).status_code == 403
    assert CANARY in client.get("/cases?status=all").get_data(as_text=True)


def test_an_admin_of_another_centre_cannot_reach_our_checklists(
    client_for, world, make_user, other_centre
):
    stranger = client_for(make_user("admin", centre_=other_centre))
    template_id = world.url_args["template_id"]
    assert stranger.get(f"/admin/checklists/{template_id}").status_code == 404
    step = world.url_args["template_item_id"]
    assert stranger.get(f"/admin/checklists/{template_id}/items/{step}").status_code == 404
    assert "Arrival in Flanders" not in stranger.get("/admin/checklists").get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/team", "/team/intake", "/team/reviews", "/reports/funder?period=year", "/contacts/centre"],
)
def test_centre_pages_never_show_another_centres_data(client_for, world, path):
    body = client_for(world.users["other_centre"]).get(path).get_data(as_text=True)
    assert CANARY not in body
    for user in ("advisor_a", "advisor_b"):
        assert world.users[user].full_name not in body


def _close_unassigned(make_case, lead, name):
    from caseflow.cases.models import CaseStatus, ClosingReason
    from caseflow.cases.services import change_status

    case = make_case(None, actor=lead, household_name=name)
    change_status(
        case,
        lead,
        CaseStatus.CLOSED,
        reason=ClosingReason.NOT_ELIGIBLE,
        close_anyway_reason="Not eligible: no steps apply.",
    )
    db.session.commit()
    return case


def test_lists_and_detail_agree_for_every_kind_of_case(client_for, world, make_case):
    """For each role and each kind of case, the case page opens exactly when the case
    list shows it: the rule is written once (finding 5: a closed case without an advisor
    is not shared with every advisor; the open intake queue is)."""
    lead = world.users["team_lead"]
    cases = {
        "assigned to A": db.session.get(Case, world.url_args["case_id"]),
        "open intake": make_case(None, actor=lead, household_name="Intakeopen Household"),
        "closed, no advisor": _close_unassigned(make_case, lead, "Closednoadvisor Household"),
    }
    expected_advisor_b = {"assigned to A": False, "open intake": True, "closed, no advisor": False}
    for role in ("advisor_a", "advisor_b", "team_lead", "other_centre"):
        client = client_for(world.users[role])
        listed = client.get("/cases?status=all").get_data(as_text=True)
        for kind, case in cases.items():
            detail = client.get(f"/cases/{case.id}").status_code
            assert detail in (200, 404), (role, kind, detail)
            assert (detail == 200) is (case.household_name in listed), (role, kind)
            if role == "advisor_b":
                assert (detail == 200) is expected_advisor_b[kind], (role, kind)


def test_a_closed_case_without_advisor_is_not_shared_with_advisors(client_for, world, make_case):
    lead = world.users["team_lead"]
    case = _close_unassigned(make_case, lead, "Closednoadvisor Household")
    advisor = client_for(world.users["advisor_b"])
    before = db_digest()
    assert advisor.get(f"/cases/{case.id}").status_code == 404
    assert advisor.get(f"/cases/{case.id}/edit").status_code == 404
    assert advisor.post_form(f"/cases/{case.id}/notes", {"body": "hi"}).status_code == 404
    assert advisor.post_form(f"/cases/{case.id}/take", {"version": "1"}).status_code == 404
    assert db_digest() == before
    assert "Closednoadvisor" not in advisor.get("/cases?status=all").get_data(as_text=True)
    # Team leads still see it (and may reopen it).
    assert client_for(lead).get(f"/cases/{case.id}").status_code == 200


def test_my_work_hides_reviews_of_cases_reassigned_away(client_for, world, make_case):
    """Finding 4: advisor A asked for a review; the lead then gave the case to B."""
    from caseflow.cases.services import assign_case
    from caseflow.followups.models import FollowUp, FollowUpStatus
    from caseflow.followups.services import close_followup

    advisor_a, advisor_b = world.users["advisor_a"], world.users["advisor_b"]
    case = db.session.get(Case, world.url_args["case_id"])
    # A's own follow-up on the case is done: after the reassignment A holds nothing on it.
    own = db.session.get(FollowUp, world.url_args["followup_id"])
    close_followup(own, advisor_a, FollowUpStatus.DONE, own.version)
    add_followup(
        case,
        advisor_a,
        title="Overdue call",
        details=None,
        due_date=date(2020, 1, 1),
        assignee_id=advisor_b.id,
    )
    db.session.commit()
    home = client_for(advisor_a).get("/").get_data(as_text=True)
    assert CANARY in home  # before: A's own case, with A's review request
    assign_case(case, world.users["team_lead"], advisor_b.id)
    db.session.commit()
    home = client_for(advisor_a).get("/").get_data(as_text=True)
    assert CANARY not in home
    assert case.reference not in home
    assert CANARY in client_for(advisor_b).get("/").get_data(as_text=True)


def test_every_query_of_my_work_goes_through_the_visibility_rule(client_for, world, monkeypatch):
    import caseflow.main
    from caseflow.auth import permissions

    calls = []

    def counting(user):
        calls.append(user.id)
        return permissions.visible_cases_clause(user)

    client = client_for(world.users["advisor_a"])
    monkeypatch.setattr(caseflow.main, "visible_cases_clause", counting)
    assert client.get("/").status_code == 200
    # my cases, due follow-ups, queue size, overdue steps, my reviews, client updates,
    # referrals to follow up
    assert len(calls) == 7


def test_a_read_only_assignee_may_complete_not_cancel(client_for, world):
    """Finding 11: B holds a follow-up on A's case; B may complete it, never cancel it."""
    advisor_a, advisor_b = world.users["advisor_a"], world.users["advisor_b"]
    case = db.session.get(Case, world.url_args["case_id"])
    followups = [
        add_followup(
            case,
            advisor_a,
            title=f"Translate letter {n}",
            details=None,
            due_date=date(2030, 1, n),
            assignee_id=advisor_b.id,
        )
        for n in (1, 2)
    ]
    db.session.commit()
    client = client_for(advisor_b)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/followups/{followups[0].id}/done" in page
    assert f"/followups/{followups[0].id}/cancel" not in page
    before = db_digest()
    url = f"/cases/{case.id}/followups/{followups[0].id}/cancel"
    assert client.post_form(url, {"version": followups[0].version}).status_code == 403
    assert db_digest() == before
    done = f"/cases/{case.id}/followups/{followups[1].id}/done"
    assert client.post_form(done, {"version": followups[1].version}).status_code == 302
    # The case's own advisor still cancels.
    owner = client_for(advisor_a)
    assert owner.post_form(url, {"version": followups[0].version}).status_code == 302

"""The client's page: the link (entropy, hash only, expiry, revocation, closing), what
the client sees and may do, and what the advisor gets."""

import base64
import hashlib
import re
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from caseflow.cases.models import Activity, ActivityKind, CaseStatus, ClosingReason
from caseflow.cases.services import change_status
from caseflow.checklists.models import ChecklistItem, ItemState
from caseflow.checklists.services import set_state
from caseflow.core.audit import AuditEvent
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from caseflow.portal import services
from caseflow.portal.models import ClaimStatus, ClientClaim, ClientMessage, PortalLink
from tests.conftest import db_digest, reload
from tests.portal.conftest import items_of, new_link, token_in_outbox, without_csrf


def _open_item(case) -> ChecklistItem:
    return next(item for item in items_of(case) if item.is_open)


def _claim(client, token, item_id):
    return client.post_form(f"/p/{token}/steps/{item_id}/done")


# --- The link -------------------------------------------------------------------------


def test_the_advisor_sends_a_link_of_256_bits_and_only_its_hash_is_stored(
    client, client_for, family
):
    advisor, _colleague, case, _other = family
    staff = client_for(advisor)
    form = staff.get(f"/cases/{case.id}/client-page/send")
    assert form.status_code == 200 and "okafor@example.org" in form.get_data(as_text=True)

    response = staff.post_form(
        f"/cases/{case.id}/client-page/send", {"recipients": ["okafor@example.org"]}
    )

    assert response.status_code == 302
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == services.LINK_EMAIL_KIND)
    ).one()
    assert message.recipients == ["okafor@example.org"]
    assert message.subject.startswith("Votre page")  # the client's language: French
    token = token_in_outbox()
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) >= 16
    [link] = db.session.scalars(select(PortalLink)).all()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert link.created_by_id == advisor.id
    assert abs(link.expires_at - (utcnow() + timedelta(days=90))) < timedelta(minutes=5)
    # The token itself is nowhere but in the email that carries it.
    for table in db.metadata.sorted_tables:
        if table.name == "outbox_messages":
            continue
        rows = db.session.execute(table.select()).all()
        assert token not in repr(rows), table.name
    kinds = db.session.scalars(select(Activity.kind).where(Activity.case_id == case.id)).all()
    assert ActivityKind.PORTAL_LINK_SENT in kinds
    assert db.session.scalar(
        select(func.count()).where(AuditEvent.action == "portal.send", AuditEvent.outcome == "ok")
    )
    assert client.get(f"/p/{token}").status_code == 200


def test_a_new_link_revokes_the_old_one_and_revoke_stops_it(client, client_for, family):
    advisor, _colleague, case, _other = family
    staff = client_for(advisor)
    first = new_link(case, advisor)
    staff.post_form(f"/cases/{case.id}/client-page/send", {"recipients": ["okafor@example.org"]})
    second = token_in_outbox()
    assert client.get(f"/p/{first}").status_code == 410
    assert client.get(f"/p/{second}").status_code == 200
    assert "Revoke the link" in staff.get(f"/cases/{case.id}").get_data(as_text=True)

    assert staff.post_form(f"/cases/{case.id}/client-page/revoke").status_code == 302

    assert client.get(f"/p/{second}").status_code == 410
    assert services.live_link(case.id) is None
    assert db.session.scalar(
        select(func.count()).where(
            Activity.case_id == case.id, Activity.kind == ActivityKind.PORTAL_LINK_REVOKED
        )
    )


def _expire(token):
    db.session.execute(
        update(PortalLink)
        .where(PortalLink.token_hash == services.token_hash(token))
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_unknown_404_and_expired_revoked_or_closed_410_show_the_same_page(
    client, family, make_user
):
    advisor, _colleague, case, other = family
    unknown = client.get(f"/p/{secrets.token_urlsafe(32)}?lang=en")
    malformed = client.get("/p/short?lang=en")
    expired_token = new_link(other, advisor)
    _expire(expired_token)
    expired = client.get(f"/p/{expired_token}?lang=en")
    revoked_token = new_link(case, advisor)
    services.revoke_links(case, advisor)
    db.session.commit()
    revoked = client.get(f"/p/{revoked_token}?lang=en")
    closed_token = new_link(case, advisor)
    assert client.get(f"/p/{closed_token}").status_code == 200
    change_status(
        reload(type(case), case.id),
        make_user("team_lead"),
        CaseStatus.CLOSED,
        reason=ClosingReason.COMPLETED,
        close_anyway_reason="Moved abroad.",
    )
    db.session.commit()
    closed = client.get(f"/p/{closed_token}?lang=en")

    assert (unknown.status_code, malformed.status_code) == (404, 404)
    assert (expired.status_code, revoked.status_code, closed.status_code) == (410, 410, 410)
    bodies = {r.get_data(as_text=True) for r in (unknown, malformed, expired, revoked, closed)}
    assert len(bodies) == 1
    [body] = bodies
    assert "Okafor" not in body and "Lindqvist" not in body and "Arne" not in body
    for response in (unknown, revoked):
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
    denied = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "portal.open", AuditEvent.outcome == "denied")
    ).all()
    assert {event.case_id for event in denied} == {case.id, other.id}


def test_guessing_tokens_trips_the_rate_limit(app, client, family, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_MISSES_PER_ADDRESS", "5 per hour")
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    statuses = [client.get(f"/p/{secrets.token_urlsafe(32)}").status_code for _ in range(7)]
    assert statuses == [404] * 5 + [429] * 2
    # The address is blocked for the live link too, until the window passes.
    assert client.get(f"/p/{token}").status_code == 429
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "rate_limited"))


def test_every_request_is_counted_per_address(app, client, family, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_REQUESTS_PER_ADDRESS", "3 per minute")
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    statuses = [client.get(f"/p/{token}").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# --- The page -------------------------------------------------------------------------


def test_opening_is_audited_without_a_user_and_sets_last_opened(client, client_for, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    page = client.get(f"/p/{token}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "portal.open"))
    assert (event.user_id, event.case_id, event.outcome) == (None, case.id, "ok")
    assert reload(PortalLink, services.live_link(case.id).id).last_opened_at is not None
    assert "Last opened" in client_for(advisor).get(f"/cases/{case.id}").get_data(as_text=True)


def test_the_page_shows_the_checklist_in_the_clients_language_and_never_staff_data(client, family):
    advisor, _colleague, case, _other = family
    items = items_of(case)
    not_applicable = items[-1]
    set_state(not_applicable, advisor, ItemState.NOT_APPLICABLE, "Not for them")
    done = next(i for i in items if i.is_open and i.id != not_applicable.id)
    set_state(done, advisor, ItemState.DONE)
    db.session.commit()
    token = new_link(case, advisor)

    body = client.get(f"/p/{token}").get_data(as_text=True)

    assert '<html lang="fr">' in body
    assert "Vos démarches pour vous installer en Belgique" in body
    assert "Chidi Okafor" in body and "Ada Okafor" in body
    assert "Déjà fait" in body and "dès que possible" in body
    assert "Arne Advisor" in body and advisor.email in body  # the contact
    for secret in ("Private note", "Secret follow-up", "Bea Colleague", "Lindqvist", "Not for"):
        assert secret not in body
    assert f'id="step-{not_applicable.id}"' not in body
    # ?lang= wins over the case's language, and stays for the session.
    assert "Jouw stappen" in client.get(f"/p/{token}?lang=nl").get_data(as_text=True)
    assert '<html lang="nl">' in client.get(f"/p/{token}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["advisor", "team_lead", "admin"])
def test_a_staff_login_sees_exactly_what_the_client_sees(
    client, client_for, family, make_user, role
):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    anonymous = client.get(f"/p/{token}")
    staff = client_for(make_user(role))
    logged_in = staff.get(f"/p/{token}")
    assert logged_in.status_code == anonymous.status_code == 200
    assert without_csrf(logged_in.get_data(as_text=True)) == without_csrf(
        anonymous.get_data(as_text=True)
    )
    assert staff.get(f"/p/{secrets.token_urlsafe(32)}").status_code == 404


# --- Claims ---------------------------------------------------------------------------


def test_a_claim_does_not_tick_the_step_and_the_advisor_confirms_it(client, client_for, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    item = _open_item(case)

    response = _claim(client, token, item.id)

    assert response.status_code == 303
    assert reload(ChecklistItem, item.id).state != ItemState.DONE
    [claim] = db.session.scalars(select(ClientClaim)).all()
    assert (claim.case_id, claim.item_id, claim.status) == (case.id, item.id, ClaimStatus.PENDING)
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert 'data-claim-state="pending"' in page
    assert _claim(client, token, item.id).status_code == 303  # twice: still one claim
    assert db.session.scalar(select(func.count()).select_from(ClientClaim)) == 1

    staff = client_for(advisor)
    case_page = staff.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'data-claim="{claim.id}"' in case_page
    home = staff.get("/").get_data(as_text=True)
    assert "Client updates" in home and "The client says this step is done" in home

    confirm = staff.post_form(f"/cases/{case.id}/client-page/claims/{claim.id}/confirm")

    assert confirm.status_code == 302
    assert reload(ChecklistItem, item.id).state == ItemState.DONE
    claim = reload(ClientClaim, claim.id)
    assert (claim.status, claim.decided_by_id) == (ClaimStatus.CONFIRMED, advisor.id)
    kinds = db.session.scalars(select(Activity.kind).where(Activity.case_id == case.id)).all()
    assert ActivityKind.CLIENT_CLAIMED in kinds and ActivityKind.CLIENT_CLAIM_CONFIRMED in kinds
    assert "Client updates" not in staff.get("/").get_data(as_text=True)
    # Handled once only.
    again = staff.post_form(f"/cases/{case.id}/client-page/claims/{claim.id}/confirm")
    assert again.status_code == 302
    assert reload(ClientClaim, claim.id).status == ClaimStatus.CONFIRMED


def test_the_advisor_sends_a_claim_back_with_a_reason_the_client_reads(client, client_for, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    item = _open_item(case)
    _claim(client, token, item.id)
    claim = db.session.scalars(select(ClientClaim)).one()
    staff = client_for(advisor)

    bad = staff.post_form(
        f"/cases/{case.id}/client-page/claims/{claim.id}/send-back", {"reason": "x" * 301}
    )
    assert bad.status_code == 400
    assert reload(ClientClaim, claim.id).status == ClaimStatus.PENDING

    staff.post_form(
        f"/cases/{case.id}/client-page/claims/{claim.id}/send-back",
        {"reason": "We still need the signed lease."},
    )

    claim = reload(ClientClaim, claim.id)
    assert (claim.status, claim.reason) == (
        ClaimStatus.SENT_BACK,
        "We still need the signed lease.",
    )
    assert reload(ChecklistItem, item.id).state != ItemState.DONE
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert 'data-claim-state="sent_back"' in page and "We still need the signed lease." in page
    assert db.session.scalar(
        select(func.count()).where(Activity.kind == ActivityKind.CLIENT_CLAIM_SENT_BACK)
    )
    # The client may say it again.
    _claim(client, token, item.id)
    assert (
        db.session.scalar(select(func.count()).where(ClientClaim.status == ClaimStatus.PENDING))
        == 1
    )


def test_another_cases_step_is_404_and_changes_nothing(client, client_for, family):
    advisor, colleague, case, other = family
    token = new_link(case, advisor)
    foreign = _open_item(other)
    not_applicable = _open_item(case)
    set_state(not_applicable, advisor, ItemState.NOT_APPLICABLE, "Not for them")
    db.session.commit()
    before = db_digest()

    for item_id in (foreign.id, not_applicable.id, 99999):
        response = _claim(client, token, item_id)
        assert response.status_code == 404
        assert "Lindqvist" not in response.get_data(as_text=True)

    assert db_digest() == before
    # A staff member of the other case cannot confirm this case's claim through theirs.
    _claim(client, token, _open_item(case).id)
    claim = db.session.scalars(select(ClientClaim)).one()
    response = client_for(colleague).post_form(
        f"/cases/{other.id}/client-page/claims/{claim.id}/confirm"
    )
    assert response.status_code == 404
    assert reload(ClientClaim, claim.id).status == ClaimStatus.PENDING


def test_a_dead_link_accepts_no_post(client, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    item = _open_item(case)
    client.get(f"/p/{token}")  # the session's CSRF token
    services.revoke_links(case, advisor)
    db.session.commit()
    before = db_digest()
    assert _claim(client, token, item.id).status_code == 410
    assert client.post_form(f"/p/{token}/question", {"question": "Hello?"}).status_code == 410
    assert db_digest() == before


# --- Questions ------------------------------------------------------------------------


def test_a_question_reaches_the_advisor_without_its_text_in_the_email(client, client_for, family):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    question = "Where do I find the rental contract form? Chidi"

    response = client.post_form(f"/p/{token}/question", {"question": question})

    assert response.status_code == 303
    [message] = db.session.scalars(select(ClientMessage)).all()
    assert (message.case_id, message.body) == (case.id, question)
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == services.QUESTION_EMAIL_KIND)
    ).all()
    assert mail.recipients == [advisor.email]
    assert case.reference in mail.subject
    for part in (mail.subject, mail.text_body, mail.html_body):
        assert "rental contract" not in part and "Chidi" not in part
    assert f"/cases/{case.id}" in mail.text_body
    staff = client_for(advisor)
    assert question in staff.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "The client asked a question" in staff.get("/").get_data(as_text=True)
    assert question in client.get(f"/p/{token}").get_data(as_text=True)
    assert db.session.scalar(
        select(func.count()).where(
            AuditEvent.action == "portal.question", AuditEvent.user_id.is_(None)
        )
    )


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b", "x" * 2001])
def test_a_bad_question_is_refused_and_nothing_stored(client, family, bad):
    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    client.get(f"/p/{token}")
    before = db_digest()
    response = client.post_form(f"/p/{token}/question", {"question": bad})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body  # the message is on the field, in French
    assert '<html lang="fr">' in body
    assert db_digest() == before


# --- The checklist email --------------------------------------------------------------


def test_the_checklist_email_can_carry_a_new_link(client, client_for, family):
    advisor, _colleague, case, _other = family
    old = new_link(case, advisor)
    staff = client_for(advisor)
    preview = staff.post_form(
        f"/cases/{case.id}/email-checklist",
        {"recipients": ["okafor@example.org"], "include_portal_link": "y", "action": "preview"},
    )
    assert preview.status_code == 200 and "/p/" in preview.get_data(as_text=True)
    assert services.live_link(case.id) is not None  # the preview made no new link
    assert client.get(f"/p/{old}").status_code == 200

    response = staff.post_form(
        f"/cases/{case.id}/email-checklist",
        {"recipients": ["okafor@example.org"], "include_portal_link": "y", "action": "send"},
    )

    assert response.status_code == 302
    token = token_in_outbox("client_checklist")
    assert client.get(f"/p/{token}").status_code == 200
    assert client.get(f"/p/{old}").status_code == 410
    html = db.session.scalars(
        select(OutboxMessage.html_body).where(OutboxMessage.kind == "client_checklist")
    ).one()
    assert re.search(rf'href="http://localhost/p/{re.escape(token)}"', html)


def test_the_checklist_email_without_the_box_carries_no_link(client_for, family):
    advisor, _colleague, case, _other = family
    client_for(advisor).post_form(
        f"/cases/{case.id}/email-checklist",
        {"recipients": ["okafor@example.org"], "action": "send"},
    )
    body = db.session.scalars(
        select(OutboxMessage.text_body).where(OutboxMessage.kind == "client_checklist")
    ).one()
    assert "/p/" not in body
    assert db.session.scalar(select(func.count()).select_from(PortalLink)) == 0


# --- Retention and erasure ------------------------------------------------------------


def test_retention_deletes_links_dead_for_a_month_and_keeps_the_others(family):
    from caseflow.privacy.retention import run_retention

    advisor, _colleague, case, other = family
    old = new_link(other, advisor)
    services.revoke_links(other, advisor)
    db.session.execute(
        update(PortalLink)
        .where(PortalLink.token_hash == services.token_hash(old))
        .values(revoked_at=utcnow() - timedelta(days=31))
    )
    recent = new_link(other, advisor)
    services.revoke_links(other, advisor)
    live = new_link(case, advisor)
    db.session.commit()

    dry = run_retention(commit=db.session.commit, dry_run=True)
    assert dry.portal_links == 1
    result = run_retention(commit=db.session.commit)

    assert result.portal_links == 1
    kept = set(db.session.scalars(select(PortalLink.token_hash)))
    assert kept == {services.token_hash(recent), services.token_hash(live)}


def test_erasing_the_case_deletes_its_links_and_empties_the_questions(client, family, make_user):
    from caseflow.privacy.erasure import erase_case

    advisor, _colleague, case, _other = family
    token = new_link(case, advisor)
    client.post_form(f"/p/{token}/question", {"question": "Is my lease enough?"})
    erase_case(
        reload(type(case), case.id), reason="Request of the client", actor=make_user("team_lead")
    )
    db.session.commit()

    assert db.session.scalar(select(func.count()).select_from(PortalLink)) == 0
    assert db.session.scalars(select(ClientMessage.body)).all() == [""]
    assert client.get(f"/p/{token}").status_code == 404

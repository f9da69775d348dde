"""The client's page: links (create, revoke, find), what the client sees, claims and
questions. Services flush, never commit.

A token is ``secrets.token_urlsafe(32)`` (256 bits); only its SHA-256 is stored, and a
link is found by that hash (a unique index), so the database never holds a usable
address and no comparison of secrets happens in Python.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import DateTime, String, Text, cast, literal_column, null, select, union_all, update
from sqlalchemy.orm import joinedload

from caseflow.attachments.models import Attachment
from caseflow.attachments.services import store_upload
from caseflow.auth.models import User
from caseflow.cases.models import ActivityKind, Case
from caseflow.cases.salutation import salutation_for
from caseflow.cases.timeline import record
from caseflow.centres.models import Centre
from caseflow.checklists.models import ChecklistItem, ItemState, TemplateItem
from caseflow.checklists.services import set_state
from caseflow.checklists.views import PersonChecklist, group_checklist, load_items
from caseflow.core.audit import record as audit
from caseflow.core.errors import DomainError
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.mail import services as mail
from caseflow.mail.client import check_recipients
from caseflow.portal.models import ClaimStatus, ClientClaim, ClientMessage, PortalLink

# 32 random bytes = 256 bits (at least 128 are required): nobody guesses a link.
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{40,100}")
LINK_EMAIL_KIND = "portal_link"
QUESTION_EMAIL_KIND = "portal_question"
QUESTION_MAX = 2000
REASON_MAX = 300

LIVE, DEAD, UNKNOWN = "live", "dead", "unknown"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def portal_url(token: str) -> str:
    return url_for("portal.page", token=token, _external=True)


def live_link_clause(now: datetime):
    return (PortalLink.revoked_at.is_(None), PortalLink.expires_at > now)


def live_link(case_id: int, now: datetime | None = None) -> PortalLink | None:
    """The case's live link (not revoked, not expired), if any."""
    return db.session.scalar(
        select(PortalLink)
        .where(PortalLink.case_id == case_id, *live_link_clause(now or utcnow()))
        .order_by(PortalLink.id.desc())
        .limit(1)
    )


def _refuse_if_closed(case: Case) -> None:
    if case.is_closed or case.erased_at is not None:
        raise DomainError(_("This case is closed: its client page cannot be opened."))


def revoke_links(case: Case, actor: User | None) -> int:
    """Revoke every live link of the case; returns how many. Records it. Flushes."""
    now = utcnow()
    revoked = db.session.execute(
        update(PortalLink)
        .where(PortalLink.case_id == case.id, *live_link_clause(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if revoked:
        record(case, actor, ActivityKind.PORTAL_LINK_REVOKED)
    db.session.flush()
    return revoked


def create_link(case: Case, actor: User) -> str:
    """A new link for the case (the old live one is revoked). Returns the token. Flushes."""
    _refuse_if_closed(case)
    now = utcnow()
    db.session.execute(
        update(PortalLink)
        .where(PortalLink.case_id == case.id, *live_link_clause(now))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    days = int(current_app.config["PORTAL_LINK_DAYS"])
    db.session.add(
        PortalLink(
            case_id=case.id,
            token_hash=token_hash(token),
            created_by_id=actor.id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    db.session.flush()
    return token


def render_link_email(case: Case, advisor: User, url: str) -> dict[str, str]:
    """Subject, text and HTML of the "your page" email, in the client's language."""
    centre_name = db.session.get(Centre, case.centre_id).name
    link = live_link(case.id)
    context = {
        "case": case,
        "advisor": advisor,
        "centre_name": centre_name,
        "salutation": salutation_for(case),
        "url": url,
        "expires_on": link.expires_at.date() if link else None,
    }
    with force_locale(case.client_language.value):
        return {
            "subject": _("Your own page at %(centre)s", centre=centre_name),
            "text": render_template("portal/email/link.txt", **context),
            "html": render_template("portal/email/link.html", **context),
        }


def send_link(case: Case, advisor: User, recipients: list[str]) -> mail.OutboxMessage:
    """Make a new link (revoking the old one) and email it to the client. Flushes."""
    check_recipients(case, recipients)
    token = create_link(case, advisor)
    rendered = render_link_email(case, advisor, portal_url(token))
    message = mail.queue_email(
        centre_id=case.centre_id,
        case_id=case.id,
        kind=LINK_EMAIL_KIND,
        recipients=recipients,
        subject=rendered["subject"],
        text_body=rendered["text"],
        html_body=rendered["html"],
        created_by_id=advisor.id,
        reply_to=advisor.email,
    )
    record(case, advisor, ActivityKind.PORTAL_LINK_SENT, recipients=message.recipients)
    return message


def link_for_checklist_email(case: Case, advisor: User) -> str:
    """The address for the checklist email: always a new link (only the hash of the live
    one is stored, so its address cannot be shown again). Flushes."""
    token = create_link(case, advisor)
    record(case, advisor, ActivityKind.PORTAL_LINK_SENT, via="checklist_email")
    return portal_url(token)


def find(token: str) -> tuple[str, PortalLink | None]:
    """(LIVE, link), (DEAD, link) for an expired or revoked link or a closed case, or
    (UNKNOWN, None)."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return UNKNOWN, None
    link = db.session.scalar(
        select(PortalLink)
        .where(PortalLink.token_hash == token_hash(token))
        .options(joinedload(PortalLink.case))
    )
    if link is None:
        return UNKNOWN, None
    case = link.case
    if not link.is_live(utcnow()) or case.is_closed or case.erased_at is not None:
        return DEAD, link
    return LIVE, link


def record_open(link: PortalLink) -> None:
    """The client opened the page: one audit event with no user, naming the case (the
    route sets ``last_opened_at`` in a write of its own)."""
    audit("portal.open", object_type="case", object_id=link.case_id, case_id=link.case_id)


# --- What the client sees -------------------------------------------------------------


@dataclass
class ClientView:
    case: Case
    centre: Centre
    groups: list[PersonChecklist]
    claims: dict[int, ClientClaim] = field(default_factory=dict)
    messages: list[ClientMessage] = field(default_factory=list)
    # The documents the client sent, per step id, 0 for the whole case (never the files
    # staff attached).
    files: dict[int, list[Attachment]] = field(default_factory=dict)

    def visible_items(self, group: PersonChecklist) -> tuple[list, list]:
        """(still to do, done) as the client checklist PDF shows them: never the steps
        that do not apply."""
        open_items, done_items = [], []
        for _category, items in group.categories:
            for item in items:
                if item.no_longer_applies or item.state == ItemState.NOT_APPLICABLE:
                    continue
                (done_items if item.state == ItemState.DONE else open_items).append(item)
        return open_items, done_items


def client_view(case_id: int) -> ClientView:
    """The case, its checklist as the client sees it, the latest claim per step and the
    client's own messages: a fixed number of queries."""
    case = (
        db.session.scalars(
            select(Case)
            .where(Case.id == case_id)
            .options(joinedload(Case.persons), joinedload(Case.advisor))
        )
        .unique()
        .one()
    )
    centre = db.session.get(Centre, case.centre_id)
    groups = group_checklist(case.persons, load_items(case), today())
    groups = [group for group in groups if not group.former_name]
    claims: dict[int, ClientClaim] = {}
    for claim in db.session.scalars(
        select(ClientClaim).where(ClientClaim.case_id == case.id).order_by(ClientClaim.id)
    ):
        claims[claim.item_id] = claim  # the latest one wins
    messages = db.session.scalars(
        select(ClientMessage)
        .where(ClientMessage.case_id == case.id)
        .order_by(ClientMessage.id.desc())
        .limit(20)
    ).all()
    files: dict[int, list[Attachment]] = {}
    for attachment in db.session.scalars(
        select(Attachment)
        .where(Attachment.case_id == case.id, Attachment.uploaded_by_client.is_(True))
        .order_by(Attachment.id)
    ):
        # Key 0: documents sent for the case as a whole.
        files.setdefault(attachment.checklist_item_id or 0, []).append(attachment)
    return ClientView(case, centre, groups, claims, list(messages), files)


# --- Claims ---------------------------------------------------------------------------


def _case_item(case: Case, item_id: int) -> ChecklistItem | None:
    """A step of this case that the client sees, else None (another case's id too)."""
    item = db.session.scalar(
        select(ChecklistItem)
        .where(ChecklistItem.id == item_id, ChecklistItem.case_id == case.id)
        .options(joinedload(ChecklistItem.template_item))
    )
    if item is None or item.former_person_name or item.no_longer_applies:
        return None
    if item.state == ItemState.NOT_APPLICABLE:
        return None
    return item


class NotFound(DomainError):
    """The step is not one of this case's (a 404, whatever the reason)."""


def claim_step(case: Case, item_id: int) -> ClientClaim:
    """The client says a step is done. Does not tick it. Flushes."""
    item = _case_item(case, item_id)
    if item is None:
        raise NotFound(_("This step is not on your page."))
    if item.state == ItemState.DONE:
        raise DomainError(_("This step is already done."))
    pending = db.session.scalar(
        select(ClientClaim).where(
            ClientClaim.item_id == item.id, ClientClaim.status == ClaimStatus.PENDING
        )
    )
    if pending is not None:
        return pending
    claim = ClientClaim(case_id=case.id, item_id=item.id)
    db.session.add(claim)
    db.session.flush()
    record(case, None, ActivityKind.CLIENT_CLAIMED, item_id=item.id, claim_id=claim.id)
    audit(
        "portal.claim",
        object_type="checklist_item",
        object_id=item.id,
        case_id=case.id,
        details={"claim_id": claim.id},
    )
    return claim


def client_step(case: Case, item_id: int) -> ChecklistItem:
    """A step still to do on the client's page, else ``NotFound`` (whatever the reason:
    another case's, done, not applicable)."""
    item = _case_item(case, item_id)
    if item is None or item.state == ItemState.DONE:
        raise NotFound(_("This step is not on your page."))
    return item


def client_upload(case: Case, item: ChecklistItem | None, file_storage) -> Attachment:
    """The client sends a document for one of their open steps (``client_step``) or,
    with ``item`` None, for the case. The file is checked and cleaned by the attachments
    service (``UploadRejected`` when refused: nothing stored); call it with no
    transaction open, as ``store_upload`` says. Flushes."""
    attachment = store_upload(case, file_storage, item=item, by_client=True)
    audit(
        "portal.upload",
        object_type="checklist_item" if item is not None else "case",
        object_id=item.id if item is not None else case.id,
        case_id=case.id,
        details={"attachment_id": attachment.id},
    )
    return attachment


def _pending(claim: ClientClaim) -> None:
    if claim.status != ClaimStatus.PENDING:
        raise DomainError(_("This client update has already been handled."))


def confirm_claim(claim: ClientClaim, actor: User) -> None:
    """The advisor agrees: the step is ticked done. Flushes."""
    _pending(claim)
    item = db.session.get(ChecklistItem, claim.item_id)
    case = db.session.get(Case, claim.case_id)
    set_state(item, actor, ItemState.DONE)
    claim.status = ClaimStatus.CONFIRMED
    claim.decided_at = utcnow()
    claim.decided_by_id = actor.id
    record(case, actor, ActivityKind.CLIENT_CLAIM_CONFIRMED, item_id=item.id, claim_id=claim.id)
    db.session.flush()


def send_back_claim(claim: ClientClaim, actor: User, reason: str | None) -> None:
    """The advisor does not agree (yet): the client reads the optional reason. Flushes."""
    _pending(claim)
    case = db.session.get(Case, claim.case_id)
    claim.status = ClaimStatus.SENT_BACK
    claim.decided_at = utcnow()
    claim.decided_by_id = actor.id
    claim.reason = (reason or "").strip()[:REASON_MAX] or None
    record(
        case, actor, ActivityKind.CLIENT_CLAIM_SENT_BACK, item_id=claim.item_id, claim_id=claim.id
    )
    db.session.flush()


# --- Questions ------------------------------------------------------------------------


def ask_question(case: Case, body: str) -> ClientMessage:
    """A client's question: a message on the case and an email to the advisor that does
    not contain the question (just that a client wrote on the case). Flushes."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write your question."))
    if len(body) > QUESTION_MAX:
        raise DomainError(_("Your question is too long."))
    message = ClientMessage(case_id=case.id, body=body)
    db.session.add(message)
    db.session.flush()
    record(case, None, ActivityKind.CLIENT_MESSAGE, message_id=message.id)
    audit(
        "portal.question",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"message_id": message.id},
    )
    advisor = db.session.get(User, case.advisor_id) if case.advisor_id else None
    if advisor is not None and advisor.is_active:
        mail.queue_to_staff(
            advisor,
            QUESTION_EMAIL_KIND,
            "portal_question",
            lambda: _("A client wrote on case %(reference)s", reference=case.reference),
            {"case": case, "path": f"/cases/{case.id}#client-page"},
        )
    return message


# --- Staff side: what the case page and My work show ----------------------------------


@dataclass
class LinkState:
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_opened_at: datetime | None

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now


@dataclass
class ClientUpdate:
    """A pending claim or a client's message, as the staff pages list them."""

    kind: str  # "claim" or "message"
    id: int
    case_id: int
    created_at: datetime
    body: str | None = None
    titles: dict[str, str | None] = field(default_factory=dict)
    reference: str | None = None
    household_name: str | None = None

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get("en") or ""


@dataclass
class CasePortal:
    """The case page's "Client page" panel: the latest link, pending claims, messages."""

    link: LinkState | None  # the live link
    last_link: LinkState | None  # the latest link, live or not
    pending_claims: list[ClientUpdate]
    messages: list[ClientUpdate]


def _none(type_):
    return cast(null(), type_)


def _kind(name: str):
    return literal_column(f"'{name}'", String)


MESSAGES_SHOWN = 20
CLAIMS_SHOWN = 50


def case_portal(case_id: int) -> CasePortal:
    """One query (a UNION ALL of the latest link, the pending claims and the latest
    messages), whatever the case holds: the case page's query count stays fixed."""
    link = (
        select(
            _kind("link").label("kind"),
            PortalLink.id.label("id"),
            PortalLink.created_at.label("at"),
            PortalLink.expires_at.label("until"),
            PortalLink.revoked_at.label("revoked_at"),
            PortalLink.last_opened_at.label("opened_at"),
            _none(Text).label("body"),
            _none(String).label("title_en"),
            _none(String).label("title_nl"),
            _none(String).label("title_fr"),
        )
        .where(PortalLink.case_id == case_id)
        .order_by(PortalLink.id.desc())
        .limit(1)
        .subquery()
    )
    claims = (
        select(
            _kind("claim").label("kind"),
            ClientClaim.id.label("id"),
            ClientClaim.created_at.label("at"),
            _none(DateTime).label("until"),
            _none(DateTime).label("revoked_at"),
            _none(DateTime).label("opened_at"),
            _none(Text).label("body"),
            TemplateItem.title_en.label("title_en"),
            TemplateItem.title_nl.label("title_nl"),
            TemplateItem.title_fr.label("title_fr"),
        )
        .join(ChecklistItem, ChecklistItem.id == ClientClaim.item_id)
        .join(TemplateItem, TemplateItem.id == ChecklistItem.template_item_id)
        .where(ClientClaim.case_id == case_id, ClientClaim.status == ClaimStatus.PENDING)
        .order_by(ClientClaim.id)
        .limit(CLAIMS_SHOWN)
        .subquery()
    )
    messages = (
        select(
            _kind("message").label("kind"),
            ClientMessage.id.label("id"),
            ClientMessage.created_at.label("at"),
            _none(DateTime).label("until"),
            _none(DateTime).label("revoked_at"),
            _none(DateTime).label("opened_at"),
            ClientMessage.body.label("body"),
            _none(String).label("title_en"),
            _none(String).label("title_nl"),
            _none(String).label("title_fr"),
        )
        .where(ClientMessage.case_id == case_id)
        .order_by(ClientMessage.id.desc())
        .limit(MESSAGES_SHOWN)
        .subquery()
    )
    rows = db.session.execute(union_all(select(link), select(claims), select(messages))).all()
    last_link, pending, said = None, [], []
    for row in rows:
        if row.kind == "link":
            last_link = LinkState(row.at, row.until, row.revoked_at, row.opened_at)
        elif row.kind == "claim":
            titles = {"en": row.title_en, "nl": row.title_nl, "fr": row.title_fr}
            pending.append(ClientUpdate("claim", row.id, case_id, row.at, titles=titles))
        else:
            said.append(ClientUpdate("message", row.id, case_id, row.at, body=row.body))
    pending.sort(key=lambda update: update.id)
    said.sort(key=lambda update: update.id, reverse=True)
    live = last_link if last_link is not None and last_link.is_live(utcnow()) else None
    return CasePortal(live, last_link, pending, said)


def client_updates(cases_clause, message_days: int, limit: int) -> list[ClientUpdate]:
    """My work's "Client updates": pending claims and recent questions on the cases that
    ``cases_clause`` selects, newest first. One query (a UNION ALL)."""
    claims = (
        select(
            _kind("claim").label("kind"),
            ClientClaim.id.label("id"),
            ClientClaim.case_id.label("case_id"),
            Case.reference.label("reference"),
            Case.household_name.label("household_name"),
            ClientClaim.created_at.label("at"),
            TemplateItem.title_en.label("title_en"),
            TemplateItem.title_nl.label("title_nl"),
            TemplateItem.title_fr.label("title_fr"),
        )
        .join(Case, Case.id == ClientClaim.case_id)
        .join(ChecklistItem, ChecklistItem.id == ClientClaim.item_id)
        .join(TemplateItem, TemplateItem.id == ChecklistItem.template_item_id)
        .where(cases_clause, ClientClaim.status == ClaimStatus.PENDING)
        .order_by(ClientClaim.id.desc())
        .limit(limit)
        .subquery()
    )
    messages = (
        select(
            _kind("message").label("kind"),
            ClientMessage.id.label("id"),
            ClientMessage.case_id.label("case_id"),
            Case.reference.label("reference"),
            Case.household_name.label("household_name"),
            ClientMessage.created_at.label("at"),
            _none(String).label("title_en"),
            _none(String).label("title_nl"),
            _none(String).label("title_fr"),
        )
        .join(Case, Case.id == ClientMessage.case_id)
        .where(cases_clause, ClientMessage.created_at >= utcnow() - timedelta(days=message_days))
        .order_by(ClientMessage.id.desc())
        .limit(limit)
        .subquery()
    )
    rows = db.session.execute(union_all(select(claims), select(messages))).all()
    updates = [
        ClientUpdate(
            row.kind,
            row.id,
            row.case_id,
            row.at,
            titles={"en": row.title_en, "nl": row.title_nl, "fr": row.title_fr},
            reference=row.reference,
            household_name=row.household_name,
        )
        for row in rows
    ]
    updates.sort(key=lambda update: update.created_at, reverse=True)
    return updates

"""The partner directory and referrals. None of these commit (routes use unit_of_work).

A referral with the client's consent queues an introduction email to the partner, in
the partner's language, with only the details the advisor chose; without consent the
client gets the partner's details instead (in the client's language), when the case has
an email address.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from caseflow.auth.models import User
from caseflow.cases.models import ActivityKind, Case, ClientLanguage, Person
from caseflow.cases.services import check_version
from caseflow.cases.timeline import record
from caseflow.core.errors import ConflictError, DomainError
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.mail import services as mail
from caseflow.mail.client import case_addresses
from caseflow.partners.emails import introduction_email, partner_details_email
from caseflow.partners.labels import LANGUAGES
from caseflow.partners.models import (
    OPEN_STATES,
    SHAREABLE_DETAILS,
    Partner,
    PartnerType,
    Referral,
    ReferralState,
)

INTRODUCTION_KIND = "referral_introduction"
CLIENT_KIND = "referral_partner_details"


# --- the directory ----------------------------------------------------------------------


def _apply(partner: Partner, data: dict) -> None:
    languages = sorted({code for code in data.get("languages") or [] if code in LANGUAGES})
    partner.name = data["name"]
    partner.type = PartnerType(data["type"])
    partner.contact_person = data.get("contact_person")
    partner.email = data.get("email")
    partner.phone = data.get("phone")
    partner.website = data.get("website")
    partner.languages = ",".join(languages)
    partner.municipalities = data.get("municipalities")
    partner.topics = data.get("topics")
    partner.notes = data.get("notes")
    partner.email_language = ClientLanguage(data["email_language"])
    partner.is_active = bool(data.get("is_active", True))


def create_partner(centre_id: int, data: dict) -> Partner:
    """A new partner of the centre. Flushes."""
    partner = Partner(centre_id=centre_id)
    _apply(partner, data)
    db.session.add(partner)
    db.session.flush()
    return partner


def update_partner(partner: Partner, data: dict) -> None:
    _apply(partner, data)
    db.session.flush()


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class PartnerSearch:
    q: str = ""
    type: str = ""
    municipality: str = ""
    language: str = ""
    inactive: bool = False  # include inactive partners


def partner_query(centre_id: int, search: PartnerSearch) -> Select:
    """The centre's partners matching ``search``, by name."""
    query = select(Partner).where(Partner.centre_id == centre_id)
    if not search.inactive:
        query = query.where(Partner.is_active.is_(True))
    if search.q:
        pattern = _like(search.q)
        query = query.where(
            or_(
                func.lower(Partner.name).like(pattern, escape="\\"),
                func.lower(func.coalesce(Partner.topics, "")).like(pattern, escape="\\"),
            )
        )
    if search.type in PartnerType.__members__.values():
        query = query.where(Partner.type == PartnerType(search.type))
    if search.municipality:
        query = query.where(
            func.lower(func.coalesce(Partner.municipalities, "")).like(
                _like(search.municipality), escape="\\"
            )
        )
    if search.language in LANGUAGES:
        query = query.where(("," + Partner.languages + ",").like(f"%,{search.language},%"))
    return query.order_by(func.lower(Partner.name), Partner.id)


def partners_by_type(centre_id: int) -> dict[str, list[Partner]]:
    """The centre's active partners by type value (one query): what a checklist step
    that recommends a type of partner lists (a Jinja global, see routes.py)."""
    found: dict[str, list[Partner]] = {}
    for partner in active_partners(centre_id):
        found.setdefault(partner.type.value, []).append(partner)
    for partners in found.values():
        partners.sort(key=lambda p: p.name.lower())
    return found


def active_partners(centre_id: int, limit: int | None = None) -> list[Partner]:
    """The centre's active partners, by type and name (the referral form's choices)."""
    query = (
        select(Partner)
        .where(Partner.centre_id == centre_id, Partner.is_active.is_(True))
        .order_by(Partner.type, func.lower(Partner.name), Partner.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


# --- referrals --------------------------------------------------------------------------

# The case panel shows this many referrals (newest first) and "n more".
CASE_PANEL_LIMIT = 50
# The refer form offers at most this many active partners (grouped by type).
REFER_CHOICES_LIMIT = 300
# A second open referral of a case to the same partner this soon is a double post.
DUPLICATE_WINDOW = timedelta(minutes=10)


class DuplicateReferralError(ConflictError):
    """The same case was just referred to the same partner (the form posted twice): 409."""


def _recent_open_referral(case: Case, partner: Partner, persons: list[Person]) -> bool:
    """A double post: an open referral of the same persons of the case to the same
    partner, made moments ago (another referral of other persons is a new one)."""
    recent = db.session.scalars(
        select(Referral.person_ids).where(
            Referral.case_id == case.id,
            Referral.partner_id == partner.id,
            Referral.state.in_(OPEN_STATES),
            Referral.created_at >= utcnow() - DUPLICATE_WINDOW,
        )
    ).all()
    wanted = {p.id for p in persons}
    return any(set(ids or []) == wanted for ids in recent)


def _partner_for(case: Case, partner_id: int) -> Partner:
    partner = db.session.get(Partner, partner_id)
    if partner is None or partner.centre_id != case.centre_id:
        raise DomainError(_("Choose a partner of the centre's network."))
    if not partner.is_active:
        raise DomainError(_("This partner is no longer active: choose another one."))
    return partner


def _persons_for(case: Case, person_ids: list[int]) -> list[Person]:
    wanted = set(person_ids)
    if not wanted:
        raise DomainError(_("Choose at least one person."))
    persons = list(
        db.session.scalars(
            select(Person)
            .where(Person.case_id == case.id, Person.id.in_(wanted))
            .order_by(Person.position)
        )
    )
    if len(persons) != len(wanted) or any(p.is_erased for p in persons):
        raise DomainError(_("Choose persons of this case."))
    return persons


def shared_values(case: Case, persons: list[Person], details: list[str]) -> dict[str, list[str]]:
    """Only the chosen details of the chosen persons (the case's contact address and phone
    when a person has none)."""
    values: dict[str, list[str]] = {}

    def add(key: str, value: str | None) -> None:
        if value and value not in values.setdefault(key, []):
            values[key].append(value)

    for person in persons:
        if "name" in details:
            add("name", person.full_name)
        if "email" in details:
            add("email", person.email or case.contact_email)
        if "phone" in details:
            add("phone", person.phone or case.contact_phone)
    if "municipality" in details:
        add("municipality", case.municipality)
    return {key: found for key, found in values.items() if found}


@dataclass
class ReferralResult:
    referral: Referral
    emailed_to: str | None  # "partner", "client" or None (the case has no email address)


def create_referral(
    case: Case,
    actor: User,
    *,
    partner_id: int,
    person_ids: list[int],
    reason: str,
    consent: bool,
    details: list[str],
    follow_up_on: date | None = None,
    email_client: bool = True,
) -> ReferralResult:
    """Refer persons of ``case`` to a partner of its centre, queue the email that goes
    with it, record it on the timeline. Flushes.

    Without consent the client is emailed the partner's details only if
    ``email_client`` (the advisor may hand them over in person instead). A second open
    referral of the case to the same partner within ``DUPLICATE_WINDOW`` (a form posted
    twice) is refused."""
    if case.is_closed or case.erased_at is not None:
        raise DomainError(_("A closed case cannot be referred. Reopen it first."))
    partner = _partner_for(case, partner_id)
    persons = _persons_for(case, person_ids)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the referral."))
    chosen = set(details or [])
    if not chosen <= set(SHAREABLE_DETAILS):
        raise DomainError(_("Choose the details to share from the list."))
    details = [key for key in SHAREABLE_DETAILS if key in chosen]
    if consent and not details:
        raise DomainError(_("Choose the details the client agreed to share."))
    if not consent and details:
        raise DomainError(_("Without the client's consent nothing is shared."))
    if consent and not partner.email:
        raise DomainError(_("This partner has no email address: add one to the partner first."))
    if _recent_open_referral(case, partner, persons):
        raise DuplicateReferralError(
            _(
                "This case was referred to %(partner)s a moment ago: that referral is "
                "already saved.",
                partner=partner.name,
            )
        )
    referral = Referral(
        case_id=case.id,
        partner_id=partner.id,
        partner_type=partner.type,
        person_ids=[p.id for p in persons],
        reason=reason,
        consent=consent,
        shared_details=details,
        state=ReferralState.SENT,
        follow_up_on=follow_up_on,
        created_by_id=actor.id,
    )
    db.session.add(referral)
    db.session.flush()
    emailed_to = None
    if consent:
        shared = shared_values(case, persons, details)
        rendered = introduction_email(case, partner, actor, shared)
        message = mail.queue_email(
            centre_id=case.centre_id,
            case_id=case.id,
            kind=INTRODUCTION_KIND,
            recipients=[partner.email],
            subject=rendered["subject"],
            text_body=rendered["text"],
            created_by_id=actor.id,
            reply_to=actor.email,
        )
        referral.outbox_message_id = message.id
        emailed_to = "partner"
    elif email_client:
        addresses = case_addresses(case)
        if addresses:
            rendered = partner_details_email(case, partner, actor)
            message = mail.queue_email(
                centre_id=case.centre_id,
                case_id=case.id,
                kind=CLIENT_KIND,
                recipients=[addresses[0][0]],
                subject=rendered["subject"],
                text_body=rendered["text"],
                created_by_id=actor.id,
                reply_to=actor.email,
            )
            referral.outbox_message_id = message.id
            emailed_to = "client"
    record(
        case,
        actor,
        ActivityKind.REFERRAL_CREATED,
        partner=partner.name,
        partner_type=partner.type.value,
        consent=consent,
    )
    return ReferralResult(referral, emailed_to)


def change_referral_state(
    referral: Referral,
    actor: User,
    state: ReferralState,
    follow_up_on: date | None,
    expected_version: int | None = None,
) -> None:
    """Set a referral's state (and follow-up date), recorded on the timeline. Flushes."""
    check_version(referral.version, expected_version)
    case = referral.case
    if case.erased_at is not None:
        raise DomainError(_("This case is erased."))
    previous = referral.state
    if previous == state and referral.follow_up_on == follow_up_on:
        return
    referral.state = state
    referral.follow_up_on = follow_up_on if state in OPEN_STATES else None
    referral.state_changed_at = utcnow()
    partner = db.session.get(Partner, referral.partner_id)
    record(
        case,
        actor,
        ActivityKind.REFERRAL_STATE,
        partner=partner.name,
        **{"from": previous.value, "to": state.value},
    )
    db.session.flush()


def case_referrals(case_id: int, limit: int = CASE_PANEL_LIMIT) -> tuple[list[Referral], int]:
    """A case's newest ``limit`` referrals with their partner and author, and how many
    the case has in all (one query: the total is a window count)."""
    rows = db.session.execute(
        select(Referral, func.count().over().label("total"))
        .where(Referral.case_id == case_id)
        .options(joinedload(Referral.partner), joinedload(Referral.created_by))
        .order_by(Referral.id.desc())
        .limit(limit)
    ).all()
    return [row[0] for row in rows], (rows[0][1] if rows else 0)


def open_referrals_due(where, day: date, limit: int = 50) -> list[Referral]:
    """Open referrals of the cases matching ``where`` whose follow-up date has come or
    that have no date (they need a look too; listed first). My work passes "my open
    cases I may see". One query."""
    return list(
        db.session.scalars(
            select(Referral)
            .join(Case, Case.id == Referral.case_id)
            .where(
                where,
                Referral.state.in_(OPEN_STATES),
                or_(Referral.follow_up_on <= day, Referral.follow_up_on.is_(None)),
            )
            .options(contains_eager(Referral.case), joinedload(Referral.partner))
            .order_by(Referral.follow_up_on.is_not(None), Referral.follow_up_on, Referral.id)
            .limit(limit)
        )
    )

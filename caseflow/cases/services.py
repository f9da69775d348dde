"""Case services: opening, editing, status, assignment and the timeline. None commit."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from caseflow.auth.models import User
from caseflow.cases.models import (
    ActivityKind,
    Case,
    CaseCounter,
    CaseStatus,
    CaseType,
    ClientLanguage,
    ClosingReason,
    HouseholdRole,
    LegalBasis,
    Person,
    ReferralChannel,
)
from caseflow.cases.timeline import record
from caseflow.centres.models import Centre, PrivacyNoticeVersion
from caseflow.centres.notices import current_notice
from caseflow.checklists import services as checklists
from caseflow.core.database import name_taken
from caseflow.core.errors import ConflictError, DomainError
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.reviews.models import ReviewKind, ReviewRequest, ReviewStatus

DEFAULT_CASE_TYPES = [
    ("Knowledge worker (non-EU)", "Kenniswerker (niet-EU)"),
    ("EU citizen", "EU-burger"),
    ("Family reunification", "Gezinshereniging"),
    ("Researcher", "Onderzoeker"),
    ("Posted worker", "Gedetacheerde werknemer"),
    ("Other", "Andere"),
]

# Case fields an edit form may change, in the order the timeline lists them.
EDITABLE_FIELDS = (
    "household_name",
    "case_type_id",
    "arrival_date",
    "municipality",
    "employer",
    "sector",
    "referral_channel",
    "contact_email",
    "contact_phone",
    "client_language",
    "salutation",
)


@dataclass
class PersonData:
    first_name: str
    last_name: str
    household_role: HouseholdRole
    nationality: str
    date_of_birth: date | None = None
    second_nationality: str | None = None
    email: str | None = None
    phone: str | None = None
    national_number_obtained: bool = False
    id: int | None = None  # set for an existing person when editing


@dataclass
class CaseData:
    household_name: str
    case_type_id: int
    client_language: ClientLanguage = ClientLanguage.EN
    arrival_date: date | None = None
    municipality: str | None = None
    employer: str | None = None
    sector: str | None = None
    referral_channel: ReferralChannel | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    persons: list[PersonData] = field(default_factory=list)
    salutation: str | None = None  # None: the default (caseflow/cases/salutation.py)
    # Intake only (not editable afterwards): the legal basis, and the number of the
    # centre's privacy notice version the client agreed to (None: the current one).
    legal_basis: LegalBasis | None = None
    privacy_notice_number: int | None = None
    # A request made online (caseflow/webintake): the topics ticked (HelpTopic values)
    # and the client's question. Not editable afterwards.
    help_topics: list[str] | None = None
    client_question: str | None = None


def ensure_default_case_types(centre: Centre) -> None:
    """Give a new centre the standard list of case types. Flushes."""
    if db.session.scalar(select(CaseType.id).where(CaseType.centre_id == centre.id).limit(1)):
        return
    for position, (name_en, name_nl) in enumerate(DEFAULT_CASE_TYPES):
        db.session.add(
            CaseType(centre_id=centre.id, name_en=name_en, name_nl=name_nl, position=position)
        )
    db.session.flush()


def save_case_type(
    centre_id: int,
    case_type: CaseType | None,
    *,
    name_en: str,
    name_nl: str,
    position: int,
    is_active: bool,
) -> CaseType:
    """Create (``case_type`` None) or change a case type; names are unique per centre
    whatever their case. Flushes."""
    names = {"name_en": name_en, "name_nl": name_nl}
    if name_taken(CaseType, centre_id, names, case_type.id if case_type is not None else None):
        raise DomainError(_("A case type with this name already exists."))
    if case_type is None:
        case_type = CaseType(centre_id=centre_id)
        db.session.add(case_type)
    case_type.name_en, case_type.name_nl = name_en, name_nl
    case_type.position, case_type.is_active = position, is_active
    db.session.flush()
    return case_type


def _check_case_type(centre_id: int, case_type_id: int) -> None:
    case_type = db.session.get(CaseType, case_type_id)
    if case_type is None or case_type.centre_id != centre_id:
        raise DomainError(_("Choose a case type from the list."))


def assignable_advisor(centre_id: int, user_id: int | None) -> User | None:
    """The active staff member ``user_id`` of the centre, or DomainError."""
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.centre_id != centre_id or not user.is_active_account:
        raise DomainError(_("Choose an advisor from the list."))
    return user


def next_reference(centre: Centre, on: date) -> str:
    """Hand out the next reference of the year, e.g. LIM-2026-0042. Flushes.

    The counter row is locked (FOR UPDATE on PostgreSQL; SQLite writes are serialised
    by BEGIN IMMEDIATE), so two concurrent intakes never get the same number.
    """
    counter = db.session.get(CaseCounter, (centre.id, on.year), with_for_update=True)
    if counter is None:
        counter = CaseCounter(centre_id=centre.id, year=on.year, last_number=0)
        db.session.add(counter)
    counter.last_number += 1
    db.session.flush()
    return f"{centre.code}-{on.year}-{counter.last_number:04d}"


PERSON_FIELDS = (
    "first_name",
    "last_name",
    "household_role",
    "nationality",
    "date_of_birth",
    "second_nationality",
    "email",
    "phone",
    "national_number_obtained",
)


def _apply_person(person: Person, position: int, data: PersonData) -> bool:
    """Copy ``data`` onto ``person``; True when anything changed."""
    changed = person.position != position
    person.position = position
    for name in PERSON_FIELDS:
        value = getattr(data, name)
        changed = changed or getattr(person, name) != value
        setattr(person, name, value)
    return changed


def open_case(
    centre: Centre,
    actor: User | None,
    data: CaseData,
    advisor_id: int | None,
    *,
    source: str | None = None,
) -> Case:
    """Create a case with its persons; consent is recorded as given today by ``actor``.

    ``actor`` None: the client made the request themselves (the online form), so the
    consent is theirs, recorded by no one; ``source`` ("website") says so on the
    timeline. An assigned case starts ``open``, an unassigned one waits in the intake
    queue. Records a 'created' activity. Flushes, does not commit.
    """
    if not data.persons:
        raise DomainError(_("Add at least one person to the household."))
    _check_case_type(centre.id, data.case_type_id)
    advisor = assignable_advisor(centre.id, advisor_id)
    notice = _agreed_notice(centre.id, data) if data.legal_basis else None
    case = Case(
        centre_id=centre.id,
        reference=next_reference(centre, today()),
        advisor_id=advisor.id if advisor else None,
        status=CaseStatus.OPEN if advisor else CaseStatus.INTAKE,
        legal_basis=data.legal_basis,
        privacy_notice_version_id=notice.id if notice else None,
        consent_on=today(),
        consent_recorded_by_id=actor.id if actor else None,
        help_topics=list(data.help_topics) if data.help_topics else None,
        client_question=data.client_question,
        **{name: getattr(data, name) for name in EDITABLE_FIELDS},
    )
    if advisor:  # an assigned case starts outside intake
        check_can_leave_intake(case)
    db.session.add(case)
    db.session.flush()
    for position, person_data in enumerate(data.persons):
        person = Person(case_id=case.id)
        _apply_person(person, position, person_data)
        db.session.add(person)
    db.session.flush()
    checklists.sync_checklist(case)
    # One timeline entry: the advisor the case starts with is part of "created" (an
    # "advisor changed" entry at creation read as if someone had moved the case).
    details = {"reference": case.reference}
    if source:
        details["source"] = source
    if advisor:
        details["advisor"] = advisor.full_name
    record(case, actor, ActivityKind.CREATED, **details)
    db.session.flush()
    return case


def _agreed_notice(centre_id: int, data: CaseData) -> PrivacyNoticeVersion:
    """The notice version the intake form showed (by number), else the current one."""
    if data.privacy_notice_number is None:
        notice = current_notice(centre_id)
    else:
        notice = db.session.scalar(
            select(PrivacyNoticeVersion).where(
                PrivacyNoticeVersion.centre_id == centre_id,
                PrivacyNoticeVersion.number == data.privacy_notice_number,
            )
        )
    if notice is None:
        raise DomainError(_("This privacy notice version does not exist. Reload the page."))
    return notice


def has_privacy_basis(case: Case) -> bool:
    """The legal basis and the notice version the client agreed to are recorded."""
    return case.legal_basis is not None and case.privacy_notice_version_id is not None


def check_can_leave_intake(case: Case) -> None:
    """Refuse to move a case out of intake before its privacy basis is recorded."""
    if not has_privacy_basis(case):
        raise DomainError(
            _(
                "This case cannot leave intake yet: record the legal basis and the privacy "
                "notice version the client agreed to."
            )
        )


class ClosingBlockedError(DomainError):
    """Required checklist items are still open; ``items`` names them."""

    def __init__(self, items):
        self.items = items
        super().__init__(
            ngettext(
                "This case cannot be closed yet: %(num)d required step is still open.",
                "This case cannot be closed yet: %(num)d required steps are still open.",
                len(items),
            )
        )


def _settle_closing_request(case: Case, lead: User, *, approved: bool) -> None:
    """A lead moved a case out of "closing requested" by hand: answer the request too,
    so it does not stay pending behind the new status."""
    pending = db.session.scalars(
        select(ReviewRequest).where(
            ReviewRequest.case_id == case.id,
            ReviewRequest.kind == ReviewKind.CLOSING,
            ReviewRequest.status == ReviewStatus.PENDING,
        )
    )
    for review in pending:
        review.status = ReviewStatus.APPROVED if approved else ReviewStatus.SENT_BACK
        review.reviewer_id = lead.id
        review.decided_at = utcnow()
        review.response = _("The status was changed by %(name)s.", name=lead.full_name)


def set_status(case: Case, status: CaseStatus) -> None:
    """Set the status and when it changed (no timeline entry: callers record why)."""
    if case.status != status:
        case.status = status
        case.status_changed_at = utcnow()


def check_version(record_version: int, expected_version: int | None) -> None:
    """Refuse a change made from a stale form (someone saved in between)."""
    if expected_version is not None and record_version != expected_version:
        raise ConflictError(
            _("Someone else changed this in the meantime. Your changes were not saved.")
        )


def update_case(case: Case, actor: User, data: CaseData, expected_version: int | None) -> None:
    """Apply an edit of the case fields and household; records what changed. Flushes."""
    check_version(case.version, expected_version)
    if case.is_closed:
        raise DomainError(_("A closed case cannot be edited. Reopen it first."))
    if not data.persons:
        raise DomainError(_("Add at least one person to the household."))
    _check_case_type(case.centre_id, data.case_type_id)
    changed = [name for name in EDITABLE_FIELDS if getattr(case, name) != getattr(data, name)]
    for name in changed:
        setattr(case, name, getattr(data, name))
    if data.legal_basis is not None and not has_privacy_basis(case):
        # Recorded once, like at intake; afterwards it is history, not an edit.
        notice = _agreed_notice(case.centre_id, data)
        case.legal_basis = data.legal_basis
        case.privacy_notice_version_id = notice.id
        case.consent_on = today()
        case.consent_recorded_by_id = actor.id
        changed.append("legal_basis")
    if changed:
        case.updated_at = utcnow()

    with db.session.no_autoflush:  # one UPDATE of the case, so one version step
        existing = {
            p.id: p for p in db.session.scalars(select(Person).where(Person.case_id == case.id))
        }
    kept = [p.id for p in data.persons if p.id is not None]
    kept_ids = set(kept)
    if len(kept) != len(kept_ids):
        raise DomainError(_("The same person appears twice. Reload the page."))
    if not kept_ids <= existing.keys():
        raise DomainError(_("This person does not belong to this case."))
    people_changed = False
    for person_id in existing.keys() - kept_ids:
        checklists.release_person(existing[person_id])
        db.session.delete(existing[person_id])
        people_changed = True
    for position, person_data in enumerate(data.persons):
        person = existing.get(person_data.id) if person_data.id else None
        if person is None:
            person = Person(case_id=case.id)
            db.session.add(person)
        people_changed = _apply_person(person, position, person_data) or people_changed
    if people_changed:
        if not changed:
            case.updated_at = utcnow()  # a new version even when only persons changed
        changed.append("persons")
    if changed:
        record(case, actor, ActivityKind.EDITED, fields=changed)
    db.session.flush()
    # Persons, birth dates, nationalities, case type or arrival may have changed.
    checklists.sync_checklist(case)


def change_status(
    case: Case,
    actor: User,
    status: CaseStatus,
    *,
    reason: ClosingReason | None = None,
    comment: str | None = None,
    expected_version: int | None = None,
    close_anyway_reason: str | None = None,
) -> None:
    """Move a case to ``status``. Flushes.

    Closing needs a reason, and is refused (ClosingBlockedError) while required
    checklist items are open, unless a team lead gives ``close_anyway_reason``, which is
    recorded. Reopening clears the closing reason.
    """
    check_version(case.version, expected_version)
    if status == case.status:
        return
    if case.status == CaseStatus.CLOSING_REQUESTED and not actor.is_lead:
        raise DomainError(_("Closing this case waits for a team lead's approval."))
    if status == CaseStatus.CLOSING_REQUESTED:
        raise DomainError(_("Ask for closing by closing the case."))
    if case.status == CaseStatus.INTAKE:
        check_can_leave_intake(case)
    if case.status == CaseStatus.CLOSING_REQUESTED:
        _settle_closing_request(case, actor, approved=status == CaseStatus.CLOSED)
    # The status says where the case is; who holds it is the advisor field.
    if status in (CaseStatus.OPEN, CaseStatus.WAITING_ON_CLIENT) and case.advisor_id is None:
        raise DomainError(_("Assign an advisor before opening the case."))
    if status == CaseStatus.INTAKE and case.advisor_id is not None:
        raise DomainError(
            _("A case with an advisor is not in intake. Put it back in the queue with “Assign”.")
        )
    if status == CaseStatus.CLOSED:
        if reason is None:
            raise DomainError(_("Choose a reason for closing the case."))
        blocking = checklists.open_required_items(case)
        if blocking and not (actor.is_lead and (close_anyway_reason or "").strip()):
            raise ClosingBlockedError(blocking)
        case.closing_reason = reason
        case.closing_comment = comment or None
        case.closed_at = utcnow()
    else:
        case.closing_reason = None
        case.closing_comment = None
        case.closed_at = None
    record(
        case,
        actor,
        ActivityKind.STATUS,
        **{"from": case.status.value, "to": status.value},
        reason=reason.value if reason else None,
        comment=comment or None,
        closed_anyway=(close_anyway_reason or "").strip() or None,
    )
    set_status(case, status)
    db.session.flush()


def assign_case(
    case: Case, actor: User, advisor_id: int | None, expected_version: int | None = None
) -> None:
    """Give the case to an advisor (None: back to the intake queue). Flushes.

    A case leaving the queue opens; a case put back in the queue waits in intake.
    """
    check_version(case.version, expected_version)
    advisor = assignable_advisor(case.centre_id, advisor_id)
    if case.advisor_id == advisor_id:
        return
    if case.is_closed:
        raise DomainError(_("A closed case cannot be reassigned. Reopen it first."))
    if advisor and case.status == CaseStatus.INTAKE:
        check_can_leave_intake(case)
    previous = db.session.get(User, case.advisor_id) if case.advisor_id else None
    case.advisor_id = advisor.id if advisor else None
    if advisor and case.status == CaseStatus.INTAKE:
        set_status(case, CaseStatus.OPEN)
    elif advisor is None:
        set_status(case, CaseStatus.INTAKE)
    record(
        case,
        actor,
        ActivityKind.ASSIGNED,
        **{"from": previous.full_name if previous else None},
        to=advisor.full_name if advisor else None,
    )
    db.session.flush()


def take_case(case: Case, actor: User, expected_version: int | None = None) -> None:
    """An advisor takes an unassigned case from the intake queue. Flushes."""
    if case.advisor_id is not None:
        raise DomainError(_("This case has already been taken."))
    assign_case(case, actor, actor.id, expected_version)

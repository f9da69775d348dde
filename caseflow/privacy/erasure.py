"""Erasure: a person's or a whole case's personal data removed, the anonymous facts kept.

``erase_case(case, *, reason, actor)`` and ``erase_person(person, *, reason, actor)``
flush and never commit. ``actor`` is None when retention erases a case.

Erasing an erased case (or an erased person) is **refused** with a ``DomainError``, as
is erasing a case on legal hold: callers that erase in bulk (retention) select
``Case.erased_at.is_(None)`` first (``not_erased_clause()``).

What goes (removed, or replaced by an empty value):
- persons: first and last name, email, phone; the date of birth is reduced to the
  month (see ``_birth_month``) and the age in years at arrival is kept;
- case: household name (replaced by the reference), salutation, employer, contact email and phone,
  closing comment, and an online request's topics and question;
- notes and their revisions (deleted); checklist step notes, "not applicable" reasons,
  expiry dates, the name of a person who left, and the values of every history event
  that is not a state change; follow-up titles and details (open ones are cancelled);
  review and closing comments and answers (a pending review is taken off the team
  lead's queue, as sent back; the case's status is left as it is);
- outbox emails of the case: subject, bodies, recipients, reply-to, last error and
  attachments (a queued one is marked failed and is never sent);
- free text in the case timeline (a whitelist of keys stays: status, enum values, field
  names, staff names);
- export jobs that hold the case: their stored ZIP (the only copy: exports are kept in
  the database, never on disk) and the case's id;
- attached files (caseflow/attachments): the rows at once, the files on disk when the
  erasure commits (a person's erasure: the files of their own steps).
- the client's page: its links (deleted), the client's questions (emptied) and the
  advisors' send-back reasons on the client's claims (a person's erasure: those on
  their steps);
- referrals to partners (caseflow/partners): the reason and the persons concerned
  (a person's erasure: the referrals that concern them, and their emails); the
  partner type and the outcome stay for the funder report;
- first-line contacts linked to the case (caseflow/contacts): their name and note
  (channel, topics, date and minutes stay for the funder report). A person's erasure
  leaves them: a contact's name is free text that matches no person reliably (erase it
  on the contact's page, "Erase name and note", or erase the case).

What stays is anonymous: nationality, municipality, sector, referral channel, case
type, client language, household size, roles, ages in years at arrival, the status and
closing reason, checklist outcomes and their timing. Dates are reduced to the first of
their month (Brussels time): arrival, consent, created/closed/status-changed, step
completions, due dates, timeline and history entries. So that the funder report counts
an erased case exactly as before:
- months keep every month, quarter and year period's counts (new, closed, served,
  adults/children: a birth date on the first of its month compares with "18 at the end
  of a month" as the day did, see ``_birth_month``);
- the days from arrival to each done step are kept in ``ChecklistItem.days_to_done``,
  which the report's medians read;
- a custom period that starts or ends mid-month may count an erased case in a
  neighbouring month: only its month is known any more.

The audit trail gets one ``privacy.erase`` event with ids only (scope, person id, user
or retention): the reason is typed by staff and may name the person, so it never goes
to the audit trail (append-only, and exported to others). A case's reason is kept on
the case (``erasure_reason``, with ``erased_at`` and ``erased_by_id``; the page shows
"erased on ... (reason)"); a person's on the case timeline (a ``person_erased``
entry), which a later erasure of the case removes.

The full-text index (caseflow/cases/search.py) follows by its triggers; on SQLite the
erasure then merges the FTS5 index, which drops the erased words (see
``search.purge_deleted_terms``).

On disk: SQLite runs with ``secure_delete`` (caseflow/core/database.py), so what is
deleted or overwritten is zeroed in the page; the previous versions of the pages stay
in the WAL until a checkpoint, so the routes and the CLI call ``checkpoint_wal()`` after
their commit. On PostgreSQL the old row versions stay in the table files until
(auto)vacuum reuses them. Backups made before the erasure still hold the data until
they expire (backup retention).
"""

from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, select, update

from caseflow.attachments import services as attachments
from caseflow.auth.models import User
from caseflow.cases import search, timeline
from caseflow.cases.models import Activity, ActivityKind, Case, Person
from caseflow.checklists.models import ChecklistEvent, ChecklistItem, EventKind
from caseflow.contacts import services as contacts
from caseflow.core.audit import record
from caseflow.core.errors import DomainError
from caseflow.core.time import BRUSSELS, utcnow
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.events.models import EventInvitation, InvitationConsent
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.mail.models import OutboxAttachment, OutboxMessage, OutboxStatus
from caseflow.notes.models import Note
from caseflow.partners.models import Referral
from caseflow.portal.models import ClientClaim, ClientMessage, PortalLink
from caseflow.reviews.models import ReviewRequest, ReviewStatus

REASON_MAX = 500

# Timeline details that are never free text about the client: enum values, field
# names, ids, staff names. Everything else (comments, titles, recipients) goes.
ACTIVITY_KEYS_KEPT = frozenset(
    {"from", "to", "reason", "request", "fields", "document", "note_id", "person_id", "assignee"}
)


def can_erase_case(user: User, case: Case) -> bool:
    """Team leads and admins of the case's centre, while the case is not erased yet."""
    return (
        user.is_authenticated
        and user.centre_id == case.centre_id
        and user.is_lead
        and case.erased_at is None
    )


def not_erased_clause() -> ColumnElement[bool]:
    return Case.erased_at.is_(None)


def on_legal_hold(case: Case) -> bool:
    return case.on_legal_hold


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the erasure."))
    if len(reason) > REASON_MAX:
        raise DomainError(_("The reason is too long."))
    return reason


def _check_case(case: Case) -> None:
    if case.erased_at is not None:
        raise DomainError(_("This case has already been erased."))
    if on_legal_hold(case):
        raise DomainError(_("This case is on legal hold: it cannot be erased."))


# --- dates reduced to the month -------------------------------------------------------


def month_of(day: date | None) -> date | None:
    return day.replace(day=1) if day is not None else None


def month_at(moment: datetime | None) -> datetime | None:
    """A naive UTC timestamp moved to the start of its month in Brussels (naive UTC):
    the start of every month, quarter and year period is such a moment."""
    if moment is None:
        return None
    local = moment.replace(tzinfo=UTC).astimezone(BRUSSELS)
    first = datetime.combine(local.date().replace(day=1), time.min, tzinfo=BRUSSELS)
    return first.astimezone(UTC).replace(tzinfo=None)


def _birth_month(born: date | None) -> date | None:
    """The first of the birth month; 29 February becomes 1 March.

    The report counts adults as born on or before "the period's end minus 18 years",
    which is the last day of a month, except 28 February of a leap year (a February
    period ending on the 28th): someone born on the 29th is not 18 yet then, and
    1 March keeps that answer for every such limit.
    """
    if born is None:
        return None
    if born.month == 2 and born.day == 29:
        return date(born.year, 3, 1)
    return born.replace(day=1)


# --- the pieces ------------------------------------------------------------------------


def _erase_person_fields(person: Person, arrival: date | None, now: datetime) -> None:
    person.age_at_arrival = person.age_on(arrival) if arrival is not None else None
    person.first_name = ""
    person.last_name = ""
    person.email = None
    person.phone = None
    person.date_of_birth = _birth_month(person.date_of_birth)
    person.erased_at = now


def _erase_items(items: list[ChecklistItem], *, reduce_dates: bool, arrival: date | None):
    for item in items:
        item.note = None
        item.not_applicable_reason = None
        item.former_person_name = None
        item.expiry_date = None
        if reduce_dates:
            if item.completed_at is not None and arrival is not None:
                # What the funder report computes: UTC date of completion minus arrival.
                item.days_to_done = (item.completed_at.date() - arrival).days
            item.completed_at = month_at(item.completed_at)
            item.created_at = month_at(item.created_at)
            item.computed_due_date = month_of(item.computed_due_date)
            item.due_date_override = month_of(item.due_date_override)
    item_ids = [item.id for item in items]
    if not item_ids:
        return
    for event in db.session.scalars(
        select(ChecklistEvent).where(ChecklistEvent.item_id.in_(item_ids))
    ):
        if event.kind != EventKind.STATE:  # notes, due and expiry dates
            event.from_value = None
            event.to_value = None
        if reduce_dates:
            event.created_at = month_at(event.created_at)


def _blank_message(message: OutboxMessage, now: datetime) -> None:
    message.subject = ""
    message.text_body = ""
    message.html_body = None
    message.headers = None  # List-Unsubscribe holds the invitation's personal link
    message.recipients = []
    message.reply_to = None
    message.last_error = None
    message.body_pruned_at = now
    if message.status != OutboxStatus.SENT:
        message.status = OutboxStatus.FAILED  # never sent any more
    db.session.execute(delete(OutboxAttachment).where(OutboxAttachment.message_id == message.id))


def _clean_details(details: dict | None) -> dict:
    return {k: v for k, v in (details or {}).items() if k in ACTIVITY_KEYS_KEPT}


def _erase_export_jobs(case: Case) -> None:
    """Jobs are few (one per bulk export); the case ids are a JSON list, so filter here."""
    for job in db.session.scalars(select(ExportJob).where(ExportJob.centre_id == case.centre_id)):
        if case.id not in (job.case_ids or []):
            continue
        job.case_ids = [i for i in job.case_ids if i != case.id]
        job.result = None
        job.error = None
        if job.status == ExportStatus.DONE:
            job.status = ExportStatus.EXPIRED
        elif job.in_progress:
            job.status = ExportStatus.FAILED


# --- the API ---------------------------------------------------------------------------


def _erase_portal(case: Case, now: datetime) -> None:
    """The client's page: its links go (the page no longer opens), the client's
    questions are emptied, the advisors' send-back reasons go; the claims' outcomes
    stay (when a step was reported done), at month precision."""
    db.session.execute(delete(PortalLink).where(PortalLink.case_id == case.id))
    for message in db.session.scalars(
        select(ClientMessage).where(ClientMessage.case_id == case.id)
    ):
        message.body = ""
        message.created_at = month_at(message.created_at)
    for claim in db.session.scalars(select(ClientClaim).where(ClientClaim.case_id == case.id)):
        claim.reason = None
        claim.created_at = month_at(claim.created_at)
        claim.decided_at = month_at(claim.decided_at)


def _erase_referrals(case: Case, now: datetime, person_id: int | None = None) -> None:
    """Referrals keep their partner, type and outcome (the funder report counts them);
    the reason and the persons concerned go. A person's erasure: the referrals that
    concern them."""
    for referral in db.session.scalars(select(Referral).where(Referral.case_id == case.id)):
        persons = list(referral.person_ids or [])
        if person_id is not None and person_id not in persons:
            continue
        referral.reason = ""
        referral.person_ids = [] if person_id is None else [p for p in persons if p != person_id]
        referral.erased_at = now
        if person_id is None:
            referral.created_at = month_at(referral.created_at)
            referral.state_changed_at = month_at(referral.state_changed_at)
            referral.follow_up_on = month_of(referral.follow_up_on)


def _blank_introductions(case: Case, person: Person, now: datetime) -> None:
    """The emails of the referrals that concern the person (an introduction to a partner
    names them, with the details they agreed to share)."""
    for referral in db.session.scalars(select(Referral).where(Referral.case_id == case.id)):
        if person.id in (referral.person_ids or []) and referral.outbox_message_id:
            message = db.session.get(OutboxMessage, referral.outbox_message_id)
            if message is not None:
                _blank_message(message, now)


def erase_case(
    case: Case, *, reason: str, actor: User | None = None, via: str = "retention"
) -> None:
    """Erase a whole case (see the module docstring for what goes and what stays).

    ``via`` names who erased when there is no ``actor``: "retention" or "cli" (audited).

    Refused (``DomainError``) when already erased or on legal hold, or without a reason.
    Records ``privacy.erase`` (ids only) in the caller's transaction. Flushes, never
    commits; on SQLite the caller checkpoints the WAL after its commit
    (``caseflow.core.database.checkpoint_wal``).
    """
    reason = _check_reason(reason)
    _check_case(case)
    now = utcnow()
    arrival = case.arrival_date  # the real day: ages and step timings are taken from it
    persons = list(db.session.scalars(select(Person).where(Person.case_id == case.id)))
    for person in persons:
        if person.erased_at is None:
            _erase_person_fields(person, arrival, now)

    items = list(db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id)))
    _erase_items(items, reduce_dates=True, arrival=arrival)

    # Notes and their revisions go (the revisions by their foreign key's cascade).
    for note in db.session.scalars(select(Note).where(Note.case_id == case.id)):
        db.session.delete(note)

    for followup in db.session.scalars(select(FollowUp).where(FollowUp.case_id == case.id)):
        followup.title = ""
        followup.details = None
        if followup.status == FollowUpStatus.OPEN:
            followup.status = FollowUpStatus.CANCELLED
            followup.completed_by_id = actor.id if actor else None
            followup.completed_at = now
        followup.due_date = month_of(followup.due_date)
        followup.created_at = month_at(followup.created_at)
        followup.completed_at = month_at(followup.completed_at)

    for review in db.session.scalars(select(ReviewRequest).where(ReviewRequest.case_id == case.id)):
        review.comment = None
        review.response = None
        if review.status == ReviewStatus.PENDING:
            # Off the team lead's queue: nothing is left to review (the case's status,
            # which the funder report counts, is left as it is).
            review.status = ReviewStatus.SENT_BACK
            review.reviewer_id = actor.id if actor else None
            review.decided_at = now
        review.created_at = month_at(review.created_at)
        review.decided_at = month_at(review.decided_at)

    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.case_id == case.id)
    ):
        _blank_message(message, now)
        message.created_at = month_at(message.created_at)
        message.sent_at = month_at(message.sent_at)
        message.next_attempt_at = month_at(message.next_attempt_at)
        message.claimed_at = None

    for activity in db.session.scalars(select(Activity).where(Activity.case_id == case.id)):
        activity.details = _clean_details(activity.details)
        activity.created_at = month_at(activity.created_at)

    _erase_export_jobs(case)
    # Attached files: rows now, the files themselves once the erasure is committed.
    attachments.delete_case_files(case.id)
    _erase_portal(case, now)
    # The consent to event invitations goes: an erased household is never invited.
    db.session.execute(delete(InvitationConsent).where(InvitationConsent.case_id == case.id))
    # Event invitations stay anonymous (the funder report counts them): the personal
    # link stops working, the dates keep their month.
    for invitation in db.session.scalars(
        select(EventInvitation).where(EventInvitation.case_id == case.id)
    ):
        invitation.token_hash = None
        invitation.invited_at = month_at(invitation.invited_at)
        invitation.responded_at = month_at(invitation.responded_at)
        invitation.attended_at = month_at(invitation.attended_at)
    _erase_referrals(case, now)
    # First-line contacts about the case: name and note go, the statistics stay.
    contacts.anonymise_case_contacts(case.id, now)

    case.household_name = case.reference
    case.salutation = None  # made of the persons' names
    case.employer = None
    case.contact_email = None
    case.contact_phone = None
    case.closing_comment = None
    case.help_topics = None  # what an online request asked help with (caseflow/webintake)
    case.client_question = None
    case.arrival_date = month_of(case.arrival_date)
    case.consent_on = month_of(case.consent_on)
    case.created_at = month_at(case.created_at)
    case.closed_at = month_at(case.closed_at)
    case.status_changed_at = month_at(case.status_changed_at)
    case.erased_at = now
    case.erasure_reason = reason
    case.erased_by_id = actor.id if actor else None
    db.session.flush()
    # The triggers rewrote the case's search document; SQLite's FTS5 still holds the old
    # words in older segments until they merge.
    search.purge_deleted_terms()
    record(
        "privacy.erase",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        actor=actor,
        details={"scope": "case", "persons": len(persons), "by": "user" if actor else via},
        transactional=True,
    )


def erase_person(person: Person, *, reason: str, actor: User | None = None) -> None:
    """Erase one person of a case: name, contacts, birth day (kept: the month, the age at
    arrival), their checklist steps' free text, and the case's emails addressed to them.
    The case, its household fields (household name, contacts, employer, notes) and the
    other persons stay: erase the case for those. First-line contacts about the case
    stay too (their free-text name matches no person reliably).

    The reason goes on the case timeline (a ``person_erased`` entry; it goes too when the
    case is erased). Refused when the person or their case is already erased, or the
    case is on legal hold. Records ``privacy.erase`` (ids only). Flushes, never commits.
    """
    reason = _check_reason(reason)
    case = db.session.get(Case, person.case_id)
    _check_case(case)
    if person.erased_at is not None:
        raise DomainError(_("This person has already been erased."))
    now = utcnow()
    email = (person.email or "").strip().lower()
    _blank_introductions(case, person, now)
    _erase_referrals(case, now, person_id=person.id)
    _erase_person_fields(person, case.arrival_date, now)
    # A salutation someone typed may name this person (or a nickname of theirs): back to
    # the default, which is made from the persons left.
    case.salutation = None
    items = list(
        db.session.scalars(select(ChecklistItem).where(ChecklistItem.person_id == person.id))
    )
    _erase_items(items, reduce_dates=False, arrival=None)
    # The files of their own steps (the household's files stay, as the notes do).
    attachments.delete_case_files(case.id, item_ids=[item.id for item in items])
    if items:
        db.session.execute(
            update(ClientClaim)
            .where(ClientClaim.item_id.in_([item.id for item in items]))
            .values(reason=None)
            .execution_options(synchronize_session=False)
        )
    if email:
        for message in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.case_id == case.id)
        ):
            if any(address.strip().lower() == email for address in message.recipients or []):
                _blank_message(message, now)
        for activity in db.session.scalars(select(Activity).where(Activity.case_id == case.id)):
            recipients = (activity.details or {}).get("recipients")
            if recipients and any(str(a).strip().lower() == email for a in recipients):
                details = dict(activity.details)
                details.pop("recipients")
                activity.details = details
    timeline.record(
        case, actor, ActivityKind.PERSON_ERASED, person_id=person.id, erasure_reason=reason
    )
    db.session.flush()
    search.purge_deleted_terms()  # as in erase_case
    record(
        "privacy.erase",
        object_type="person",
        object_id=person.id,
        case_id=case.id,
        actor=actor,
        details={"scope": "person", "person_id": person.id, "by": "user" if actor else "retention"},
        transactional=True,
    )

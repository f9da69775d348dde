import enum
import unicodedata
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from caseflow.auth.models import User
from caseflow.centres.models import PrivacyNoticeVersion
from caseflow.core.countries import is_eu_eea_ch
from caseflow.core.enums import str_enum
from caseflow.core.time import utcnow
from caseflow.extensions import db


class CaseStatus(enum.StrEnum):
    INTAKE = "intake"
    OPEN = "open"
    WAITING_ON_CLIENT = "waiting_on_client"
    CLOSING_REQUESTED = "closing_requested"  # waits for a team lead's approval
    CLOSED = "closed"


class ClosingReason(enum.StrEnum):
    COMPLETED = "completed"
    MOVED_AWAY = "moved_away"
    NO_RESPONSE = "no_response"
    REFERRED = "referred"
    NOT_ELIGIBLE = "not_eligible"
    OTHER = "other"


class ReferralChannel(enum.StrEnum):
    WEBSITE = "website"
    EMPLOYER = "employer"
    MUNICIPALITY = "municipality"
    EVENT = "event"
    PARTNER = "partner"
    OTHER = "other"


class ClientLanguage(enum.StrEnum):
    NL = "nl"
    EN = "en"
    FR = "fr"


class LegalBasis(enum.StrEnum):
    """Why the centre may process the client's data (GDPR art. 6.1)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGITIMATE_INTEREST = "legitimate_interest"
    PUBLIC_TASK = "public_task"
    LEGAL_OBLIGATION = "legal_obligation"


class HelpTopic(enum.StrEnum):
    """What a client asking for help online needs help with (labels: cases/topics.py)."""

    REGISTRATION = "registration"
    RESIDENCE_CARD = "residence_card"
    WORK_PERMIT = "work_permit"
    HEALTH_FUND = "health_fund"
    BANK = "bank"
    CHILD_BENEFIT = "child_benefit"
    SCHOOL = "school"
    HOUSING = "housing"
    TAXES = "taxes"
    LANGUAGE_COURSES = "language_courses"
    PARTNER_JOB = "partner_job"
    OTHER = "other"


class HouseholdRole(enum.StrEnum):
    MAIN_APPLICANT = "main_applicant"
    PARTNER = "partner"
    CHILD = "child"
    OTHER = "other"


class CaseType(db.Model):
    """A residence track / kind of case; an admin-editable list per centre."""

    __tablename__ = "case_types"
    __table_args__ = (UniqueConstraint("centre_id", "name_en"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_nl: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        return self.name_nl if locale == "nl" else self.name_en


HOUSEHOLD_SORT_LENGTH = 120


def household_sort_key(name: str | None) -> str:
    """The household sort's key: lower case, accents and ligatures folded ("Émile" sorts
    with "emile", "Ørsted" with "orsted"), the same in Python on both databases, so a
    plain index on ``cases.household_sort`` serves the sort."""
    decomposed = unicodedata.normalize("NFKD", name or "").translate(_SORT_FOLD)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return folded[:HOUSEHOLD_SORT_LENGTH]


# Letters without a decomposition (as caseflow/cases/search.py folds them for search).
_SORT_FOLD = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})


def _household_sort_default(context) -> str:
    """A bulk (Core) insert without ``household_sort`` gets it from the name too."""
    return household_sort_key(context.get_current_parameters().get("household_name"))


class CaseCounter(db.Model):
    """The last reference number handed out per centre and year."""

    __tablename__ = "case_counters"

    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Case(db.Model):
    """A newcomer or family followed by the centre, from intake to closing."""

    __tablename__ = "cases"
    # The case list's filters and sorts each have an index that starts with the centre
    # (every list is one centre's) and ends with the id, the sort's tie-breaker, so a
    # keyset page is one index seek (tests/test_explain.py checks the plans).
    __table_args__ = (
        UniqueConstraint("centre_id", "reference"),
        Index("ix_cases_centre_status", "centre_id", "status", "id"),
        Index("ix_cases_centre_updated", "centre_id", "updated_at", "id"),
        Index("ix_cases_centre_created", "centre_id", "created_at", "id"),
        Index("ix_cases_centre_arrival", "centre_id", "arrival_date", "id"),
        Index("ix_cases_centre_household_sort", "centre_id", "household_sort", "id"),
        # (and one on lower(municipality): below the class, it needs its column)
        Index("ix_cases_centre_legal_hold", "centre_id", "legal_hold_at"),
        # The team overview's counts per advisor, from the index alone.
        Index(
            "ix_cases_centre_advisor",
            "centre_id",
            "advisor_id",
            "status",
            "created_at",
            "status_changed_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    reference: Mapped[str] = mapped_column(String(24))
    household_name: Mapped[str] = mapped_column(String(120))
    # The household sort's key, kept by ``_keep_household_sort`` whenever the name is set
    # (SQLite cannot index lower(): there it is the app's own Python function).
    household_sort: Mapped[str] = mapped_column(
        String(HOUSEHOLD_SORT_LENGTH), default=_household_sort_default
    )
    case_type_id: Mapped[int] = mapped_column(ForeignKey("case_types.id"), index=True)
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus), default=CaseStatus.INTAKE)
    closing_reason: Mapped[ClosingReason | None] = mapped_column(str_enum(ClosingReason))
    closing_comment: Mapped[str | None] = mapped_column(Text)
    # None: the case waits in the centre's intake queue.
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    arrival_date: Mapped[date | None]
    municipality: Mapped[str | None] = mapped_column(String(80))
    employer: Mapped[str | None] = mapped_column(String(120))
    sector: Mapped[str | None] = mapped_column(String(80))
    referral_channel: Mapped[ReferralChannel | None] = mapped_column(str_enum(ReferralChannel))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    client_language: Mapped[ClientLanguage] = mapped_column(
        str_enum(ClientLanguage, 2), default=ClientLanguage.EN
    )
    # How client documents greet the household ("Dear Priya and Rohan"). None: the
    # default built from the persons (caseflow/cases/salutation.py).
    salutation: Mapped[str | None] = mapped_column(String(120))
    # What the client agreed to at intake: the legal basis and the version of the
    # centre's privacy notice, on what day and recorded by whom. A case without a basis
    # and a notice version cannot leave intake (services.check_can_leave_intake).
    legal_basis: Mapped[LegalBasis | None] = mapped_column(str_enum(LegalBasis))
    privacy_notice_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("privacy_notice_versions.id"), index=True
    )
    consent_on: Mapped[date]
    # None: the client agreed themselves, on the online request form (caseflow/webintake).
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A request made online (caseflow/webintake): the topics the client ticked
    # (HelpTopic values) and their own question. Personal data: exported, erased.
    help_topics: Mapped[list[str] | None] = mapped_column(JSON)
    client_question: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None]
    # When the status last changed: "waiting on the client for more than 14 days".
    status_changed_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # Legal hold (a team lead's decision, with the reason): retention never anonymises
    # a case on hold. None: not on hold.
    legal_hold_at: Mapped[datetime | None]
    legal_hold_reason: Mapped[str | None] = mapped_column(String(500))
    legal_hold_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Erasure (caseflow/privacy/erasure.py): when, why (typed by staff; kept here, never
    # in the audit trail) and by whom (None: retention).
    erased_at: Mapped[datetime | None]
    erasure_reason: Mapped[str | None] = mapped_column(Text)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    case_type: Mapped[CaseType] = relationship(lazy="raise_on_sql")
    advisor: Mapped[User | None] = relationship(foreign_keys=[advisor_id], lazy="raise_on_sql")
    consent_recorded_by: Mapped[User | None] = relationship(
        foreign_keys=[consent_recorded_by_id], lazy="raise_on_sql"
    )
    privacy_notice_version: Mapped[PrivacyNoticeVersion | None] = relationship(lazy="raise_on_sql")
    legal_hold_by: Mapped[User | None] = relationship(
        foreign_keys=[legal_hold_by_id], lazy="raise_on_sql"
    )
    erased_by: Mapped[User | None] = relationship(foreign_keys=[erased_by_id], lazy="raise_on_sql")
    persons: Mapped[list["Person"]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="Person.position",
        lazy="raise_on_sql",
    )
    activities: Mapped[list["Activity"]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="Activity.id.desc()",
        lazy="raise_on_sql",
    )

    @validates("household_name")
    def _keep_household_sort(self, _key, name):
        self.household_sort = household_sort_key(name)
        return name

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    @property
    def on_legal_hold(self) -> bool:
        return self.legal_hold_at is not None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def client_salutation(self) -> str:
        """The salutation client documents use (the case's own, else the default)."""
        from caseflow.cases.salutation import salutation_for

        return salutation_for(self)

    def __repr__(self) -> str:
        return f"<Case {self.reference}>"


# The municipality filter ignores letter case: an index on lower(...), on PostgreSQL
# only. SQLite's lower() is replaced by a Python function on the app's connections
# (caseflow/core/database.py), so an index on it would not match what any other
# connection (a backup's integrity check, the sqlite3 shell) computes. (The household
# sort has its own stored key, Case.household_sort, indexed on both.)
Index("ix_cases_centre_municipality", Case.centre_id, func.lower(Case.municipality)).ddl_if(
    dialect="postgresql"
)


class Person(db.Model):
    """A member of the household followed in a case."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    household_role: Mapped[HouseholdRole] = mapped_column(str_enum(HouseholdRole))
    date_of_birth: Mapped[date | None]
    nationality: Mapped[str] = mapped_column(String(2), index=True)
    # A second nationality counts too: the most favourable one applies (EU wins).
    second_nationality: Mapped[str | None] = mapped_column(String(2), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # Only THAT the national register or BIS number was seen, never the number itself
    # (tests/privacy/test_national_number.py keeps it that way).
    national_number_obtained: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Set by erasure: names and contacts are gone, the birth date is reduced to the month
    # and the age in years at arrival is kept.
    erased_at: Mapped[datetime | None]
    age_at_arrival: Mapped[int | None]

    case: Mapped[Case] = relationship(back_populates="persons", lazy="raise_on_sql")

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            from flask_babel import gettext

            return gettext("Person %(number)d (erased)", number=self.position + 1)
        return f"{self.first_name} {self.last_name}"

    @property
    def is_eu_eea_ch(self) -> bool:
        return is_eu_eea_ch(self.nationality) or is_eu_eea_ch(self.second_nationality)

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ActivityKind(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    STATUS = "status"
    ASSIGNED = "assigned"
    NOTE_ADDED = "note_added"
    NOTE_EDITED = "note_edited"
    FOLLOWUP_ADDED = "followup_added"
    FOLLOWUP_DONE = "followup_done"
    FOLLOWUP_CANCELLED = "followup_cancelled"
    EXPORTED = "exported"
    EMAILED = "emailed"
    REVIEW_REQUESTED = "review_requested"
    REVIEW_APPROVED = "review_approved"
    REVIEW_SENT_BACK = "review_sent_back"
    LEGAL_HOLD_PLACED = "legal_hold_placed"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted"
    PERSON_ERASED = "person_erased"  # details: person_id, erasure_reason (free text)
    FILE_ADDED = "file_added"  # details: attachment_id, by_client, item_id (no file name)
    FILE_DELETED = "file_deleted"  # details: attachment_id
    # The client's page (caseflow/portal): actor None = the client.
    PORTAL_LINK_SENT = "portal_link_sent"
    PORTAL_LINK_REVOKED = "portal_link_revoked"
    CLIENT_CLAIMED = "client_claimed"
    CLIENT_CLAIM_CONFIRMED = "client_claim_confirmed"
    CLIENT_CLAIM_SENT_BACK = "client_claim_sent_back"
    CLIENT_MESSAGE = "client_message"
    # The welcome community's events (caseflow/events); details: event (its title),
    # event_id, people. Actor None = the client (through the invitation's link).
    EVENT_CONSENT_GIVEN = "event_consent_given"
    EVENT_CONSENT_WITHDRAWN = "event_consent_withdrawn"
    EVENT_INVITED = "event_invited"
    EVENT_REGISTERED = "event_registered"
    EVENT_WAITING = "event_waiting"
    EVENT_DECLINED = "event_declined"
    EVENT_ATTENDED = "event_attended"
    EVENT_ATTENDANCE_UNDONE = "event_attendance_undone"  # a tick at the door taken back
    EVENT_CHANGED = "event_changed"  # told of a new date, time, place or link; details: fields
    # Referrals to the centre's partners (caseflow/partners): details partner (name),
    # partner_type, consent; a state change from / to.
    REFERRAL_CREATED = "referral_created"
    REFERRAL_STATE = "referral_state"


class Activity(db.Model):
    """One entry of a case's timeline: who changed what, and when. Append-only."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind))
    # Small structured details (old/new status, names); rendered by the template.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="activities", lazy="raise_on_sql")
    actor: Mapped[User | None] = relationship(lazy="raise_on_sql")

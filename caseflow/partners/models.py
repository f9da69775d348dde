import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.cases.models import Case, ClientLanguage
from caseflow.core.enums import str_enum
from caseflow.core.time import utcnow
from caseflow.extensions import db


class PartnerType(enum.StrEnum):
    HEALTH_FUND = "health_fund"
    BANK = "bank"
    LANGUAGE_SCHOOL = "language_school"
    MUNICIPALITY = "municipality"
    KNOWLEDGE_INSTITUTION = "knowledge_institution"
    INSURER = "insurer"
    EMPLOYER = "employer"
    HOUSING = "housing"
    OTHER = "other"


class ReferralState(enum.StrEnum):
    SENT = "sent"
    CONTACTED = "contacted"
    HELPED = "helped"
    NO_ANSWER = "no_answer"
    CLOSED = "closed"  # no longer followed up, e.g. the client withdrew (not an outcome)


OPEN_STATES = (ReferralState.SENT, ReferralState.CONTACTED)

# What an advisor may share with a partner (with the client's consent).
SHAREABLE_DETAILS = ("name", "email", "phone", "municipality")


class Partner(db.Model):
    """An organisation of the centre's network: a health fund, a bank, a language school.
    Not personal data (organisations; the contact person is a role, e.g. "intake desk")."""

    __tablename__ = "partners"
    __table_args__ = (Index("ix_partners_centre_type_active", "centre_id", "type", "is_active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    name: Mapped[str] = mapped_column(String(160))
    type: Mapped[PartnerType] = mapped_column(str_enum(PartnerType))
    contact_person: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    # Language codes, comma separated and sorted ("en,fr,nl"): searched with LIKE.
    languages: Mapped[str] = mapped_column(String(120), default="")
    municipalities: Mapped[str | None] = mapped_column(String(500))
    topics: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    email_language: Mapped[ClientLanguage] = mapped_column(
        str_enum(ClientLanguage, 2), default=ClientLanguage.NL
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def language_codes(self) -> list[str]:
        return [code for code in (self.languages or "").split(",") if code]


class Referral(db.Model):
    """A case's household (some of its persons) referred to a partner. Personal data:
    exported and erased with the case (the partner type and outcome stay)."""

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_case", "case_id", "id"),
        # My work and the team overview: open referrals, by follow-up date.
        Index("ix_referrals_state_follow_up", "state", "follow_up_on", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    # Copied from the partner: the funder report counts by it, whatever the partner
    # becomes later.
    partner_type: Mapped[PartnerType] = mapped_column(str_enum(PartnerType))
    person_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[bool] = mapped_column(default=False)
    # SHAREABLE_DETAILS the advisor chose (empty without consent).
    shared_details: Mapped[list[str]] = mapped_column(JSON, default=list)
    state: Mapped[ReferralState] = mapped_column(
        str_enum(ReferralState, 16), default=ReferralState.SENT
    )
    follow_up_on: Mapped[date | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The introduction email (with consent) or the partner's details for the client: a
    # person's export and erasure find the email that names the persons concerned.
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by erasure (reason and persons emptied).
    erased_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(lazy="raise_on_sql")
    partner: Mapped[Partner] = relationship(lazy="raise_on_sql")
    created_by: Mapped[User] = relationship(lazy="raise_on_sql")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

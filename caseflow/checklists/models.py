import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.auth.models import User
from caseflow.cases.models import Case, CaseType, Person
from caseflow.core.enums import str_enum
from caseflow.core.time import utcnow
from caseflow.extensions import db


class Category(enum.StrEnum):
    RESIDENCE = "residence"
    WORK = "work"
    HEALTH = "health"
    MONEY = "money"
    FAMILY_SCHOOL = "family_school"
    INTEGRATION = "integration"
    MOBILITY = "mobility"
    TAX = "tax"


class Scope(enum.StrEnum):
    HOUSEHOLD = "household"  # one item for the whole case
    PERSON = "person"  # one item per matching person


class NationalityGroup(enum.StrEnum):
    EU = "eu"  # EU/EEA/Swiss (free movement)
    THIRD_COUNTRY = "third_country"


class DeadlineKind(enum.StrEnum):
    NONE = "none"
    CALENDAR_DAYS = "calendar_days"  # N days after arrival
    WORKING_DAYS = "working_days"  # N Belgian working days after arrival
    MONTHS = "months"  # N months after arrival
    YEAR_TURNING = "year_turning"  # 1 January of the year the person turns N
    SCHOOL_START = "school_start"  # 1 September of the year the child turns N
    EXPIRY_WINDOW = "expiry_window"  # from N to M months before an expiry date


class ItemState(enum.StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    WAITING_ON_CLIENT = "waiting_on_client"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


CLOSED_STATES = frozenset({ItemState.DONE, ItemState.NOT_APPLICABLE})

template_case_types = Table(
    "checklist_template_case_types",
    db.metadata,
    Column(
        "template_id", ForeignKey("checklist_templates.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("case_type_id", ForeignKey("case_types.id", ondelete="CASCADE"), primary_key=True),
)


class ChecklistTemplate(db.Model):
    """A named set of steps of one centre, for some case types (none listed: all)."""

    __tablename__ = "checklist_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), index=True)
    # Stable slug of a seeded template, so seeding again finds it; None for hand-made ones.
    key: Mapped[str | None] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case_types: Mapped[list[CaseType]] = relationship(
        secondary=template_case_types, lazy="raise_on_sql", order_by=CaseType.position
    )
    items: Mapped[list["TemplateItem"]] = relationship(
        back_populates="template", order_by="TemplateItem.position", lazy="raise_on_sql"
    )

    def applies_to_case_type(self, case_type_id: int) -> bool:
        return not self.case_types or any(t.id == case_type_id for t in self.case_types)


class TemplateItem(db.Model):
    """One step of a template: its texts, who it applies to and its deadline rule."""

    __tablename__ = "checklist_template_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_templates.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str | None] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    category: Mapped[Category] = mapped_column(str_enum(Category))
    title_en: Mapped[str] = mapped_column(String(120))
    title_nl: Mapped[str] = mapped_column(String(120))
    title_fr: Mapped[str] = mapped_column(String(120))
    explanation_en: Mapped[str] = mapped_column(Text, default="")
    explanation_nl: Mapped[str] = mapped_column(Text, default="")
    explanation_fr: Mapped[str] = mapped_column(Text, default="")
    # Applies-to rule. Criteria that are set must all hold; a list matches any value in it.
    scope: Mapped[Scope] = mapped_column(str_enum(Scope), default=Scope.PERSON)
    nationality_group: Mapped[NationalityGroup | None] = mapped_column(str_enum(NationalityGroup))
    household_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    case_type_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Deadline rule: the kind, N (days, months or age) and M (window end, in months).
    deadline_kind: Mapped[DeadlineKind] = mapped_column(
        str_enum(DeadlineKind), default=DeadlineKind.NONE
    )
    deadline_value: Mapped[int | None]
    deadline_value_to: Mapped[int | None]
    is_required: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # A type of partner the step recommends (caseflow/partners PartnerType value, e.g.
    # "health_fund"): the step page lists the centre's active partners of that type and,
    # with ``partners_for_client``, the client's checklist and page show their names and
    # websites.
    partner_type: Mapped[str | None] = mapped_column(String(24))
    partners_for_client: Mapped[bool] = mapped_column(default=False, server_default=false())

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items", lazy="raise_on_sql")

    def title(self, locale: str) -> str:
        return getattr(self, f"title_{locale}", None) or self.title_en

    def explanation(self, locale: str) -> str:
        return getattr(self, f"explanation_{locale}", None) or self.explanation_en


class ChecklistItem(db.Model):
    """One step for one person of a case (or for the household), with its progress."""

    __tablename__ = "checklist_items"
    __table_args__ = (
        # A case's steps with what progress and "overdue" read (the case list's
        # progress, the team overview's overdue steps): counted from the index alone.
        Index(
            "ix_checklist_items_case_progress",
            "case_id",
            "state",
            "no_longer_applies",
            "due_date_override",
            "computed_due_date",
        ),
        # The funder report's key steps (caseflow/reports/funder.py): every column the
        # query reads, so the database reads a few template items' rows from the index
        # alone instead of every step of every case.
        Index(
            "ix_checklist_items_template_case",
            "template_item_id",
            "case_id",
            "state",
            "no_longer_applies",
            "completed_at",
            "days_to_done",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    # None for household items, and for items kept after their person left the household.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    # (indexed by ix_checklist_items_template_case, which starts with it)
    template_item_id: Mapped[int] = mapped_column(ForeignKey("checklist_template_items.id"))
    state: Mapped[ItemState] = mapped_column(str_enum(ItemState), default=ItemState.TODO)
    not_applicable_reason: Mapped[str | None] = mapped_column(Text)
    computed_due_date: Mapped[date | None]
    due_date_override: Mapped[date | None]
    # The date a permit or card expires, for "window before expiry" deadlines.
    expiry_date: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)
    # Kept because it has progress, although its rule no longer matches the household.
    no_longer_applies: Mapped[bool] = mapped_column(default=False)
    # Name of the household member the item was for, once they left the household.
    former_person_name: Mapped[str | None] = mapped_column(String(170))
    completed_at: Mapped[datetime | None]
    # Whole days from the case's arrival to done, kept by erasure when it reduces both
    # dates to the month (the funder report's medians read it; None: from the dates).
    days_to_done: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(lazy="raise_on_sql")
    person: Mapped[Person | None] = relationship(lazy="raise_on_sql")
    template_item: Mapped[TemplateItem] = relationship(lazy="raise_on_sql")
    events: Mapped[list["ChecklistEvent"]] = relationship(
        back_populates="item",
        cascade="all, delete-orphan",
        order_by="ChecklistEvent.id",
        lazy="raise_on_sql",
    )

    @property
    def due_date(self) -> date | None:
        """The date that counts: the advisor's override, else the computed one."""
        return self.due_date_override or self.computed_due_date

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED_STATES and not self.no_longer_applies

    @property
    def counts_for_progress(self) -> bool:
        return self.state != ItemState.NOT_APPLICABLE and not self.no_longer_applies

    def is_overdue(self, on: date) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < on

    @property
    def has_progress(self) -> bool:
        """Anything an advisor did to it, which regeneration must never throw away."""
        return bool(
            self.state != ItemState.TODO or self.note or self.due_date_override or self.expiry_date
        )


class EventKind(enum.StrEnum):
    STATE = "state"
    DUE_DATE = "due_date"
    EXPIRY_DATE = "expiry_date"
    NOTE = "note"


class ChecklistEvent(db.Model):
    """The history of an item: who changed what, from what to what, and when."""

    __tablename__ = "checklist_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_items.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, 16))
    from_value: Mapped[str | None] = mapped_column(Text)
    to_value: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ChecklistItem] = relationship(back_populates="events", lazy="raise_on_sql")
    actor: Mapped[User | None] = relationship(lazy="raise_on_sql")

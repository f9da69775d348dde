"""The funder report: everything counted in the database with GROUP BY.

Definitions (also stated on the page):
- cases served: cases of the centre open at any moment of the period (opened before
  its end, not closed before its start); new cases: opened in the period; closed
  cases: closed in the period.
- persons served: the persons of the cases served; adults are 18 or older at the end
  of the period.
- breakdowns (nationality, case type, municipality, sector, referral channel) count
  the cases served, nationality counts persons.
- key steps: the checklist steps of the cases served that apply (not "not
  applicable"); the share done, and the median number of days from arrival to done.
- events (caseflow/events): the centre's events that started in the period and were
  not cancelled, by type and by month (Brussels); their invitations, registrations
  (households registered, not the waiting list) and attendance (people ticked at the
  door plus walk-ins); the new arrivals (cases whose arrival date is in the period) and
  how many of them attended at least one event (any event up to the period's end).
- referrals (caseflow/partners): referrals made in the period, by partner type and by
  their outcome today (an erased case's referrals count too: type and outcome stay).
- first-line contacts (caseflow/contacts): the contacts logged with a date in the
  period, by month, channel and topic (a contact with two topics counts under both),
  and how many were turned into a case.
"""

from dataclasses import dataclass, field
from datetime import UTC, date

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy import case as sql_case

from caseflow.cases.models import Case, CaseStatus, Person
from caseflow.checklists.models import ChecklistItem, ChecklistTemplate, ItemState, TemplateItem
from caseflow.contacts.models import Contact, contact_topic_links
from caseflow.core.countries import EU_EEA_CH
from caseflow.core.time import BRUSSELS
from caseflow.events.models import Event, EventInvitation, EventStatus, InvitationStatus, WalkIn
from caseflow.extensions import db
from caseflow.partners.models import Referral
from caseflow.reports.periods import Period

TOP_NATIONALITIES = 10


@dataclass
class KeyStep:
    key: str
    applicable: int
    done: int
    median_days: float | None

    @property
    def share(self) -> float | None:
        return self.done / self.applicable if self.applicable else None


@dataclass
class FunderReport:
    period: Period
    new_cases: int = 0
    closed_cases: int = 0
    served_cases: int = 0
    persons: int = 0
    adults: int = 0
    children: int = 0
    age_unknown: int = 0
    closing_reasons: list[tuple[str, int]] = field(default_factory=list)
    nationalities: list[tuple[str, int]] = field(default_factory=list)
    nationality_groups: list[tuple[str, int]] = field(default_factory=list)
    case_types: list[tuple[str, int]] = field(default_factory=list)
    municipalities: list[tuple[str, int]] = field(default_factory=list)
    sectors: list[tuple[str, int]] = field(default_factory=list)
    referral_channels: list[tuple[str, int]] = field(default_factory=list)
    key_steps: list[KeyStep] = field(default_factory=list)
    events: "EventFigures" = None  # type: ignore[assignment]
    referrals: int = 0
    referral_types: list[tuple[str, int]] = field(default_factory=list)
    referral_outcomes: list[tuple[str, int]] = field(default_factory=list)
    contacts: int = 0
    contacts_converted: int = 0
    contact_months: list[tuple[str, int]] = field(default_factory=list)  # "2026-09"
    contact_channels: list[tuple[str, int]] = field(default_factory=list)
    contact_topics: list[tuple[int, int]] = field(default_factory=list)  # topic ids

    @property
    def contacts_share_converted(self) -> float | None:
        return self.contacts_converted / self.contacts if self.contacts else None


@dataclass
class EventCounts:
    events: int = 0
    invitations: int = 0
    registrations: int = 0
    attendance: int = 0

    def add(self, other: "EventCounts") -> None:
        self.events += other.events
        self.invitations += other.invitations
        self.registrations += other.registrations
        self.attendance += other.attendance


@dataclass
class EventFigures:
    total: EventCounts = field(default_factory=EventCounts)
    by_type: dict[str, EventCounts] = field(default_factory=dict)
    by_month: dict[str, EventCounts] = field(default_factory=dict)  # "2026-09"
    new_arrivals: int = 0
    new_arrivals_attended: int = 0


def event_figures(centre_id: int, period: Period) -> EventFigures:
    """The events of the period, in three grouped queries (invitations per event,
    walk-ins per event, the new arrivals), summed by type and month here."""
    figures = EventFigures()
    held = and_(
        Event.centre_id == centre_id,
        Event.status != EventStatus.CANCELLED,
        Event.status != EventStatus.DRAFT,
        Event.starts_at >= period.start_at,
        Event.starts_at < period.end_before,
    )
    registered = sql_case((EventInvitation.status == InvitationStatus.REGISTERED, 1), else_=0)
    per_event = {
        event_id: (
            event_type,
            starts_at,
            EventCounts(1, int(invited), int(reg or 0), int(came or 0)),
        )
        for event_id, event_type, starts_at, invited, reg, came in db.session.execute(
            select(
                Event.id,
                Event.event_type,
                Event.starts_at,
                func.count(EventInvitation.id),
                func.sum(registered),
                func.coalesce(func.sum(EventInvitation.attended_people), 0),
            )
            .outerjoin(EventInvitation, EventInvitation.event_id == Event.id)
            .where(held)
            .group_by(Event.id, Event.event_type, Event.starts_at)
        )
    }
    for event_id, people in db.session.execute(
        select(WalkIn.event_id, func.sum(WalkIn.people))
        .join(Event, Event.id == WalkIn.event_id)
        .where(held)
        .group_by(WalkIn.event_id)
    ):
        per_event[event_id][2].attendance += int(people or 0)
    for event_type, starts_at, counts in per_event.values():
        month = starts_at.replace(tzinfo=UTC).astimezone(BRUSSELS).strftime("%Y-%m")
        figures.by_type.setdefault(str(event_type.value), EventCounts()).add(counts)
        figures.by_month.setdefault(month, EventCounts()).add(counts)
        figures.total.add(counts)
    figures.by_month = dict(sorted(figures.by_month.items()))
    attended = (
        select(EventInvitation.case_id)
        .join(Event, Event.id == EventInvitation.event_id)
        .where(EventInvitation.attended_at.is_not(None), Event.starts_at < period.end_before)
    )
    arrivals, came = db.session.execute(
        select(
            func.count(Case.id),
            func.coalesce(func.sum(sql_case((Case.id.in_(attended), 1), else_=0)), 0),
        ).where(
            Case.centre_id == centre_id,
            Case.arrival_date >= period.start,
            Case.arrival_date <= period.end,
        )
    ).one()
    figures.new_arrivals, figures.new_arrivals_attended = int(arrivals), int(came)
    return figures


def served_clause(centre_id: int, period: Period):
    return and_(
        Case.centre_id == centre_id,
        Case.created_at < period.end_before,
        or_(Case.closed_at.is_(None), Case.closed_at >= period.start_at),
    )


def _merged(counts: dict, label_none: str = "") -> list[tuple[str, int]]:
    """Counts by value as (value, count) rows, largest first: "" and NULL are both
    ``label_none`` ("unknown"), values with no count are left out."""
    merged: dict = {}
    for value, count in counts.items():
        if not count:
            continue
        key = value if value not in (None, "") else label_none
        merged[key] = merged.get(key, 0) + count
    return sorted(merged.items(), key=lambda item: (-item[1], str(item[0])))


def _add(counts: dict, key, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


def days_from_arrival(done_at, arrival):
    """Whole days from the arrival date to a completion timestamp, in SQL."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.date(done_at) - arrival, Integer)
    return cast(func.julianday(func.date(done_at)) - func.julianday(arrival), Integer)


def _median(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}: the middle one, or the mean of
    the middle two."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = [(total - 1) // 2] if total % 2 else [total // 2 - 1, total // 2]
    middle, seen = [], 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            middle.append(value)
            wanted.pop(0)
    return sum(middle) / len(middle)


def key_steps(centre_id: int, served, period: Period) -> list[KeyStep]:
    """Share done and median days to done for the configured key steps.

    One grouped query: per template item, done or not, and (for the steps done with
    both dates) the number of days, so that the medians come from those small
    histograms instead of sorting the steps themselves. Only the centre's own template
    items: the covering index ix_checklist_items_template_case then holds just the
    rows of its key steps."""
    groups: dict[str, list[str]] = current_app.config["REPORT_KEY_STEPS"]
    step_of_key = {key: name for name, keys in groups.items() for key in keys}
    step_of_item = {
        item_id: step_of_key[key]
        for item_id, key in db.session.execute(
            select(TemplateItem.id, TemplateItem.key)
            .join(ChecklistTemplate, ChecklistTemplate.id == TemplateItem.template_id)
            .where(ChecklistTemplate.centre_id == centre_id, TemplateItem.key.in_(step_of_key))
        )
    }
    counts = {name: [0, 0] for name in groups}
    histograms: dict[str, dict[int, int]] = {name: {} for name in groups}
    if step_of_item:
        # Done by the end of the period: a past period's figures do not move afterwards.
        is_done = and_(
            ChecklistItem.state == ItemState.DONE, ChecklistItem.completed_at < period.end_before
        )
        dated = and_(ChecklistItem.completed_at.is_not(None), Case.arrival_date.is_not(None))
        # An erased case keeps its days (its dates were reduced to the month).
        days = func.coalesce(
            ChecklistItem.days_to_done,
            days_from_arrival(ChecklistItem.completed_at, Case.arrival_date),
        )
        done_flag = sql_case((is_done, 1), else_=0)
        days_if_done = sql_case((and_(is_done, dated), days), else_=None)
        rows = db.session.execute(
            select(ChecklistItem.template_item_id, done_flag, days_if_done, func.count())
            .select_from(ChecklistItem)
            .join(Case, Case.id == ChecklistItem.case_id)
            .where(
                served,
                ChecklistItem.template_item_id.in_(step_of_item),
                ChecklistItem.state != ItemState.NOT_APPLICABLE,
                ChecklistItem.no_longer_applies.is_(False),
            )
            .group_by(ChecklistItem.template_item_id, done_flag, days_if_done)
        )
        for item_id, done, day_count, n in rows:
            name = step_of_item[item_id]
            counts[name][0] += n
            if done:
                counts[name][1] += n
                if day_count is not None:
                    _add(histograms[name], int(day_count), n)
    return [
        KeyStep(name, counts[name][0], counts[name][1], _median(histograms[name]))
        for name in groups
    ]


def funder_report(centre_id: int, period: Period) -> FunderReport:
    """Compute the whole report for one centre and period, in four grouped queries:
    the cases (every breakdown of cases at once), their persons, their key steps, the
    referrals made in the period."""
    served = served_clause(centre_id, period)
    report = FunderReport(period)
    in_period = and_(Case.created_at >= period.start_at, Case.created_at < period.end_before)
    closed = and_(
        Case.status == CaseStatus.CLOSED,
        Case.closed_at >= period.start_at,
        Case.closed_at < period.end_before,
    )
    # One pass over the centre's cases: every breakdown grouped at once (a few hundred
    # groups at most), summed per breakdown here.
    columns = (Case.case_type_id, Case.municipality, Case.sector, Case.referral_channel)
    reason = sql_case((closed, Case.closing_reason), else_=None)
    is_served = sql_case((served, 1), else_=0)
    is_new = sql_case((in_period, 1), else_=0)
    is_closed = sql_case((closed, 1), else_=0)
    breakdowns: list[dict] = [{} for _column in columns]
    reasons: dict = {}
    for *values, closing_reason, served_n, new_n, closed_n in db.session.execute(
        select(*columns, reason, func.sum(is_served), func.sum(is_new), func.sum(is_closed))
        .where(Case.centre_id == centre_id, or_(served, in_period, closed))
        .group_by(*columns, reason)
    ):
        served_n, new_n, closed_n = int(served_n or 0), int(new_n or 0), int(closed_n or 0)
        report.served_cases += served_n
        report.new_cases += new_n
        report.closed_cases += closed_n
        if closed_n:
            _add(reasons, closing_reason, closed_n)
        for counts, value in zip(breakdowns, values, strict=True):
            _add(counts, value, served_n)
    report.closing_reasons = _merged(reasons, "other")
    report.case_types = _merged(breakdowns[0])  # ids: named per language
    report.municipalities = _merged(breakdowns[1], "unknown")
    report.sectors = _merged(breakdowns[2], "unknown")
    report.referral_channels = _merged(breakdowns[3], "unknown")

    # The persons of the cases served: ages, nationalities and EU or not, in one pass.
    born_limit = period.end - relativedelta(years=18)  # adults at the end of the period
    eu = or_(Person.nationality.in_(EU_EEA_CH), Person.second_nationality.in_(EU_EEA_CH))
    group = sql_case((eu, literal("eu")), else_=literal("third_country"))
    nationalities: dict = {}
    groups: dict = {}
    for nationality, eu_group, persons, adults, children in db.session.execute(
        select(
            Person.nationality,
            group,
            func.count(Person.id),
            func.sum(sql_case((Person.date_of_birth <= born_limit, 1), else_=0)),
            func.sum(sql_case((Person.date_of_birth > born_limit, 1), else_=0)),
        )
        .join(Case, Case.id == Person.case_id)
        .where(served)
        .group_by(Person.nationality, group)
    ):
        report.persons += persons
        report.adults += int(adults or 0)
        report.children += int(children or 0)
        _add(nationalities, nationality, persons)
        _add(groups, eu_group, persons)
    report.age_unknown = report.persons - report.adults - report.children
    ranked = _merged(nationalities)
    report.nationalities = ranked[:TOP_NATIONALITIES]
    rest = sum(count for _code, count in ranked[TOP_NATIONALITIES:])
    if rest:
        report.nationalities.append(("other", rest))
    report.nationality_groups = _merged(groups)
    report.key_steps = key_steps(centre_id, served, period)
    report.events = event_figures(centre_id, period)
    _referrals(report, centre_id, period)
    contact_counts(report, centre_id, period)
    return report


def _referrals(report: FunderReport, centre_id: int, period: Period) -> None:
    """Referrals made in the period, by partner type and by outcome: one GROUP BY."""
    types: dict = {}
    outcomes: dict = {}
    for partner_type, state, n in db.session.execute(
        select(Referral.partner_type, Referral.state, func.count())
        .join(Case, Case.id == Referral.case_id)
        .where(
            Case.centre_id == centre_id,
            Referral.created_at >= period.start_at,
            Referral.created_at < period.end_before,
        )
        .group_by(Referral.partner_type, Referral.state)
    ):
        report.referrals += n
        _add(types, partner_type.value, n)
        _add(outcomes, state.value, n)
    report.referral_types = _merged(types)
    report.referral_outcomes = _merged(outcomes)


def contact_counts(report: FunderReport, centre_id: int, period: Period) -> None:
    """The period's first-line contacts in one query: per day, channel and converted or
    not, and (the second half of a UNION ALL) per topic."""
    in_period = (
        Contact.centre_id == centre_id,
        Contact.contact_date >= period.start,
        Contact.contact_date <= period.end,
    )
    converted = sql_case((Contact.converted_at.is_not(None), 1), else_=0)
    per_day = (
        select(
            literal("d").label("kind"),
            Contact.contact_date.label("day"),
            cast(Contact.channel, String(16)).label("channel"),
            converted.label("converted"),
            cast(null(), Integer).label("topic_id"),
            func.count(Contact.id).label("n"),
        )
        .where(*in_period)
        .group_by(Contact.contact_date, Contact.channel, converted)
    )
    per_topic = (
        select(
            literal("t"),
            cast(null(), Date),
            cast(null(), String(16)),
            literal(0),
            contact_topic_links.c.topic_id,
            func.count(Contact.id),
        )
        .join(contact_topic_links, contact_topic_links.c.contact_id == Contact.id)
        .where(*in_period)
        .group_by(contact_topic_links.c.topic_id)
    )
    months: dict = {}
    channels: dict = {}
    topics: dict = {}
    for kind, day, channel, is_converted, topic_id, n in db.session.execute(
        union_all(per_day, per_topic)
    ):
        if kind == "t":
            _add(topics, topic_id, n)
            continue
        report.contacts += n
        report.contacts_converted += n if is_converted else 0
        if isinstance(day, str):  # SQLite hands a date in a UNION back as text
            day = date.fromisoformat(day)
        _add(months, f"{day.year:04d}-{day.month:02d}", n)
        _add(channels, channel, n)
    report.contact_months = sorted(months.items())
    report.contact_channels = _merged(channels)
    report.contact_topics = _merged(topics)

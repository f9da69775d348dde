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
"""

from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import Integer, and_, cast, func, literal, or_, select
from sqlalchemy import case as sql_case

from caseflow.cases.models import Case, CaseStatus, Person
from caseflow.checklists.models import ChecklistItem, ItemState, TemplateItem
from caseflow.core.countries import EU_EEA_CH
from caseflow.extensions import db
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


def served_clause(centre_id: int, period: Period):
    return and_(
        Case.centre_id == centre_id,
        Case.created_at < period.end_before,
        or_(Case.closed_at.is_(None), Case.closed_at >= period.start_at),
    )


def _count(where) -> int:
    return db.session.scalar(select(func.count(Case.id)).where(where)) or 0


def _grouped(column, where, *, joins=(), label_none: str = "") -> list[tuple[str, int]]:
    query = select(column, func.count()).select_from(Case)
    for join in joins:
        query = query.join(*join)
    rows = db.session.execute(
        query.where(where).group_by(column).order_by(func.count().desc(), column)
    ).all()
    merged: dict = {}
    for value, count in rows:  # "" and NULL are both "unknown"
        key = value if value not in (None, "") else label_none
        merged[key] = merged.get(key, 0) + count
    return sorted(merged.items(), key=lambda item: (-item[1], str(item[0])))


def days_from_arrival(done_at, arrival):
    """Whole days from the arrival date to a completion timestamp, in SQL."""
    if db.engine.dialect.name == "postgresql":
        return cast(func.date(done_at) - arrival, Integer)
    return cast(func.julianday(func.date(done_at)) - func.julianday(arrival), Integer)


def _done_with_arrival(served, keys: list[str]) -> tuple:
    return (
        served,
        TemplateItem.key.in_(keys),
        ChecklistItem.state == ItemState.DONE,
        ChecklistItem.no_longer_applies.is_(False),
        ChecklistItem.completed_at.is_not(None),
        Case.arrival_date.is_not(None),
    )


def key_steps(served, period: Period) -> list[KeyStep]:
    """Share done and median days to done for the configured key steps, in SQL."""
    groups: dict[str, list[str]] = current_app.config["REPORT_KEY_STEPS"]
    key_of = sql_case(
        *[(TemplateItem.key.in_(keys), literal(name)) for name, keys in groups.items()],
        else_=None,
    )
    applies = and_(
        ChecklistItem.state != ItemState.NOT_APPLICABLE,
        ChecklistItem.no_longer_applies.is_(False),
    )
    base = (
        select(key_of.label("step"))
        .select_from(ChecklistItem)
        .join(TemplateItem, TemplateItem.id == ChecklistItem.template_item_id)
        .join(Case, Case.id == ChecklistItem.case_id)
        .where(served, applies, key_of.is_not(None))
    )
    dated = and_(ChecklistItem.completed_at.is_not(None), Case.arrival_date.is_not(None))
    # Done by the end of the period: a past period's figures do not move afterwards.
    is_done = and_(
        ChecklistItem.state == ItemState.DONE, ChecklistItem.completed_at < period.end_before
    )
    counts, dated_done = {}, {}
    for step, total, done, with_dates in db.session.execute(
        base.add_columns(
            func.count(),
            func.sum(sql_case((is_done, 1), else_=0)),
            func.sum(sql_case((and_(is_done, dated), 1), else_=0)),
        ).group_by(key_of)
    ):
        counts[step] = (total, done)
        dated_done[step] = int(with_dates or 0)
    # The median, in the database: the middle one or two values of each step's sorted
    # day counts (LIMIT/OFFSET from the counts above; cheaper than a window function).
    # An erased case keeps its days (its dates were reduced to the month).
    days = func.coalesce(
        ChecklistItem.days_to_done, days_from_arrival(ChecklistItem.completed_at, Case.arrival_date)
    )
    medians = {}
    for name, keys in groups.items():
        done_with_dates = dated_done.get(name, 0)
        if not done_with_dates:
            continue
        middle = db.session.scalars(
            select(days)
            .select_from(ChecklistItem)
            .join(TemplateItem, TemplateItem.id == ChecklistItem.template_item_id)
            .join(Case, Case.id == ChecklistItem.case_id)
            .where(
                *_done_with_arrival(served, keys), ChecklistItem.completed_at < period.end_before
            )
            .order_by(days)
            .offset((done_with_dates - 1) // 2)
            .limit(2 - done_with_dates % 2)
        ).all()
        medians[name] = sum(middle) / len(middle)
    return [
        KeyStep(
            name,
            int(counts.get(name, (0, 0))[0]),
            int(counts.get(name, (0, 0))[1] or 0),
            float(medians[name]) if medians.get(name) is not None else None,
        )
        for name in groups
    ]


def funder_report(centre_id: int, period: Period) -> FunderReport:
    """Compute the whole report for one centre and period (about 15 grouped queries)."""
    served = served_clause(centre_id, period)
    in_centre = Case.centre_id == centre_id
    report = FunderReport(period)
    report.new_cases = _count(
        and_(in_centre, Case.created_at >= period.start_at, Case.created_at < period.end_before)
    )
    closed = and_(
        in_centre,
        Case.status == CaseStatus.CLOSED,
        Case.closed_at >= period.start_at,
        Case.closed_at < period.end_before,
    )
    report.closed_cases = _count(closed)
    report.closing_reasons = _grouped(Case.closing_reason, closed, label_none="other")
    report.served_cases = _count(served)

    born_limit = period.end - relativedelta(years=18)  # adults at the end of the period
    person_rows = db.session.execute(
        select(
            func.count(Person.id),
            func.sum(sql_case((Person.date_of_birth <= born_limit, 1), else_=0)),
            func.sum(sql_case((Person.date_of_birth > born_limit, 1), else_=0)),
        )
        .join(Case, Case.id == Person.case_id)
        .where(served)
    ).one()
    report.persons = int(person_rows[0] or 0)
    report.adults = int(person_rows[1] or 0)
    report.children = int(person_rows[2] or 0)
    report.age_unknown = report.persons - report.adults - report.children

    person_join = ((Person, Person.case_id == Case.id),)
    nationalities = _grouped(Person.nationality, served, joins=person_join)
    report.nationalities = nationalities[:TOP_NATIONALITIES]
    rest = sum(count for _code, count in nationalities[TOP_NATIONALITIES:])
    if rest:
        report.nationalities.append(("other", rest))
    eu = or_(Person.nationality.in_(EU_EEA_CH), Person.second_nationality.in_(EU_EEA_CH))
    group = sql_case((eu, literal("eu")), else_=literal("third_country"))
    report.nationality_groups = _grouped(group, served, joins=person_join)
    report.case_types = _grouped(Case.case_type_id, served)  # ids: named per language
    report.municipalities = _grouped(Case.municipality, served, label_none="unknown")
    report.sectors = _grouped(Case.sector, served, label_none="unknown")
    report.referral_channels = _grouped(Case.referral_channel, served, label_none="unknown")
    report.key_steps = key_steps(served, period)
    return report

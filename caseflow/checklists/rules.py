"""The rules of a template item, as pure functions: who it applies to and when it is due.

Nothing here touches the database, so every edge case is cheap to test.
"""

from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.relativedelta import relativedelta

from caseflow.checklists.models import DeadlineKind, NationalityGroup, Scope, TemplateItem


@cache
def belgian_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("BE", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in belgian_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th Belgian working day after ``start`` (weekends and holidays skipped)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def applies_to_person(item: TemplateItem, person, case_type_id: int, reference_day: date) -> bool:
    """Whether a person-scoped ``item`` applies to ``person`` (age taken on ``reference_day``).

    Age limits need a date of birth: without one, an age-bound step is not generated.
    """
    if item.case_type_ids and case_type_id not in item.case_type_ids:
        return False
    if item.nationality_group == NationalityGroup.EU and not person.is_eu_eea_ch:
        return False
    if item.nationality_group == NationalityGroup.THIRD_COUNTRY and person.is_eu_eea_ch:
        return False
    if item.household_roles and str(person.household_role) not in item.household_roles:
        return False
    if item.min_age is not None or item.max_age is not None:
        if person.date_of_birth is None:
            return False
        age = age_on(person.date_of_birth, reference_day)
        if item.min_age is not None and age < item.min_age:
            return False
        if item.max_age is not None and age > item.max_age:
            return False
    return True


def applies_to_household(item: TemplateItem, case_type_id: int) -> bool:
    return item.scope == Scope.HOUSEHOLD and (
        not item.case_type_ids or case_type_id in item.case_type_ids
    )


def due_date(
    item: TemplateItem,
    arrival: date | None,
    born: date | None = None,
    expiry: date | None = None,
) -> date | None:
    """The computed due date of ``item``, or None when its rule cannot give one yet."""
    kind, n = item.deadline_kind, item.deadline_value or 0
    if kind == DeadlineKind.EXPIRY_WINDOW:
        if expiry is None:
            return None
        return expiry - relativedelta(months=item.deadline_value_to or 0)
    if kind in (DeadlineKind.YEAR_TURNING, DeadlineKind.SCHOOL_START):
        if born is None:
            return None
        month = 1 if kind == DeadlineKind.YEAR_TURNING else 9
        due = date(born.year + n, month, 1)
        # Someone already past that date on arrival has to arrange it straight away.
        return max(due, arrival) if arrival else due
    if arrival is None:
        return None
    if kind == DeadlineKind.CALENDAR_DAYS:
        return arrival + timedelta(days=n)
    if kind == DeadlineKind.WORKING_DAYS:
        return add_working_days(arrival, n)
    if kind == DeadlineKind.MONTHS:
        return arrival + relativedelta(months=n)
    return None

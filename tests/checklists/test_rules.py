"""Deadline and applies-to rules at their edges (pure functions, no database)."""

from datetime import date

import pytest

from caseflow.cases.models import HouseholdRole, Person
from caseflow.checklists import rules
from caseflow.checklists.models import DeadlineKind, NationalityGroup, Scope, TemplateItem


def step(**fields) -> TemplateItem:
    defaults = {
        "scope": Scope.PERSON,
        "nationality_group": None,
        "household_roles": [],
        "min_age": None,
        "max_age": None,
        "case_type_ids": [],
        "deadline_kind": DeadlineKind.NONE,
        "deadline_value": None,
        "deadline_value_to": None,
    }
    return TemplateItem(**(defaults | fields))


def someone(
    nationality="IN", second=None, role=HouseholdRole.MAIN_APPLICANT, born=date(1990, 1, 1)
):
    return Person(
        nationality=nationality, second_nationality=second, household_role=role, date_of_birth=born
    )


SCHOOL = step(deadline_kind=DeadlineKind.SCHOOL_START, deadline_value=5)


@pytest.mark.parametrize("born", [date(2021, 8, 31), date(2021, 9, 1)])
def test_school_is_due_on_1_september_of_the_year_the_child_turns_5(born):
    # Flanders counts the calendar year, not a 31 August cut-off: both children born
    # on either side of 1 September 2021 turn 5 in 2026 and start on 1 September 2026.
    assert rules.due_date(SCHOOL, arrival=date(2026, 3, 1), born=born) == date(2026, 9, 1)


def test_school_year_changes_between_31_december_and_1_january():
    arrival = date(2026, 3, 1)
    assert rules.due_date(SCHOOL, arrival, born=date(2021, 12, 31)) == date(2026, 9, 1)
    assert rules.due_date(SCHOOL, arrival, born=date(2022, 1, 1)) == date(2027, 9, 1)


def test_a_child_already_of_school_age_is_due_on_arrival():
    assert rules.due_date(SCHOOL, date(2026, 10, 5), born=date(2016, 4, 4)) == date(2026, 10, 5)


CARE_PREMIUM = step(deadline_kind=DeadlineKind.YEAR_TURNING, deadline_value=26)


def test_care_premium_for_someone_turning_26_this_year_is_due_on_arrival():
    # Turns 26 in December 2026, arrives in March 2026: 1 January 2026 has passed.
    due = rules.due_date(CARE_PREMIUM, date(2026, 3, 10), born=date(2000, 12, 31))
    assert due == date(2026, 3, 10)


def test_care_premium_for_someone_turning_26_next_year_is_due_on_1_january():
    due = rules.due_date(CARE_PREMIUM, date(2026, 3, 10), born=date(2001, 1, 1))
    assert due == date(2027, 1, 1)


REGISTRATION = step(deadline_kind=DeadlineKind.WORKING_DAYS, deadline_value=8)


def test_eight_working_days_across_christmas():
    # Arrival Tue 22 Dec 2026; 25 Dec and 1 Jan are holidays, weekends skipped:
    # 23, 24, 28, 29, 30, 31 Dec, 4, 5 Jan.
    assert rules.due_date(REGISTRATION, date(2026, 12, 22)) == date(2027, 1, 5)


def test_eight_working_days_across_easter_monday():
    # Easter Monday 2027 is 29 March. Arrival Thu 25 March:
    # 26 Mar, 30, 31 Mar, 1, 2, 5, 6, 7 Apr (Easter Monday and weekends skipped).
    assert rules.is_working_day(date(2027, 3, 29)) is False
    assert rules.due_date(REGISTRATION, date(2027, 3, 25)) == date(2027, 4, 7)


def test_calendar_days_and_months():
    arrival = date(2026, 1, 31)
    assert rules.due_date(
        step(deadline_kind=DeadlineKind.CALENDAR_DAYS, deadline_value=30), arrival
    ) == date(2026, 3, 2)
    # A month after 31 January is the last day of February.
    assert rules.due_date(
        step(deadline_kind=DeadlineKind.MONTHS, deadline_value=1), arrival
    ) == date(2026, 2, 28)


def test_expiry_window_counts_back_from_the_expiry_date():
    renewal = step(deadline_kind=DeadlineKind.EXPIRY_WINDOW, deadline_value=6, deadline_value_to=2)
    assert rules.due_date(renewal, date(2026, 1, 1)) is None  # no expiry date yet
    assert rules.due_date(renewal, date(2026, 1, 1), expiry=date(2027, 6, 30)) == date(2027, 4, 30)


def test_no_arrival_date_means_no_arrival_based_deadline():
    assert rules.due_date(REGISTRATION, None) is None
    assert rules.due_date(step(), date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("person", "eu_step", "third_country_step"),
    [
        (someone("PT"), True, False),
        (someone("IN"), False, True),
        (someone("IN", second="IE"), True, False),  # dual: the most favourable (EU) applies
        (someone("NO"), True, False),  # EEA
        (someone("CH"), True, False),  # Swiss
    ],
)
def test_nationality_groups(person, eu_step, third_country_step):
    eu = step(nationality_group=NationalityGroup.EU)
    third = step(nationality_group=NationalityGroup.THIRD_COUNTRY)
    day = date(2026, 5, 1)
    assert rules.applies_to_person(eu, person, 1, day) is eu_step
    assert rules.applies_to_person(third, person, 1, day) is third_country_step


def test_age_limits_are_inclusive_and_taken_on_the_arrival_date():
    okan = step(min_age=12, max_age=17)
    arrival = date(2026, 9, 1)
    assert rules.applies_to_person(okan, someone(born=date(2014, 9, 1)), 1, arrival)  # 12 today
    assert not rules.applies_to_person(okan, someone(born=date(2014, 9, 2)), 1, arrival)  # 11
    assert rules.applies_to_person(okan, someone(born=date(2008, 9, 2)), 1, arrival)  # 17
    assert not rules.applies_to_person(okan, someone(born=date(2008, 9, 1)), 1, arrival)  # 18
    assert not rules.applies_to_person(okan, someone(born=None), 1, arrival)


def test_roles_and_case_types():
    partner_only = step(household_roles=["partner"], case_type_ids=[3])
    partner = someone(role=HouseholdRole.PARTNER)
    day = date(2026, 1, 1)
    assert rules.applies_to_person(partner_only, partner, 3, day)
    assert not rules.applies_to_person(partner_only, partner, 4, day)
    assert not rules.applies_to_person(partner_only, someone(), 3, day)
    household = step(scope=Scope.HOUSEHOLD, case_type_ids=[3])
    assert rules.applies_to_household(household, 3) and not rules.applies_to_household(household, 4)


def test_age_on_handles_leap_day_birthdays():
    assert rules.age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert rules.age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18

"""How client documents greet the household: the case's own salutation, else a default
built from the persons, in the client's language.

Conventions (the case form lets the advisor type another one):

- en: the adults' first names: "Dear Priya and Rohan", "Dear Priya".
- nl: a household of several persons who share one last name is a family: "Beste
  familie Patel"; otherwise the adults' first names: "Beste Priya en Rohan".
- fr: the same rule, "Chère famille Karimi" / "Bonjour Priya et Rohan". "Chère Madame
  Karimi" needs a gender or a title, which Caseflow does not record (and need not), so
  the French default stays neutral.

The internal household label (``household_name``, "Patel family (Hasselt)") is never
used: it is how the team refers to the case, not how the client is addressed.
"""

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import inspect, select

from caseflow.cases.models import Case, HouseholdRole, Person
from caseflow.extensions import db

ADDRESSED_ROLES = (HouseholdRole.MAIN_APPLICANT, HouseholdRole.PARTNER)


def case_persons(case: Case) -> list[Person]:
    """The case's persons: the loaded ones, else one query."""
    if "persons" not in inspect(case).unloaded:
        return list(case.persons)
    return list(
        db.session.scalars(
            select(Person).where(Person.case_id == case.id).order_by(Person.position)
        )
    )


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])


def build_salutation(persons: list[Person], language: str) -> str:
    """The default salutation for these persons in ``language`` (nl, en or fr)."""
    present = [p for p in persons if not p.is_erased]
    adults = [p for p in present if p.household_role in ADDRESSED_ROLES]
    if not adults:
        adults = [p for p in present if p.household_role != HouseholdRole.CHILD] or present
    with force_locale(language):
        if not adults:
            return _("Dear client")
        last_names = {p.last_name.strip().casefold() for p in present}
        if language != "en" and len(present) > 1 and len(last_names) == 1:
            return _("Dear %(last_name)s family", last_name=present[0].last_name.strip())
        return _("Dear %(names)s", names=_join([p.first_name.strip() for p in adults]))


def salutation_for(case: Case, persons: list[Person] | None = None) -> str:
    """What the client documents say: the case's salutation, else the default."""
    if case.salutation:
        return case.salutation
    return default_salutation(case, persons)


def default_salutation(case: Case, persons: list[Person] | None = None) -> str:
    persons = case_persons(case) if persons is None else persons
    return build_salutation(persons, case.client_language.value)

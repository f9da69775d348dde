"""Erasure: a person's or a whole case's personal data removed, the anonymous facts kept.

API (being built in issue 10; the stub raises):
``erase_case(case, *, reason, actor)`` and ``erase_person(person, *, reason, actor)``
flush and never commit. ``actor`` is None when retention erases a case.
"""

from caseflow.cases.models import Case, Person


def erase_case(case: Case, *, reason: str, actor=None) -> None:
    """Remove every personal field of ``case`` and its persons; keep what the funder
    report counts (nationality, municipality, type, household size, ages, months)."""
    raise NotImplementedError


def erase_person(person: Person, *, reason: str, actor=None) -> None:
    """Remove one person's personal data from a case."""
    raise NotImplementedError

"""Where a new case can start from, other than a blank form: a first-line contact
(caseflow/contacts), ... Feature packages register a source when the app is set up;
``cases`` never imports them.

The new-case form carries the source in a hidden field, ``source`` = "<name>:<id>"
(e.g. "contact:12"): a GET of ``/cases/new?from=contact:12`` prefills the form from it,
and the save links the new case to it, in the same transaction.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from caseflow.auth.models import User
from caseflow.cases.models import Case

SOURCE = re.compile(r"^([a-z_]{1,20}):([1-9][0-9]{0,9})$")


@dataclass(frozen=True)
class IntakeSource:
    # Fills the form from the record with this id; False when ``user`` may not use it.
    prefill: Callable[[object, int, User], bool]
    # Links the saved case to the record (flushes; raises DomainError to refuse).
    created: Callable[[Case, int, User], None]


SOURCES: dict[str, IntakeSource] = {}


def register_intake_source(name: str, source: IntakeSource) -> None:
    SOURCES[name] = source


def _parse(value: str | None) -> tuple[IntakeSource, int] | None:
    match = SOURCE.match(value or "")
    if match is None or match.group(1) not in SOURCES:
        return None
    return SOURCES[match.group(1)], int(match.group(2))


def is_valid(value: str | None) -> bool:
    return not value or _parse(value) is not None


def prefill(form, value: str | None, user: User) -> bool:
    """Fill ``form`` from the source named by ``value``; False when there is none."""
    parsed = _parse(value)
    return parsed is not None and parsed[0].prefill(form, parsed[1], user)


def case_created(case: Case, value: str | None, user: User) -> None:
    parsed = _parse(value)
    if parsed is not None:
        parsed[0].created(case, parsed[1], user)

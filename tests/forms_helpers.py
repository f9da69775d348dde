"""Helpers for the bad-input form tests: form payloads and "what the person sees" checks."""

import html
import re
from datetime import date, timedelta

from markupsafe import escape
from sqlalchemy import select

from caseflow.cases.models import Case, CaseType, Person
from caseflow.core.time import today
from caseflow.extensions import db
from tests.conftest import db_digest

# Marks a form field that is left out of the POST entirely.
MISSING = object()

LONG = "x" * 10_000
NUL = "Ana\x00Silva"
XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

# Ids in a URL that match no row: words, signs, decimals, beyond 32 and 64 bits.
BAD_URL_IDS = ["abc", "-1", "99999", "1.5", "2147483648", "9" * 30]

# Valid but unusual names: they must be stored verbatim and shown escaped.
UNUSUAL_NAMES = {
    "emoji": "Zoë 😀",
    "arabic": "مريم",
    "hebrew": "דוד",
    "apostrophe-hyphen": "O'Brien-Núñez",
    "cyrillic": "Анна-Мария",
    "html": XSS,
}


def future_day(days: int = 3) -> str:
    """An ISO date safely in the future, whatever the time zone of the test machine."""
    return (today() + timedelta(days=days)).isoformat()


def iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def apply(data: dict, overrides: dict | None) -> dict:
    """``data`` with ``overrides`` applied; a MISSING value removes the key."""
    result = dict(data)
    for key, value in (overrides or {}).items():
        if value is MISSING:
            result.pop(key, None)
        else:
            result[key] = value
    return result


# --- case forms -------------------------------------------------------------------------


def person_row(index: int, **fields) -> dict:
    row = {
        "id": "",
        "first_name": "Ana",
        "last_name": "Silva",
        "household_role": "main_applicant",
        "date_of_birth": "1990-05-17",
        "nationality": "BR",
        "second_nationality": "",
        "email": "",
        "phone": "",
    }
    row.update(fields)
    return {f"persons-{index}-{name}": value for name, value in row.items()}


def first_case_type(centre_id: int) -> CaseType:
    return db.session.scalars(
        select(CaseType).where(CaseType.centre_id == centre_id).order_by(CaseType.id)
    ).first()


def new_case_form(case_type_id: int, overrides: dict | None = None, persons=None) -> dict:
    """A valid /cases/new payload (unassigned, consent given), then ``overrides``."""
    data = {
        "household_name": "Silva family",
        "case_type_id": str(case_type_id),
        "arrival_date": "",
        "municipality": "",
        "employer": "",
        "sector": "",
        "referral_channel": "",
        "contact_email": "",
        "contact_phone": "",
        "client_language": "en",
        "advisor_id": "",
        "legal_basis": "consent",
        "consent": "y",
        "save": "1",
    }
    for index, row in enumerate(persons or [{}]):
        data.update(person_row(index, **row))
    return apply(data, overrides)


def edit_case_form(case_id: int, overrides: dict | None = None) -> dict:
    """The /cases/<id>/edit payload a browser sends unchanged, then ``overrides``."""
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    data = {
        "version": str(case.version),
        "household_name": case.household_name,
        "case_type_id": str(case.case_type_id),
        "arrival_date": iso(case.arrival_date),
        "municipality": case.municipality or "",
        "employer": case.employer or "",
        "sector": case.sector or "",
        "referral_channel": case.referral_channel.value if case.referral_channel else "",
        "contact_email": case.contact_email or "",
        "contact_phone": case.contact_phone or "",
        "client_language": case.client_language.value,
        "save": "1",
    }
    persons = db.session.scalars(
        select(Person).where(Person.case_id == case_id).order_by(Person.position)
    ).all()
    for index, p in enumerate(persons):
        data.update(
            person_row(
                index,
                id=str(p.id),
                first_name=p.first_name,
                last_name=p.last_name,
                household_role=p.household_role.value,
                date_of_birth=iso(p.date_of_birth),
                nationality=p.nationality,
                second_nationality=p.second_nationality or "",
                email=p.email or "",
                phone=p.phone or "",
            )
        )
    return apply(data, overrides)


def persons_of(case_id: int) -> list[Person]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Person).where(Person.case_id == case_id).order_by(Person.position)
        )
    )


def person_rows_shown(response) -> int:
    """How many person rows the case form shows."""
    return len(set(re.findall(r'name="persons-(\d+)-first_name"', response.get_data(as_text=True))))


# --- what the person sees ---------------------------------------------------------------

_ERROR_BLOCKS = re.compile(
    r'<div[^>]*class="[^"]*\binvalid-feedback\b[^"]*"[^>]*>(.*?)</div>'
    r'|<div[^>]*class="[^"]*\balert-danger\b[^"]*"[^>]*>(.*?)</div>',
    re.S,
)


def shown_errors(response) -> list[str]:
    """The error texts a person sees: field errors and red alerts (unescaped)."""
    body = response.get_data(as_text=True)
    return [html.unescape(" ".join((a or b).split())) for a, b in _ERROR_BLOCKS.findall(body)]


def assert_refused(response, before: str, message: str | None, statuses=(400,)) -> None:
    """Refused with a visible error (``message`` when given), the form shown, nothing stored."""
    body = response.get_data(as_text=True)
    if 300 <= response.status_code < 400:
        raise AssertionError(
            f"accepted (HTTP {response.status_code} to {response.location}), "
            f"expected a refusal with HTTP {statuses}"
        )
    assert response.status_code in statuses, (response.status_code, body[:3000])
    errors = shown_errors(response)
    assert errors, "no error message is shown to the user"
    if message is not None:
        assert any(message in error for error in errors), (message, errors)
    assert "<form" in body, "the form is not shown again"
    assert db_digest() == before, "something was stored although the input was refused"


def assert_shown_escaped(response, value: str) -> None:
    """``value`` appears HTML-escaped in the page, and never raw when it holds markup."""
    body = response.get_data(as_text=True)
    assert response.status_code == 200, (response.status_code, body[:2000])
    assert str(escape(value)) in body, f"{value!r} is not shown (escaped) on the page"
    if "<" in value:
        assert value not in body, f"{value!r} is shown unescaped"

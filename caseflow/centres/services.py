"""Centre services. None of them commit."""

import re
from collections.abc import Callable

from flask import current_app
from sqlalchemy import select

from caseflow.centres.models import Centre
from caseflow.centres.notices import ensure_notice
from caseflow.extensions import db


def _code_for(name: str) -> str:
    letters = re.sub(r"[^A-Za-z]", "", name.replace("Expat Centre", "")).upper()
    base = (letters or "CTR")[:3]
    code, n = base, 1
    while db.session.scalar(select(Centre.id).where(Centre.code == code)):
        n += 1
        code = f"{base}{n}"
    return code


# What a feature package gives every new centre (e.g. the default contact topics),
# registered when the app is set up: centres never imports feature packages.
CENTRE_SETUP: list[Callable[[Centre], None]] = []


def register_centre_setup(setup: Callable[[Centre], None]) -> None:
    if setup not in CENTRE_SETUP:
        CENTRE_SETUP.append(setup)


def get_or_create_centre(name: str, code: str | None = None) -> Centre:
    """Return the centre called ``name``, creating it (and its case types) if new. Flushes."""
    centre = db.session.scalar(select(Centre).where(Centre.name == name))
    if centre is None:
        centre = Centre(name=name, code=code or _code_for(name))
        db.session.add(centre)
        db.session.flush()
        from caseflow.cases.services import ensure_default_case_types

        ensure_default_case_types(centre)
        ensure_notice(centre)
        for setup in CENTRE_SETUP:
            setup(centre)
    return centre


def default_centre() -> Centre:
    """The installation's default centre (``DEFAULT_CENTRE_NAME``), created when first needed."""
    return get_or_create_centre(
        current_app.config["DEFAULT_CENTRE_NAME"], current_app.config["DEFAULT_CENTRE_CODE"]
    )

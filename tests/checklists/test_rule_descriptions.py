"""Deadline rules in words, with real plurals in English and Dutch ("1 month", not "1 months")."""

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from caseflow.checklists.labels import describe_deadline
from caseflow.checklists.models import DeadlineKind, TemplateItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.extensions import db


def _rule(kind, n, m=None) -> TemplateItem:
    return TemplateItem(deadline_kind=kind, deadline_value=n, deadline_value_to=m)


@pytest.mark.parametrize(
    ("kind", "n", "m", "en", "nl"),
    [
        (DeadlineKind.MONTHS, 1, None, "1 month after arrival", "1 maand na aankomst"),
        (DeadlineKind.MONTHS, 3, None, "3 months after arrival", "3 maanden na aankomst"),
        (DeadlineKind.CALENDAR_DAYS, 1, None, "1 day after arrival", "1 dag na aankomst"),
        (DeadlineKind.CALENDAR_DAYS, 10, None, "10 days after arrival", "10 dagen na aankomst"),
        (
            DeadlineKind.WORKING_DAYS,
            1,
            None,
            "1 working day after arrival",
            "1 werkdag na aankomst",
        ),
        (
            DeadlineKind.WORKING_DAYS,
            8,
            None,
            "8 working days after arrival",
            "8 werkdagen na aankomst",
        ),
        (
            DeadlineKind.EXPIRY_WINDOW,
            0,
            1,
            "between 0 and 1 month before the expiry date",
            "tussen 0 en 1 maand vóór de vervaldatum",
        ),
        (
            DeadlineKind.EXPIRY_WINDOW,
            1,
            3,
            "between 1 and 3 months before the expiry date",
            "tussen 1 en 3 maanden vóór de vervaldatum",
        ),
    ],
)
def test_rule_descriptions_use_singular_and_plural(app, kind, n, m, en, nl):
    with app.test_request_context():
        with force_locale("en"):
            assert describe_deadline(_rule(kind, n, m)) == en
        with force_locale("nl"):
            assert describe_deadline(_rule(kind, n, m)) == nl


@pytest.mark.parametrize(
    ("locale", "text"), [("en", "1 month after arrival"), ("nl", "1 maand na aankomst")]
)
def test_the_admin_step_list_says_1_month(client_for, make_user, centre, locale, text):
    seed_catalogue(centre)
    item = db.session.scalars(select(TemplateItem)).first()
    item.deadline_kind, item.deadline_value = DeadlineKind.MONTHS, 1
    db.session.commit()
    client = client_for(make_user("admin"))
    client.post_form("/language", {"locale": locale})
    page = client.get(f"/admin/checklists/{item.template_id}").get_data(as_text=True)
    assert text in page
    assert "1 months" not in page and "1 maanden" not in page

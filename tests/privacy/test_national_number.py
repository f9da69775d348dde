"""Caseflow records THAT a national register or BIS number was obtained, never the
number: no column of any table and no field of any form may hold one."""

import re

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FormField

from caseflow.cases.forms import PersonForm
from caseflow.cases.models import Person
from caseflow.extensions import db
from tests.test_form_input_rules import FORM_CLASSES, _make

# Names and labels that smell of the number itself (Dutch, French, English; INSZ/NISS/
# SSIN is the national number, BIS the number of someone not in the register).
SUSPECT = re.compile(
    r"national[\s_-]*(register|number|id)|rijksregister|register[\s_-]*number|"
    r"\binsz\b|\bniss\b|\bssin\b|\bnn\b|\bbis\b|bis[\s_-]*(number|nummer)|"
    r"(^|_)(insz|niss|ssin|bis|rrn)(_|$)|numéro national|registre national",
    re.IGNORECASE,
)
# The one thing allowed: a yes/no that the number was seen.
FLAG = "national_number_obtained"


def _suspect(*texts) -> bool:
    return any(SUSPECT.search(str(text)) for text in texts if text)


def test_no_column_holds_a_national_number():
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if _suspect(column.name, column.comment):
                found.append((table.name, column.name))
    assert found == [("persons", FLAG)]
    assert isinstance(Person.__table__.c[FLAG].type, sa.Boolean)
    assert Person.__table__.c[FLAG].nullable is False


def test_the_database_has_no_such_column_either():
    """What the migrations built, not only what the models say."""
    inspector = sa.inspect(db.engine)
    found = [
        (table, column["name"])
        for table in inspector.get_table_names()
        for column in inspector.get_columns(table)
        if _suspect(column["name"])
    ]
    assert found == [("persons", FLAG)]


def _fields(form):
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif hasattr(field, "entries"):  # FieldList / RowList
            for entry in field.entries:
                yield from _fields(entry.form if isinstance(entry, FormField) else [entry])
        else:
            yield field


def test_no_form_field_asks_for_a_national_number(app):
    assert PersonForm in FORM_CLASSES  # the walk covers the person rows
    found = []
    with app.test_request_context():
        for form_class in FORM_CLASSES:
            form = _make(form_class, MultiDict())
            for field in _fields(form):
                if _suspect(field.name, field.label.text, field.description):
                    found.append((form_class.__name__, field.short_name, field))
    assert found, "the person form's flag should be found"
    for form_name, name, field in found:
        assert name == FLAG, (form_name, name)
        assert isinstance(field, BooleanField), (form_name, name)

"""Finding 9: no control characters in single-line fields, in every form of the app.

The forms are discovered (every WTForms form class defined under ``caseflow``), so a
new form is covered without being listed here: it must derive from ``core.forms.Form``
or ``SubForm``, which add the rule to every field.
"""

import importlib
import pkgutil

import pytest
import wtforms
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

import caseflow
from caseflow.core.forms import Form, SubForm
from tests.conftest import db_digest, person
from tests.forms_helpers import assert_refused, first_case_type, future_day, new_case_form

SINGLE_LINE = "Line breaks, tabs and other control characters are not allowed here."
MULTI_LINE = "This field contains characters that are not allowed."
INJECTION = "Ana Silva\r\nBcc: victim@example.org"
# One line, but control characters all the same.
BAD_SINGLE_LINE = [
    pytest.param(INJECTION, id="crlf-bcc"),
    pytest.param("Ana\nSilva", id="lf"),
    pytest.param("Ana\rSilva", id="cr"),
    pytest.param("Ana\tSilva", id="tab"),
    pytest.param("Ana\x00Silva", id="nul"),
    pytest.param("Ana\x7fSilva", id="del"),
    pytest.param("Ana\x85Silva", id="nel"),
    pytest.param("Ana\u2028Silva", id="line-separator"),
    pytest.param("Ana\u2029Silva", id="paragraph-separator"),
]


def _all_form_classes() -> list[type]:
    for module in pkgutil.walk_packages(caseflow.__path__, "caseflow."):
        importlib.import_module(module.name)
    found, todo = set(), [wtforms.Form]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("caseflow.") and sub not in (Form, SubForm):
                found.add(sub)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


FORM_CLASSES = _all_form_classes()
# Forms whose constructor takes more than form data.
FACTORIES = {
    "caseflow.cases.forms.FilterForm": lambda cls, data: cls(data, [], [], "en"),
}


def _posted(cls, name: str, value: str) -> MultiDict:
    """Form data for one field, under the name it has in the page (forms sharing a page
    carry a prefix)."""
    return MultiDict({_make(cls, MultiDict())[name].name: value})


def _make(cls, data: MultiDict):
    factory = FACTORIES.get(f"{cls.__module__}.{cls.__name__}")
    if factory:
        form = factory(cls, data)
    elif issubclass(cls, Form):
        form = cls(formdata=data, meta={"csrf": False})
    else:
        form = cls(formdata=data)
    for field in form:  # choices a route fills in (the centre's staff, case types)
        if isinstance(field, wtforms.SelectFieldBase) and getattr(field, "choices", 0) is None:
            field.choices = []
    return form


def _is_single_line(field_class) -> bool:
    return issubclass(field_class, wtforms.StringField) and not issubclass(
        field_class, wtforms.TextAreaField | wtforms.PasswordField
    )


def _fields(kind) -> list:
    """(form class, field name) of every field of the kind, from the class definitions."""
    params = []
    for cls in FORM_CLASSES:
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            if isinstance(unbound, UnboundField) and kind(unbound.field_class):
                params.append(pytest.param(cls, name, id=f"{cls.__name__}.{name}"))
    return params


SINGLE_LINE_FIELDS = _fields(_is_single_line)
TEXT_AREAS = _fields(lambda field_class: issubclass(field_class, wtforms.TextAreaField))


def test_forms_are_discovered():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"LoginForm", "CaseForm", "PersonForm", "NoteForm", "FollowUpForm"} <= names
    assert len(SINGLE_LINE_FIELDS) >= 15 and len(TEXT_AREAS) >= 5


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda cls: cls.__name__)
def test_every_form_derives_from_the_safe_base(cls):
    assert issubclass(cls, Form | SubForm), (
        f"{cls.__module__}.{cls.__name__} must derive from caseflow.core.forms.Form "
        "(or SubForm), which refuses control characters and long echoes"
    )


@pytest.mark.parametrize("value", BAD_SINGLE_LINE)
@pytest.mark.parametrize(("cls", "name"), SINGLE_LINE_FIELDS)
def test_every_single_line_field_refuses_control_characters(app, cls, name, value):
    with app.test_request_context(method="POST"):
        form = _make(cls, _posted(cls, name, value))
        assert not form.validate()
        errors = form[name].errors
        if "\x00" in value or "\x7f" in value:
            # A field that names NoNulBytes says so with its message; one message only.
            assert len({SINGLE_LINE, MULTI_LINE} & set(map(str, errors))) == 1, errors
        else:
            assert SINGLE_LINE in errors, errors


@pytest.mark.parametrize(("cls", "name"), TEXT_AREAS)
def test_text_areas_keep_line_breaks_and_tabs_but_no_other_controls(app, cls, name):
    with app.test_request_context(method="POST"):
        form = _make(cls, _posted(cls, name, "First line\r\nSecond\tline\u2028"))
        form.validate()
        assert SINGLE_LINE not in form[name].errors and MULTI_LINE not in form[name].errors
        for bad in ("Red \x1b[31m", "Bell\x07", "Del\x7f", "Nul\x00"):
            form = _make(cls, _posted(cls, name, bad))
            assert not form.validate()
            assert list(map(str, form[name].errors)).count(MULTI_LINE) == 1, form[name].errors


# --- through the real pages: refused with the form error, nothing stored ----------------


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Ada Admin")


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", name="Arne Advisor")


@pytest.fixture
def case(make_case, advisor):
    return make_case(advisor, persons=[person()])


def _new_case(case):
    return new_case_form(first_case_type(case.centre_id).id)


PAGES = {
    "profile name": ("advisor", lambda case: "/profile", lambda case: {"full_name": INJECTION}),
    "household name": (
        "advisor",
        lambda case: "/cases/new",
        lambda case: _new_case(case) | {"household_name": INJECTION},
    ),
    "person's last name": (
        "advisor",
        lambda case: "/cases/new",
        lambda case: _new_case(case) | {"persons-0-last_name": INJECTION},
    ),
    "employer": (
        "advisor",
        lambda case: "/cases/new",
        lambda case: _new_case(case) | {"employer": "Acme\r\nBcc: x@example.org"},
    ),
    "follow-up title": (
        "advisor",
        lambda case: f"/cases/{case.id}/followups",
        lambda case: {
            "title": "Call\r\nBcc: victim@example.org",
            "details": "",
            "due_date": future_day(),
            "assignee_id": str(case.advisor_id),
        },
    ),
    "new user's name": (
        "admin",
        lambda case: "/admin/users/new",
        lambda case: {
            "full_name": INJECTION,
            "email": "nina.new@example.org",
            "role": "advisor",
            "is_active": "y",
            "password": "copper-meadow-lantern-87",
        },
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_pages_refuse_a_line_break_and_store_nothing(client_for, admin, advisor, case, page):
    role, url, data = PAGES[page]
    client = client_for(admin if role == "admin" else advisor)
    before = db_digest()
    response = client.post_form(url(case), data(case))
    assert_refused(response, before, SINGLE_LINE)

"""Form pieces shared by every area: filters and validators for plain text input."""

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations as flask_wtf_translations
from wtforms import HiddenField, SelectChoice, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


def Stripped(value):  # noqa: N802 - used like a class in ``filters=[...]``
    """Trim surrounding white space (pair with EmptyToNone to store None for blanks)."""
    return value.strip() if isinstance(value, str) else value


def EmptyToNone(value):  # noqa: N802
    return value if value not in ("", None) else None


class NoNulBytes:
    """Refuse NUL and other control characters (a tab and line breaks are fine)."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        data = field.data
        if isinstance(data, str) and any(ord(ch) < 32 and ch not in "\t\r\n" for ch in data):
            raise ValidationError(
                self.message or _l("This field contains characters that are not allowed.")
            )


# The largest id a URL or form may name: PostgreSQL's INTEGER.
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """A database id from user input, or None for anything else ("²", "-1", "0x1", huge)."""
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class VersionField(HiddenField):
    """The row version a form was loaded with, for optimistic locking. Required."""

    def process_formdata(self, valuelist):
        self.data = parse_id(valuelist[0]) if valuelist else None

    def pre_validate(self, form):
        if self.data is None:
            raise ValidationError(_l("This form is incomplete. Reload the page and try again."))


class RowList(wtforms.FieldList):
    """A FieldList of form rows that ignores keys whose index is not a plain small number.

    WTForms' own parsing accepts any Unicode digit ("persons-²-name") and then fails.
    """

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isascii() and index.isdigit() and len(index) <= 4:
                    yield int(index)


def _as_select_choices(choices):
    if isinstance(choices, list | tuple):
        return [c if isinstance(c, SelectChoice) else SelectChoice(c[0], c[1]) for c in choices]
    return choices


class _ChoicePairsMixin:
    """Accept (value, label) pairs as choices: WTForms 3.3 deprecates tuples in favour
    of SelectChoice objects, and converting here keeps every form's choices readable."""

    def __init__(self, label=None, validators=None, choices=None, **kwargs):
        super().__init__(label, validators, choices=_as_select_choices(choices), **kwargs)

    choices = wtforms.SelectField.choices.setter(
        lambda self, value: wtforms.SelectField.choices.fset(self, _as_select_choices(value))
    )


class SelectField(_ChoicePairsMixin, wtforms.SelectField):
    """A select list."""


class CheckboxesField(_ChoicePairsMixin, wtforms.SelectMultipleField):
    """A group of checkboxes (the template renders it as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubForm(wtforms.Form):
    """A form nested in a FlaskForm (FormField rows): CSRF is the outer form's, and
    WTForms' own messages ("This field is required.") are translated like FlaskForm's."""

    class Meta:
        def get_translations(self, form):
            return flask_wtf_translations

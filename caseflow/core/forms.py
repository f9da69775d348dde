"""Form pieces shared by every area: the base forms, filters and validators for text.

Every form of the app derives from ``Form`` (a FlaskForm) or ``SubForm`` (rows nested in
one). Both apply two rules to every field, so no form can forget them:

- control characters are refused: none at all in single-line fields (a line break in a
  name could end up in an email header or body), only tab and line breaks in text areas
  (passwords are left alone: they are only hashed, and a wrong one stays "wrong");
- a refused form never shows more of a value than the field's maximum length (a 10,000
  character paste is not echoed back whole).
"""

import re

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as flask_wtf_translations
from wtforms import HiddenField, SelectChoice, ValidationError
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget


def Stripped(value):  # noqa: N802 - used like a class in ``filters=[...]``
    """Trim surrounding white space (pair with EmptyToNone to store None for blanks)."""
    return value.strip() if isinstance(value, str) else value


def EmptyToNone(value):  # noqa: N802
    return value if value not in ("", None) else None


# C0 controls, DEL, C1 controls (NEL among them) and the Unicode line and paragraph
# separators: none of them belongs in a one-line value.
SINGLE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Text areas keep tab and line breaks (browsers send CR LF), nothing else.
MULTI_LINE_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


NOT_ALLOWED = _l("This field contains characters that are not allowed.")

# Shown under every free-text field about a person (templates/macros/forms.html).
SPECIAL_CATEGORY_HINT = _l(
    "Do not write down health, religion, ethnic origin, political views, sexual "
    "orientation or other special-category details."
)


class PersonalText:
    """Marks a text area about a person: the form macro shows SPECIAL_CATEGORY_HINT
    under it (data minimisation, GDPR art. 9). Validates nothing."""

    field_flags = {"personal_text": True}

    def __call__(self, form, field):
        return None


def is_multi_line(field) -> bool:
    return isinstance(field, wtforms.TextAreaField)


class NoNulBytes:
    """Refuse NUL and other control characters (a tab and line breaks are fine).

    Kept for the fields that name it; ``Form`` and ``SubForm`` apply the stricter
    ``NoControlCharacters`` to every field anyway.
    """

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        data = field.data
        if isinstance(data, str) and MULTI_LINE_FORBIDDEN.search(data):
            raise ValidationError(self.message or NOT_ALLOWED)


class NoControlCharacters:
    """No control characters: none in a single-line field, only tab and line breaks in a
    text area. ``Form`` and ``SubForm`` add it to every text field."""

    def __call__(self, form, field):
        if str(NOT_ALLOWED) in (str(error) for error in field.errors):
            return  # the field's own NoNulBytes said it already: one message is enough
        values = [field.data] if isinstance(field.data, str) else []
        values += [v for v in field.raw_data or () if isinstance(v, str)]
        forbidden = MULTI_LINE_FORBIDDEN if is_multi_line(field) else SINGLE_LINE_FORBIDDEN
        if any(forbidden.search(value) for value in values):
            if is_multi_line(field):
                raise ValidationError(NOT_ALLOWED)
            raise ValidationError(
                _l("Line breaks, tabs and other control characters are not allowed here.")
            )


# A refused value without a Length rule (a date, a number) is shown at most this long.
MAX_ECHO = 100


def max_length(field) -> int | None:
    """The largest length a field's ``Length`` validator allows, if it has one."""
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
    return min(limits) if limits else None


def _truncate_for_display(field) -> None:
    """Cut what a refused field shows to its maximum length (never the whole paste)."""
    limit = max_length(field)
    if limit is not None and isinstance(field.data, str) and len(field.data) > limit:
        field.data = field.data[:limit]
    if getattr(field, "raw_data", None):
        raw_limit = limit if limit is not None else MAX_ECHO
        field.raw_data = [
            value[:raw_limit] if isinstance(value, str) else value for value in field.raw_data
        ]


class _SafeInputMixin:
    """The rules every form applies (see the module docstring)."""

    def validate(self, extra_validators=None):
        extra = {name: list(validators) for name, validators in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            # Passwords are never shown or mailed, only hashed: a wrong one stays "wrong".
            if isinstance(field, wtforms.StringField) and not isinstance(
                field, wtforms.PasswordField
            ):
                extra.setdefault(name, []).append(NoControlCharacters())
        valid = super().validate(extra_validators=extra)
        if not valid:
            for field in self._fields.values():
                _truncate_for_display(field)
        return valid


class Form(_SafeInputMixin, FlaskForm):
    """The base of every form of the app (a FlaskForm: CSRF, translated messages)."""


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


class SubForm(_SafeInputMixin, wtforms.Form):
    """A form nested in a FlaskForm (FormField rows): CSRF is the outer form's, and
    WTForms' own messages ("This field is required.") are translated like FlaskForm's."""

    class Meta:
        def get_translations(self, form):
            return flask_wtf_translations

"""Form pieces shared by every area: filters and validators for plain text input."""

import wtforms
from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations as flask_wtf_translations
from wtforms import HiddenField, SelectChoice, ValidationError


def Stripped(value):  # noqa: N802 - used like a class in ``filters=[...]``
    """Trim surrounding white space; an empty string becomes None-like ''."""
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


class VersionField(HiddenField):
    """The row version a form was loaded with, for optimistic locking."""

    def process_formdata(self, valuelist):
        try:
            self.data = int(valuelist[0]) if valuelist and valuelist[0] else None
        except ValueError:
            self.data = None


def _as_select_choices(choices):
    if isinstance(choices, list | tuple):
        return [c if isinstance(c, SelectChoice) else SelectChoice(c[0], c[1]) for c in choices]
    return choices


class SelectField(wtforms.SelectField):
    """WTForms' SelectField, accepting (value, label) pairs as choices.

    WTForms 3.3 deprecates tuple choices in favour of SelectChoice objects; converting
    them here keeps every form's choice list short and readable.
    """

    def __init__(self, label=None, validators=None, choices=None, **kwargs):
        super().__init__(label, validators, choices=_as_select_choices(choices), **kwargs)

    choices = wtforms.SelectField.choices.setter(
        lambda self, value: wtforms.SelectField.choices.fset(self, _as_select_choices(value))
    )


class SubForm(wtforms.Form):
    """A form nested in a FlaskForm (FormField rows): CSRF is the outer form's, and
    WTForms' own messages ("This field is required.") are translated like FlaskForm's."""

    class Meta:
        def get_translations(self, form):
            return flask_wtf_translations

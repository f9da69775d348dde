"""Form pieces shared by every area: filters and validators for plain text input."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, ValidationError


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

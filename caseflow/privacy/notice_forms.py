"""The privacy notice form (admins)."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from caseflow.core.forms import Form, NoNulBytes, Stripped

NOTICE_MAX_LENGTH = 20_000


def _notice_text(label):
    return TextAreaField(
        label,
        filters=[Stripped],
        validators=[DataRequired(), Length(max=NOTICE_MAX_LENGTH), NoNulBytes()],
    )


class PrivacyNoticeForm(Form):
    """The notice in the three client languages; saving publishes a new version."""

    text_en = _notice_text(_l("Privacy notice in English"))
    text_nl = _notice_text(_l("Privacy notice in Dutch"))
    text_fr = _notice_text(_l("Privacy notice in French"))

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from caseflow.core.forms import (
    CheckboxesField,
    EmptyToNone,
    Form,
    NoNulBytes,
    PersonalText,
    Stripped,
)


class EmailChecklistForm(Form):
    recipients = CheckboxesField(
        _l("Send to"), validators=[DataRequired(message=_l("Choose at least one recipient."))]
    )
    personal_message = TextAreaField(
        _l("Personal message (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=2000), NoNulBytes(), PersonalText()],
        description=_l("Added to the email as you type it, in the language you write it in."),
    )
    include_portal_link = BooleanField(
        _l("Include a link to the client's page"),
        description=_l("A new link: the one sent earlier stops working."),
    )

"""The advisor's forms about the client's page."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from caseflow.core.forms import CheckboxesField, EmptyToNone, Form, NoNulBytes, Stripped
from caseflow.portal.services import REASON_MAX


class SendLinkForm(Form):
    recipients = CheckboxesField(
        _l("Send to"), validators=[DataRequired(message=_l("Choose at least one recipient."))]
    )


class RevokeLinkForm(Form):
    pass


class ConfirmClaimForm(Form):
    pass


class SendBackClaimForm(Form):
    reason = StringField(
        _l("Why (optional, the client reads it)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=REASON_MAX), NoNulBytes()],
    )

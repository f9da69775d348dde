"""The erasure form: a reason, and the case reference typed again as confirmation."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from caseflow.core.forms import Form, NoNulBytes, Stripped
from caseflow.privacy.erasure import REASON_MAX


class EraseForm(Form):
    reason = TextAreaField(
        _l("Reason for the erasure"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=REASON_MAX), NoNulBytes()],
        description=_l(
            'Shown on the case afterwards. Say why (e.g. "erasure request of 3 March"), '
            "not who: no names."
        ),
    )
    confirm_reference = StringField(
        _l("Type the case reference to confirm"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=24)],
    )

    def reference_matches(self, reference: str) -> bool:
        typed = (self.confirm_reference.data or "").strip()
        if typed.casefold() == reference.casefold():
            return True
        self.confirm_reference.errors = [
            *self.confirm_reference.errors,
            _l("This is not the case's reference."),
        ]
        return False

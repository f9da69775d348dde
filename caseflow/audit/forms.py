"""The filters of the audit pages (a GET form: it changes nothing)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import Optional

from caseflow.audit import labels
from caseflow.core.forms import Form, SelectField


class AuditFilterForm(Form):
    class Meta:
        csrf = False  # a GET that changes nothing

    user = SelectField(_l("Person"), default="")
    kind = SelectField(
        _l("Kind of action"),
        choices=[("", _l("Any")), *((key, label) for key, (label, _p) in labels.KINDS.items())],
        default="",
    )
    outcome = SelectField(
        _l("Outcome"), choices=[("", _l("Any")), *labels.OUTCOMES.items()], default=""
    )
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Until"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.start, self.end):
            if field.data and not 2000 <= field.data.year <= 2100:
                field.errors.append(_l("Choose a date between 2000 and 2100."))
                valid = False
        if valid and self.start.data and self.end.data and self.end.data < self.start.data:
            self.end.errors.append(_l("The end date is before the start date."))
            valid = False
        return valid

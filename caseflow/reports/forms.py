from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import Optional

from caseflow.core.forms import Form, SelectField


class PeriodForm(Form):
    class Meta:
        csrf = False  # a GET that changes nothing

    period = SelectField(
        _l("Period"),
        choices=[
            ("month", _l("Month")),
            ("quarter", _l("Quarter")),
            ("year", _l("Year")),
            ("custom", _l("Custom dates")),
        ],
        default="quarter",
    )
    on = DateField(
        _l("Containing the date"),
        validators=[Optional()],
        description=_l("The month, quarter or year that contains this date."),
    )
    start = DateField(_l("From (custom)"), validators=[Optional()])
    end = DateField(_l("Until (custom)"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        # Not a validate_end: Optional() would skip it exactly when a date is missing.
        valid = super().validate(extra_validators)
        for field in (self.on, self.start, self.end):
            if field.data and not 2000 <= field.data.year <= 2100:
                field.errors.append(_l("Choose a date between 2000 and 2100."))
                valid = False
        if self.period.data != "custom":
            return valid
        start, end = self.start.data, self.end.data
        if not start or not end:
            self.end.errors.append(_l("A custom period needs both dates."))
        elif end < start:
            self.end.errors.append(_l("The end date is before the start date."))
        elif (end - start).days > 3 * 366:
            self.end.errors.append(_l("Choose a period of at most three years."))
        else:
            return valid
        return False

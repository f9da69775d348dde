from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from caseflow.core.forms import SelectField


class PeriodForm(FlaskForm):
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

    def validate_end(self, field):
        if self.period.data != "custom":
            return
        if not self.start.data or not field.data:
            raise ValidationError(_l("A custom period needs both dates."))
        if field.data < self.start.data:
            raise ValidationError(_l("The end date is before the start date."))
        if (field.data - self.start.data).days > 3 * 366:
            raise ValidationError(_l("Choose a period of at most three years."))

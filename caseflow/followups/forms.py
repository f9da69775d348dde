from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from caseflow.core.forms import (
    EmptyToNone,
    Form,
    NoNulBytes,
    PersonalText,
    SelectField,
    Stripped,
    VersionField,
)
from caseflow.core.time import today


class FollowUpForm(Form):
    title = StringField(
        _l("What needs doing"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=200), NoNulBytes()],
    )
    details = TextAreaField(
        _l("Details (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=2000), NoNulBytes(), PersonalText()],
    )
    due_date = DateField(_l("Due date"), validators=[DataRequired(message=_l("Enter a due date."))])
    assignee_id = SelectField(_l("Assigned to"), validators=[DataRequired()])

    def validate_due_date(self, field):
        if field.data and field.data.year > today().year + 5:
            raise ValidationError(_l("Choose a due date within the next five years."))


class CloseFollowUpForm(Form):
    version = VersionField()

from flask_babel import lazy_gettext as _l
from wtforms import DateField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from caseflow.checklists import labels
from caseflow.checklists.models import ItemState
from caseflow.core.forms import (
    EmptyToNone,
    Form,
    NoNulBytes,
    PersonalText,
    SelectField,
    Stripped,
    VersionField,
)


class ItemForm(Form):
    """Everything an advisor can change on one checklist item."""

    state = SelectField(
        _l("State"), choices=[(s.value, label) for s, label in labels.STATE.items()]
    )
    not_applicable_reason = TextAreaField(
        _l("Why it does not apply"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=500), NoNulBytes(), PersonalText()],
        description=_l("Needed when the state is “Not applicable”."),
    )
    due_date_override = DateField(
        _l("Due date (override)"),
        validators=[Optional()],
        description=_l("Leave empty to use the date computed from the rule."),
    )
    expiry_date = DateField(
        _l("Expiry date of the permit or card"),
        validators=[Optional()],
        description=_l("The deadline is counted back from this date."),
    )
    note = TextAreaField(
        _l("Note on this step"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=2000), NoNulBytes(), PersonalText()],
    )
    version = VersionField()

    def validate_not_applicable_reason(self, field):
        if self.state.data == ItemState.NOT_APPLICABLE and not field.data:
            raise ValidationError(_l("Say why this step does not apply."))


# The states an "Undo" on the case page may return a step to (it was open before).
UNDO_STATES = (ItemState.TODO, ItemState.IN_PROGRESS, ItemState.WAITING_ON_CLIENT)


class TickForm(Form):
    """The one-click "done" button on the case page; with ``undo``, its "Undo": the step
    goes back to the open state it had."""

    version = VersionField()
    undo = SelectField(
        choices=[("", "")] + [(s.value, s.value) for s in UNDO_STATES],
        validators=[Optional()],
        default="",
    )

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from caseflow.cases import labels as case_labels
from caseflow.cases.forms import text_field
from caseflow.checklists import labels
from caseflow.checklists.models import DeadlineKind
from caseflow.core.forms import (
    CheckboxesField,
    EmptyToNone,
    Form,
    NoNulBytes,
    SelectField,
    Stripped,
)
from caseflow.partners import labels as partner_labels


def _explanation(label):
    return TextAreaField(
        label,
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=2000), NoNulBytes()],
    )


class TemplateForm(Form):
    name = text_field(_l("Name"), 120, required=True)
    case_type_ids = CheckboxesField(
        _l("For case types"),
        coerce=int,
        description=_l("None ticked: the checklist is used for every case type."),
    )
    is_active = BooleanField(_l("In use"), default=True)


class TemplateItemForm(Form):
    category = SelectField(
        _l("Category"), choices=[(c.value, text) for c, text in labels.CATEGORY.items()]
    )
    title_en = text_field(_l("Title in English"), 120, required=True)
    title_nl = text_field(_l("Title in Dutch"), 120, required=True)
    title_fr = text_field(_l("Title in French"), 120, required=True)
    explanation_en = _explanation(_l("Explanation for the client, in English"))
    explanation_nl = _explanation(_l("Explanation for the client, in Dutch"))
    explanation_fr = _explanation(_l("Explanation for the client, in French"))
    scope = SelectField(_l("Applies to"), choices=[(s.value, t) for s, t in labels.SCOPE.items()])
    nationality_group = SelectField(
        _l("Nationality"),
        choices=[("", _l("Any nationality"))]
        + [(g.value, t) for g, t in labels.NATIONALITY_GROUP.items()],
        validators=[Optional()],
    )
    household_roles = CheckboxesField(
        _l("Role in the household"),
        choices=case_labels.choices(case_labels.HOUSEHOLD_ROLE),
        description=_l("None ticked: any role."),
    )
    min_age = IntegerField(
        _l("From age (on arrival)"), validators=[Optional(), NumberRange(min=0, max=120)]
    )
    max_age = IntegerField(
        _l("Up to age (on arrival)"), validators=[Optional(), NumberRange(min=0, max=120)]
    )
    case_type_ids = CheckboxesField(
        _l("Only for case types"), coerce=int, description=_l("None ticked: any case type.")
    )
    deadline_kind = SelectField(
        _l("Deadline"), choices=[(k.value, t) for k, t in labels.DEADLINE_KIND.items()]
    )
    # Checked in validate_deadline_value(_to): whether they are needed depends on the kind.
    deadline_value = IntegerField(_l("N (days, months or age)"))
    deadline_value_to = IntegerField(_l("M (months before expiry when it is due)"))
    is_required = BooleanField(_l("Required before the case can be closed"))
    is_active = BooleanField(_l("In use"), default=True)
    partner_type = SelectField(
        _l("Recommended partners"),
        choices=[("", _l("None"))] + partner_labels.choices(partner_labels.PARTNER_TYPE),
        validators=[Optional()],
        description=_l("The step lists the centre's active partners of this type."),
    )
    partners_for_client = BooleanField(
        _l("Show these partners to the client (name and website only)"),
        description=_l("On the client's checklist (PDF and email) and on their page."),
    )

    def validate_max_age(self, field):
        if (
            field.data is not None
            and self.min_age.data is not None
            and field.data < self.min_age.data
        ):
            raise ValidationError(_l("The upper age is below the lower age."))

    def validate_deadline_value(self, field):
        if self.deadline_kind.data == DeadlineKind.NONE:
            field.errors[:] = []  # a number typed for "no deadline" is ignored
            field.data = None
            return
        if field.data is None:
            raise ValidationError(_l("This deadline needs a number."))
        if not 0 <= field.data <= 3650:
            raise ValidationError(_l("Enter a number from 0 to 3650."))

    def validate_deadline_value_to(self, field):
        if self.deadline_kind.data != DeadlineKind.EXPIRY_WINDOW:
            field.errors[:] = []
            field.data = None
            return
        if field.data is None:
            raise ValidationError(_l("Say how many months before expiry the step is due."))
        if not 0 <= field.data <= 120:
            raise ValidationError(_l("Enter a number from 0 to 120."))
        if self.deadline_value.data is not None and field.data > self.deadline_value.data:
            raise ValidationError(_l("The window must open (N) before it is due (M)."))


class PreviewForm(Form):
    class Meta:
        csrf = False  # a GET that changes nothing

    reference = StringField(
        _l("Case reference"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=24), NoNulBytes()],
        description=_l("For example LIM-2026-0042."),
    )

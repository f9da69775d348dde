from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from caseflow.cases.forms import NamedEntryForm
from caseflow.core.forms import Form


class CaseTypeForm(NamedEntryForm):
    is_active = BooleanField(_l("In use (offered for new cases)"), default=True)


class CentreSettingsForm(Form):
    closing_needs_approval = BooleanField(
        _l("Closing a case needs a team lead's approval"),
        description=_l(
            "When on, an advisor who closes a case sends a closing request; "
            "a team lead approves it or sends it back."
        ),
    )
    leads_need_second_factor = BooleanField(
        _l("Team leads and admins must use a second factor"),
        description=_l(
            "When on, a team lead or admin without a second factor sets one up at their "
            "next login, before they can open any page."
        ),
    )
    retention_months = IntegerField(
        _l("Anonymise closed cases after (months)"),
        description=_l(
            "Every night, cases closed longer ago than this are anonymised: names, contact "
            "details and notes are removed, the funder report still counts them. Cases on "
            "legal hold are skipped. Between 1 and 120 months."
        ),
        validators=[
            InputRequired(message=_l("Enter a number of months.")),
            NumberRange(min=1, max=120, message=_l("Enter a number of months from 1 to 120.")),
        ],
    )

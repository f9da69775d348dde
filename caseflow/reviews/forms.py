from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from caseflow.core.forms import EmptyToNone, Form, NoNulBytes, PersonalText, Stripped


def _comment(label, description=None):
    return TextAreaField(
        label,
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=2000), NoNulBytes(), PersonalText()],
        description=description,
    )


class ReviewRequestForm(Form):
    comment = _comment(_l("What should the team lead look at?"))


class DecisionForm(Form):
    response = _comment(_l("Comment for the advisor"), _l("Needed when you send the case back."))

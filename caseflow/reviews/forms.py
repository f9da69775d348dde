from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional

from caseflow.core.forms import EmptyToNone, NoNulBytes, Stripped


def _comment(label, description=None):
    return TextAreaField(
        label,
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=2000), NoNulBytes()],
        description=description,
    )


class ReviewRequestForm(FlaskForm):
    comment = _comment(_l("What should the team lead look at?"))


class DecisionForm(FlaskForm):
    response = _comment(_l("Comment for the advisor"), _l("Needed when you send the case back."))

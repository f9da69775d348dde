"""The forms on the client's page (client-facing: nl, en and fr)."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from caseflow.core.forms import Form, NoNulBytes, Stripped

QUESTION_MAX = 2000


class ClaimForm(Form):
    """ "I have done this" on one step (the step is in the URL)."""


class QuestionForm(Form):
    question = TextAreaField(
        _l("Your question"),
        filters=[Stripped],
        validators=[
            DataRequired(message=_l("Write your question.")),
            Length(max=QUESTION_MAX),
            NoNulBytes(),
        ],
        description=_l("Your advisor reads it in Caseflow and answers you."),
    )

"""The forms of the personal invitation link (client-facing: nl, en and fr)."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from caseflow.core.forms import Form

MAX_PEOPLE = 10


class RegisterForm(Form):
    people = IntegerField(
        _l("How many people will come?"),
        default=1,
        validators=[
            InputRequired(message=_l("Enter the number of people.")),
            NumberRange(min=1, max=MAX_PEOPLE, message=_l("Enter a number from 1 to 10.")),
        ],
    )


class DeclineForm(Form):
    """ "We cannot come"."""


class UnsubscribeForm(Form):
    """ "No more invitations"."""

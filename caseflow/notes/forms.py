from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from caseflow.core.forms import Form, NoNulBytes, PersonalText, Stripped, VersionField

NOTE_MAX_LENGTH = 10000


class NoteForm(Form):
    body = TextAreaField(
        _l("Note"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=NOTE_MAX_LENGTH), NoNulBytes(), PersonalText()],
        description=_l("Plain text. Visible to the team, never to the client."),
    )


class EditNoteForm(NoteForm):
    version = VersionField()

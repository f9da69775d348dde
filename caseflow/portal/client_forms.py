"""The forms on the client's page (client-facing: nl, en and fr)."""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from caseflow.attachments.storage import ACCEPT_ATTRIBUTE
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


class DocumentForm(Form):
    """A document for one step (the step is in the URL). The attachments service checks
    the content; the browser's type and name prove nothing."""

    file = FileField(
        _l("Send a document for this step"),
        validators=[FileRequired(message=_l("Choose a file to send."))],
        render_kw={"accept": ACCEPT_ATTRIBUTE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.file.description = _(
            "A PDF or a photo (JPEG, PNG or HEIC), at most %(megabytes)d MB.",
            megabytes=int(current_app.config["UPLOAD_MAX_MB"]),
        )

    def refuse(self, message: str) -> None:
        self.file.errors = [*self.file.errors, message]

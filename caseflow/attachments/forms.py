from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from caseflow.attachments.storage import ACCEPT_ATTRIBUTE
from caseflow.core.forms import Form


class UploadForm(Form):
    """One file, for a case or one of its checklist steps. The content is checked by
    the service (``store_upload``), not here: the browser's type and name prove nothing."""

    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file to attach."))],
        render_kw={"accept": ACCEPT_ATTRIBUTE},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.file.description = _(
            "PDF, JPEG, PNG or HEIC (a photo from an iPhone), at most %(megabytes)d MB.",
            megabytes=int(current_app.config["UPLOAD_MAX_MB"]),
        )

    def refuse(self, message: str) -> None:
        """Show a refusal of the service on the file field."""
        self.file.errors = [*self.file.errors, message]

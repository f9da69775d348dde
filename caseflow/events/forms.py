from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from caseflow.core.forms import (
    CheckboxesField,
    EmptyToNone,
    Form,
    NoNulBytes,
    SelectField,
    Stripped,
    VersionField,
)
from caseflow.core.time import today
from caseflow.events import labels
from caseflow.events.models import EVENT_LANGUAGES


def _text(label, max_length, required=False):
    validators = [DataRequired() if required else Optional(), Length(max=max_length), NoNulBytes()]
    return StringField(label, filters=[Stripped, EmptyToNone], validators=validators)


def _description(label):
    return TextAreaField(
        label,
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=4000), NoNulBytes()],
    )


def _moment(label):
    # <input type="datetime-local">: Brussels wall-clock time, no JavaScript needed.
    return DateTimeLocalField(
        label,
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        validators=[DataRequired(message=_l("Enter a date and time (day/month/year, hour)."))],
    )


def _https_link(_form, field):
    if field.data and not field.data.lower().startswith("https://"):
        raise ValidationError(_l("Enter a web address starting with https://."))


class EventForm(Form):
    title_nl = _text(_l("Title in Dutch"), 200)
    title_en = _text(_l("Title in English"), 200)
    title_fr = _text(_l("Title in French"), 200)
    description_nl = _description(_l("Description in Dutch"))
    description_en = _description(_l("Description in English"))
    description_fr = _description(_l("Description in French"))
    event_type = SelectField(
        _l("Type"), choices=[(t.value, text) for t, text in labels.EVENT_TYPE.items()]
    )
    starts_at = _moment(_l("Starts (Brussels time)"))
    ends_at = _moment(_l("Ends (Brussels time)"))
    place = _text(_l("Place (address)"), 300)
    online_url = StringField(
        _l("Online link"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=500), NoNulBytes(), _https_link],
    )
    capacity = IntegerField(
        _l("Capacity (people)"),
        description=_l("Leave empty for no limit."),
        validators=[Optional(), NumberRange(min=1, max=10000)],
    )
    audience_languages = CheckboxesField(
        _l("Audience languages"),
        choices=[(code, labels.LANGUAGE[code]) for code in EVENT_LANGUAGES],
        validators=[DataRequired(message=_l("Tick at least one language."))],
    )
    organiser = _text(_l("Organiser"), 200, required=True)
    partner_id = SelectField(
        _l("Partner from the directory (optional)"),
        description=_l("A partner not in the directory: type its name below."),
        validators=[Optional()],
    )
    partner_name = _text(_l("Partner (optional)"), 200)

    def validate_title_nl(self, field):
        if not (self.title_nl.data or self.title_en.data or self.title_fr.data):
            raise ValidationError(_l("Give the event a title in at least one language."))

    def validate_place(self, field):
        if not (field.data or self.online_url.data):
            raise ValidationError(_l("Enter a place or an online link."))

    def validate_starts_at(self, field):
        if field.data and not (
            today() - timedelta(days=366) <= field.data.date() <= today() + timedelta(days=3 * 366)
        ):
            raise ValidationError(_l("Choose a date within a year ago and three years ahead."))

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))
        if (
            field.data
            and self.starts_at.data
            and field.data - self.starts_at.data > timedelta(days=14)
        ):
            raise ValidationError(_l("An event lasts at most fourteen days."))

    def to_data(self) -> dict:
        return {
            "partner_id": int(self.partner_id.data) if self.partner_id.data else None,
        } | {
            name: getattr(self, name).data
            for name in (
                "title_nl",
                "title_en",
                "title_fr",
                "description_nl",
                "description_en",
                "description_fr",
                "event_type",
                "starts_at",
                "ends_at",
                "place",
                "online_url",
                "capacity",
                "audience_languages",
                "organiser",
                "partner_name",
            )
        }


class EditEventForm(EventForm):
    version = VersionField()
    # Shown (its label counts the households) when a published event has registered or
    # waiting households; on by default, so a typo fix can skip the email.
    notify = BooleanField(
        _l("Tell the registered and waiting households"),
        default=True,
        description=_l(
            "When the date, time, place or online link changes: an email in their language,"
            " with their personal link."
        ),
    )
    # "1" when the page showed the box: a form that did not (nobody was coming when it
    # was loaded) tells whoever registered since.
    notify_offered = HiddenField(validators=[Optional(), AnyOf(["1"])])

    def wants_notices(self) -> bool:
        return bool(self.notify.data) if self.notify_offered.data else True


class EventStatusForm(Form):
    version = VersionField()


class GiveConsentForm(Form):
    agreed = BooleanField(
        _l("The household agreed to receive invitations to the centre's events by email"),
        validators=[DataRequired(message=_l("Tick the box to confirm that the household agreed."))],
    )


class WithdrawConsentForm(Form):
    pass


class InviteForm(Form):
    """The recipients: the case list's filters that matter for an event, plus consent
    (always: only households that agreed are invited)."""

    arrived_months = IntegerField(
        _l("Arrived in the last (months)"),
        description=_l("Leave empty for any arrival date."),
        validators=[Optional(), NumberRange(min=1, max=120)],
    )
    municipality = _text(_l("Municipality"), 80)
    case_type = SelectField(_l("Case type"), validators=[Optional()])
    has_children = BooleanField(_l("Only households with children"))
    status = SelectField(
        _l("Cases"),
        choices=[("", _l("Open cases")), ("all", _l("Open and closed cases"))],
        validators=[Optional()],
    )
    # Sent with "Send": the recipients the preview showed (their case ids' digest).
    recipients_digest = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{64}$")])


class AttendanceForm(Form):
    people = IntegerField(
        _l("People present"),
        validators=[
            InputRequired(message=_l("Enter the number of people present.")),
            NumberRange(min=1, max=20),
        ],
    )


class UnmarkForm(Form):
    pass


class WalkInForm(Form):
    name = _text(_l("Name"), 200, required=True)
    people = IntegerField(
        _l("People"), default=1, validators=[InputRequired(), NumberRange(min=1, max=20)]
    )

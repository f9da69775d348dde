from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from caseflow.cases.forms import (
    CountrySelect,
    NamedEntryForm,
    _country_choices,
    not_in_future,
    text_field,
)
from caseflow.contacts.labels import CHANNEL
from caseflow.contacts.models import NAME_MAX, NOTE_MAX, ContactChannel
from caseflow.contacts.services import MAX_MINUTES, ContactData
from caseflow.core.forms import (
    CheckboxesField,
    EmptyToNone,
    Form,
    NoNulBytes,
    PersonalText,
    SelectField,
    Stripped,
    SubForm,
)
from caseflow.core.i18n import current_locale


def channel_choices():
    return [(c.value, label) for c, label in CHANNEL.items()]


def topic_choices(topics) -> list[tuple[int, str]]:
    locale = current_locale()
    return [(t.id, t.name(locale)) for t in topics]


class ContactForm(Form):
    """A first-line contact: channel, topics and minutes are all a phone question needs."""

    channel = RadioField(
        _l("Channel"),
        choices=[SelectChoice(v, label) for v, label in channel_choices()],
        default=ContactChannel.PHONE.value,
    )
    topics = CheckboxesField(
        _l("Topics"),
        coerce=int,
        validators=[InputRequired(message=_l("Tick at least one topic."))],
    )
    minutes = IntegerField(
        _l("Minutes spent"),
        validators=[
            InputRequired(message=_l("Enter the minutes spent.")),
            NumberRange(
                min=0,
                max=MAX_MINUTES,
                message=_l("Enter the minutes spent, between 0 and %(max)d."),
            ),
        ],
    )
    contact_date = DateField(_l("Date"), validators=[Optional(), not_in_future])
    nationality = SelectField(_l("Nationality (if known)"), widget=CountrySelect())
    municipality = text_field(_l("Municipality (if known)"), 80)
    name = text_field(
        _l("Name (optional)"),
        NAME_MAX,
        description=_l("Only when useful: a name makes the contact personal data."),
    )
    note = TextAreaField(
        _l("Short note (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=NOTE_MAX), NoNulBytes(), PersonalText()],
    )
    case_reference = text_field(
        _l("Existing case (reference, optional)"),
        24,
        description=_l("When the question is about a case you work on, e.g. 2026-0012."),
    )
    next = HiddenField()

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topics.choices = topic_choices(topics)
        self.nationality.choices = _country_choices(_l("Unknown"))

    def validate_nationality(self, field):
        if field.data and field.data not in {c.value for c in self.nationality.choices}:
            raise ValidationError(_l("Choose a country from the list."))

    def to_data(self) -> ContactData:
        return ContactData(
            channel=ContactChannel(self.channel.data),
            topic_ids=list(self.topics.data or ()),
            minutes=self.minutes.data,
            contact_date=self.contact_date.data,
            nationality=self.nationality.data or None,
            municipality=self.municipality.data,
            note=self.note.data,
            name=self.name.data,
        )


class ContactEditForm(ContactForm):
    """Editing a contact: the logging form with what the form saw (a stale edit is
    refused)."""

    version = HiddenField()


class ContactFilterForm(SubForm):
    """The contact lists' filters (GET, no CSRF: they change nothing)."""

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    channel = SelectField(
        _l("Channel"), choices=[("", _l("Any")), *channel_choices()], validators=[Optional()]
    )
    topic = SelectField(_l("Topic"), validators=[Optional()])

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = [("", _l("Any")), *((str(v), lbl) for v, lbl in topic_choices(topics))]

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date is before the start date."))


class TopicForm(NamedEntryForm):
    is_active = BooleanField(_l("In use (offered when logging a contact)"), default=True)


class ConfirmForm(Form):
    """ "Erase name and note" and "Delete": a button on a confirmation page (no JS)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from caseflow.core.forms import (
    CheckboxesField,
    EmptyToNone,
    Form,
    NoNulBytes,
    PersonalText,
    SelectField,
    Stripped,
    VersionField,
)
from caseflow.core.time import today
from caseflow.partners import labels
from caseflow.partners.models import SHAREABLE_DETAILS


def _lower(value):
    return value.lower() if isinstance(value, str) else value


class PartnerForm(Form):
    name = StringField(
        _l("Name of the organisation"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=160)],
    )
    type = SelectField(
        _l("Type"), choices=labels.choices(labels.PARTNER_TYPE), validators=[DataRequired()]
    )
    contact_person = StringField(
        _l("Contact person or desk (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=120)],
        description=_l("A role or desk is enough, e.g. “Intake desk”."),
    )
    email = StringField(
        _l("Email (optional)"),
        filters=[Stripped, EmptyToNone, _lower],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
        description=_l("Introductions of clients go to this address."),
    )
    phone = StringField(
        _l("Phone (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[0-9+()./ -]+$", message=_l("Use digits, spaces and + ( ) . / - only.")),
        ],
    )
    website = StringField(
        _l("Website (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[
            Optional(),
            Length(max=300),
            Regexp(r"^https?://[^\s<>\"']+$", message=_l("Start the address with https://.")),
        ],
    )
    languages = CheckboxesField(_l("Languages served"), choices=labels.choices(labels.LANGUAGES))
    municipalities = StringField(
        _l("Municipalities covered (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=500)],
        description=_l("Separate them with commas, e.g. Hasselt, Genk."),
    )
    topics = StringField(
        _l("Topics (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=300)],
    )
    notes = TextAreaField(
        _l("Notes for advisors (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=2000), NoNulBytes()],
    )
    email_language = SelectField(
        _l("Language of emails to this partner"),
        choices=labels.choices(labels.EMAIL_LANGUAGE),
        validators=[DataRequired()],
    )
    is_active = BooleanField(_l("Active (offered for referrals)"), default=True)

    def to_data(self) -> dict:
        return {
            "name": self.name.data,
            "type": self.type.data,
            "contact_person": self.contact_person.data,
            "email": self.email.data,
            "phone": self.phone.data,
            "website": self.website.data,
            "languages": list(self.languages.data or []),
            "municipalities": self.municipalities.data,
            "topics": self.topics.data,
            "notes": self.notes.data,
            "email_language": self.email_language.data,
            "is_active": bool(self.is_active.data),
        }


class ReferralForm(Form):
    partner_id = SelectField(_l("Partner"), validators=[DataRequired()])
    person_ids = CheckboxesField(
        _l("Persons concerned"),
        validators=[DataRequired(message=_l("Choose at least one person."))],
    )
    reason = TextAreaField(
        _l("Reason for the referral"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=1000), NoNulBytes(), PersonalText()],
    )
    consent = SelectField(
        _l("Did the client agree to share their contact details with the partner?"),
        choices=[
            ("no", _l("No: send the client the partner's details")),
            ("yes", _l("Yes: introduce the client to the partner by email")),
        ],
        validators=[DataRequired()],
    )
    details = CheckboxesField(
        _l("Details to share (with consent only)"),
        choices=[(key, labels.DETAIL[key]) for key in SHAREABLE_DETAILS],
    )
    email_client = BooleanField(
        _l("Email the partner's details to the client"),
        description=_l("Without consent only. Untick it to hand the client the details in person."),
    )
    follow_up_on = DateField(
        _l("Follow up on (optional)"),
        validators=[Optional()],
        description=_l("Open referrals without a date are listed on My work straight away."),
    )

    def validate_details(self, field):
        if self.consent.data == "yes" and not field.data:
            raise ValidationError(_l("Choose the details the client agreed to share."))
        if self.consent.data != "yes" and field.data:
            raise ValidationError(_l("Without the client's consent nothing is shared."))

    def validate_follow_up_on(self, field):
        if field.data and (field.data < today() or field.data.year > today().year + 2):
            raise ValidationError(_l("Choose a date from today and within two years."))


class ReferralStateForm(Form):
    state = SelectField(
        _l("State"),
        choices=labels.choices(labels.REFERRAL_STATE),
        validators=[DataRequired()],
        description=labels.CLOSED_MEANING,
    )
    follow_up_on = DateField(_l("Follow up on (optional)"), validators=[Optional()])
    version = VersionField()

    def validate_follow_up_on(self, field):
        if field.data and field.data.year > today().year + 2:
            raise ValidationError(_l("Choose a date within two years."))

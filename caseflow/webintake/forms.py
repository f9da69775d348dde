"""The online request form (client-facing: nl, en, fr; listed in babel-client.cfg).

The rules are the staff intake's (caseflow/cases/forms.py): the same field lengths, the
same checks on names, dates, nationality, email and phone; only the wording is the
client's own. The household is one list of rows like the staff form's, the first row
being the person asking, so static/js/case_form.js adds rows here too.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, FormField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from caseflow.cases import forms as staff
from caseflow.cases.models import ClientLanguage, HelpTopic, HouseholdRole
from caseflow.cases.services import CaseData, PersonData
from caseflow.cases.topics import HELP_TOPIC
from caseflow.core.forms import (
    CheckboxesField,
    EmptyToNone,
    Form,
    NoNulBytes,
    PersonalText,
    RowList,
    SelectField,
    Stripped,
    SubForm,
)

# At most this many persons in one request (the person asking included).
MAX_PERSONS = 12
QUESTION_MAX = 2000

MEMBER_ROLES = {
    HouseholdRole.PARTNER: _l("Partner"),
    HouseholdRole.CHILD: _l("Child"),
    HouseholdRole.OTHER: _l("Other family member"),
}


def reworded(check, message):
    """A staff form's check with the client's wording: the same rule, another message."""

    def validator(form, field):
        try:
            check(form, field)
        except ValidationError as error:
            raise ValidationError(message) from error

    return validator


def _name(label):
    # The staff form's name field (80 characters, required), in the client's words.
    return staff.text_field(label, 80, required=True)


class RequestPersonForm(SubForm):
    """One person of the household (the first row: the person asking)."""

    first_name = _name(_l("First name"))
    last_name = _name(_l("Last name"))
    household_role = SelectField(_l("Who is this?"), choices=list(MEMBER_ROLES.items()))
    date_of_birth = DateField(
        _l("Date of birth"),
        validators=[
            Optional(),
            reworded(staff.not_in_future, _l("A date of birth cannot be in the future.")),
            reworded(staff.plausible_birth_date, _l("Enter a date of birth after 1900.")),
        ],
    )
    nationality = SelectField(
        _l("Nationality"),
        validators=[DataRequired(message=_l("Choose a nationality."))],
        widget=staff.CountrySelect(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = staff._country_choices(_l("Choose…"))

    def to_data(self, role: HouseholdRole) -> PersonData:
        return PersonData(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            household_role=role,
            date_of_birth=self.date_of_birth.data,
            nationality=self.nationality.data,
        )


class RequestForm(Form):
    """Asking for help online: who, where, what about, and the privacy notice."""

    # Abuse checks (caseflow/webintake/services.py): the signed moment the form was
    # opened, and a field people never see (only robots fill it in).
    started = HiddenField()
    website = StringField(_l("Leave this field empty"), filters=[Stripped])

    email = StringField(
        _l("Email"),
        filters=[Stripped, EmptyToNone],
        validators=[
            DataRequired(message=_l("Enter your email address.")),
            Length(max=254),
            Email(
                message=_l("Enter an email address like name@example.com."),
                check_deliverability=False,
            ),
        ],
        description=_l("We send a confirmation to this address."),
    )
    phone = StringField(
        _l("Phone (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[
            Optional(),
            Length(max=40),
            reworded(staff.PHONE, _l("Enter a phone number, e.g. +32 470 12 34 56.")),
        ],
    )
    arrival_date = DateField(
        _l("Arrival date in Belgium"),
        validators=[
            Optional(),
            reworded(
                staff.plausible_arrival,
                _l("Enter an arrival date between 2000 and two years from now."),
            ),
        ],
        description=_l("The date you arrived, or expect to arrive."),
    )
    municipality = staff.text_field(
        _l("Municipality"), 80, description=_l("Where you live or will live in Belgium.")
    )
    employer = staff.text_field(_l("Employer"), 120)
    persons = RowList(FormField(RequestPersonForm), label=_l("Person"), min_entries=1)
    max_persons = MAX_PERSONS
    topics = CheckboxesField(
        _l("What do you need help with?"),
        choices=list(HELP_TOPIC.items()),
        validators=[Optional()],
    )
    question = TextAreaField(
        _l("Your question (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=QUESTION_MAX), NoNulBytes(), PersonalText()],
    )
    # The number of the notice version the page showed (refused when it is no longer
    # the centre's current one: the client agrees to what they could read).
    privacy_notice_number = HiddenField()
    consent = BooleanField(
        _l("I have read the privacy notice and agree that the centre keeps these details."),
        validators=[
            DataRequired(message=_l("Please agree to the privacy notice to send your request."))
        ],
    )

    def validate(self, extra_validators=None):
        # The first row is the person asking; the others say who they are.
        for index, entry in enumerate(self.persons.entries):
            role = entry.form.household_role
            if index == 0:
                role.choices = [(HouseholdRole.MAIN_APPLICANT.value, _l("Me"))]
                role.data = HouseholdRole.MAIN_APPLICANT.value
            else:
                role.choices = list(MEMBER_ROLES.items())
        return super().validate(extra_validators)

    def validate_persons(self, field):
        if len(field.entries) > MAX_PERSONS:
            raise ValidationError(  # a plain string: the error summary lists strings
                _(
                    "A request holds at most %(n)d persons. Tell us about the others in "
                    "your question.",
                    n=MAX_PERSONS,
                )
            )

    def add_person(self) -> int | None:
        """Append a row (the "Add a person" button without JavaScript), starting with the
        first person's last name and nationality, as Partner for the first one added and
        Child after that. None when the request is full."""
        if len(self.persons.entries) >= MAX_PERSONS:
            return None
        first = self.persons.entries[0].form if self.persons.entries else None
        self.persons.append_entry()
        row = self.persons.entries[-1].form
        if first is not None:
            row.last_name.data = first.last_name.data
            row.nationality.data = first.nationality.data
            has_partner = any(
                entry.form.household_role.data == HouseholdRole.PARTNER
                for entry in self.persons.entries[1:-1]
            )
            partner = len(self.persons.entries) == 2 and not has_partner
            row.household_role.data = (
                HouseholdRole.PARTNER if partner else HouseholdRole.CHILD
            ).value
        return len(self.persons.entries) - 1

    def remove_person(self, index: int) -> None:
        """Drop a household row (never the first: the person asking)."""
        if 0 < index < len(self.persons.entries):
            del self.persons.entries[index]

    def person_template(self) -> RequestPersonForm:
        """An empty row named ``persons-__I__-…``, cloned by static/js/case_form.js."""
        return RequestPersonForm(prefix=f"{self.persons.name}-__I__-")

    def topic_codes(self) -> list[str]:
        chosen = set(self.topics.data or ())
        return [topic.value for topic in HelpTopic if topic.value in chosen]

    def to_data(self, language: str, household_name: str) -> CaseData:
        persons = [
            entry.form.to_data(
                HouseholdRole.MAIN_APPLICANT
                if index == 0
                else HouseholdRole(entry.form.household_role.data)
            )
            for index, entry in enumerate(self.persons.entries)
        ]
        email = self.email.data.lower()
        persons[0].email = email
        persons[0].phone = self.phone.data
        return CaseData(
            household_name=household_name,
            case_type_id=0,  # the service chooses the centre's
            client_language=ClientLanguage(language),
            arrival_date=self.arrival_date.data,
            municipality=self.municipality.data,
            employer=self.employer.data,
            contact_email=email,
            contact_phone=self.phone.data,
            persons=persons,
            help_topics=self.topic_codes(),
            client_question=self.question.data,
        )

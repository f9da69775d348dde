from datetime import date, timedelta
from functools import cache, lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateField,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import Select, html_params

from caseflow.cases import intake_hooks, labels
from caseflow.cases.models import HouseholdRole, LegalBasis
from caseflow.cases.queries import CaseFilters
from caseflow.cases.services import CaseData, PersonData
from caseflow.core.countries import country_names
from caseflow.core.forms import (
    MAX_ECHO,
    SINGLE_LINE_FORBIDDEN,
    EmptyToNone,
    Form,
    NoNulBytes,
    PersonalText,
    RowList,
    SelectField,
    Stripped,
    SubForm,
    VersionField,
    max_length,
    parse_id,
)
from caseflow.core.i18n import current_locale
from caseflow.core.time import today

PHONE = Regexp(r"^\+?[0-9 ()./-]{6,30}$", message=_l("Enter a phone number, e.g. +32 11 12 34 56."))
MAX_PERSONS = 20


def text_field(label, max_length, required=False, **kwargs):
    validators = [DataRequired() if required else Optional(), Length(max=max_length), NoNulBytes()]
    return StringField(label, filters=[Stripped, EmptyToNone], validators=validators, **kwargs)


class NamedEntryForm(Form):
    """An entry of a centre's short bilingual list (case types, contact topics;
    caseflow/core/named_lists.py). Subclasses say what "in use" means."""

    name_en = text_field(_l("Name in English"), 80, required=True)
    name_nl = text_field(_l("Name in Dutch"), 80, required=True)
    position = IntegerField(
        _l("Position in lists"), default=0, validators=[Optional(), NumberRange(min=0, max=999)]
    )
    is_active = BooleanField(_l("In use"), default=True)


def not_in_future(_form, field):
    if field.data and field.data > today():
        raise ValidationError(_l("This date cannot be in the future."))


def plausible_birth_date(_form, field):
    if field.data and field.data < date(1900, 1, 1):
        raise ValidationError(_l("Enter a date of birth after 1900."))


def plausible_arrival(_form, field):
    if field.data and not (date(2000, 1, 1) <= field.data <= today() + timedelta(days=730)):
        raise ValidationError(_l("Enter an arrival date between 2000 and two years from now."))


ADULT_AGE = 18


def is_minor(born: date | None, arrival: date | None) -> bool:
    """Under 18 on the arrival date (today when it is not known yet)."""
    if born is None:
        return False
    day = arrival or today()
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return age < ADULT_AGE


def suggested_household_name(last_name: str | None) -> str | None:
    """The household name suggested from the main applicant's last name, in the
    advisor's language (an internal label, never shown to the client)."""
    return _("%(name)s family", name=last_name) if last_name else None


@cache
def _cached_country_choices(locale: str, blank: str) -> tuple[SelectChoice, ...]:
    return (SelectChoice("", blank), *(SelectChoice(*c) for c in country_names(locale).items()))


@cache
def _country_codes(locale: str) -> frozenset[str]:
    """The values the country selects accept in ``locale``: a code, or "" for none."""
    return frozenset({"", *country_names(locale)})


def _country_choices(blank) -> list[SelectChoice]:
    """The ~250 countries in the UI language after ``blank``: built once per language."""
    return list(_cached_country_choices(current_locale(), str(blank)))


def _option(value: str, label: str, selected: bool = False) -> str:
    """An <option> exactly as WTForms' Select widget writes it."""
    params = html_params(selected=True, value=value) if selected else html_params(value=value)
    return f"<option {params}>{escape(label or value)}</option>"


@cache
def _country_options_html(locale: str, blank: str) -> str:
    return "".join(_option(c.value, c.label) for c in _cached_country_choices(locale, blank))


class CountrySelect(Select):
    """A country select whose ~250 options are rendered once per language and reused
    (WTForms would escape and format each of them on every page: most of a case list
    page's time before). Only the chosen option is marked on each render."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        blank = str(field.choices[0].label) if field.choices else ""
        options = _country_options_html(current_locale(), blank)
        if isinstance(field.data, str):
            name = country_names(current_locale()).get(field.data) if field.data else blank
            if name is not None:
                plain, chosen = _option(field.data, name), _option(field.data, name, True)
                options = options.replace(plain, chosen, 1)
        # html_params escapes the attributes and _option every label (as WTForms does).
        select = f"<select {html_params(name=field.name, **kwargs)}>{options}</select>"
        return Markup(select)  # noqa: S704


@lru_cache(maxsize=512)
def _options_html(choices: tuple[tuple[str, str], ...]) -> str:
    return "".join(_option(value, label) for value, label in choices)


class ReusedSelect(Select):
    """A select whose options are rendered once per distinct list of choices (the case
    list's filters: the same few lists in each language, a centre's staff) and reused;
    only the chosen option is marked on each render. The same HTML as WTForms' Select
    (tests/cases/test_case_forms.py compares them)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        choices = tuple(
            (str(c.value), str(c.label)) if isinstance(c, SelectChoice) else (str(c[0]), str(c[1]))
            for c in field.choices or ()
        )
        options = _options_html(choices)
        if field.data is not None:
            chosen = str(field.data)
            for value, label in choices:
                if value == chosen:
                    plain = _option(value, label)
                    options = options.replace(plain, _option(value, label, True), 1)
                    break
        select = f"<select {html_params(name=field.name, **kwargs)}>{options}</select>"
        return Markup(select)  # noqa: S704


class PersonForm(SubForm):
    """One household member row (part of the case form; CSRF is the outer form's)."""

    id = HiddenField()
    first_name = text_field(_l("First name"), 80, required=True)
    last_name = text_field(_l("Last name"), 80, required=True)
    household_role = SelectField(
        _l("Role in household"), choices=labels.choices(labels.HOUSEHOLD_ROLE)
    )
    date_of_birth = DateField(
        _l("Date of birth"), validators=[Optional(), not_in_future, plausible_birth_date]
    )
    nationality = SelectField(
        _l("Nationality"),
        validators=[DataRequired(message=_l("Choose a nationality."))],
        widget=CountrySelect(),
    )
    second_nationality = SelectField(
        _l("Second nationality"), validators=[Optional()], widget=CountrySelect()
    )
    email = StringField(
        _l("Email"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )
    phone = StringField(
        _l("Phone"), filters=[Stripped, EmptyToNone], validators=[Optional(), Length(max=40), PHONE]
    )
    # Caseflow records THAT the number was seen, never the number itself.
    national_number_obtained = BooleanField(
        _l("National register or BIS number obtained"),
        description=_l("Tick when you have seen it. Never write the number down."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.nationality.choices = _country_choices(_l("Choose…"))
        self.second_nationality.choices = _country_choices(_l("None"))

    def validate_id(self, field):
        if field.data and parse_id(field.data) is None:
            raise ValidationError(_l("This person does not belong to this case. Reload the page."))

    def validate_second_nationality(self, field):
        if field.data and field.data == self.nationality.data:
            raise ValidationError(_l("The second nationality repeats the first."))

    def to_data(self) -> PersonData:
        return PersonData(
            id=parse_id(self.id.data),
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            household_role=self.household_role.data,
            date_of_birth=self.date_of_birth.data,
            nationality=self.nationality.data,
            second_nationality=self.second_nationality.data or None,
            email=self.email.data.lower() if self.email.data else None,
            phone=self.phone.data,
            national_number_obtained=bool(self.national_number_obtained.data),
        )


class CaseForm(Form):
    household_name = text_field(
        _l("Household name"),
        120,
        description=_l(
            "How the team refers to this household. Left empty, it is made from the first "
            "person's last name (“Kowalski family”)."
        ),
    )
    case_type_id = SelectField(_l("Case type"), coerce=int)
    arrival_date = DateField(
        _l("Arrival date in Belgium"), validators=[Optional(), plausible_arrival]
    )
    municipality = text_field(_l("Municipality"), 80)
    employer = text_field(_l("Employer"), 120)
    sector = text_field(_l("Sector"), 80)
    referral_channel = SelectField(
        _l("Referral channel"),
        choices=labels.choices(labels.REFERRAL_CHANNEL, blank=_l("Unknown")),
        validators=[Optional()],
    )
    contact_email = StringField(
        _l("Contact email"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=254), Email(check_deliverability=False)],
    )
    contact_phone = StringField(
        _l("Contact phone"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=40), PHONE],
    )
    client_language = SelectField(
        _l("Client language"),
        choices=labels.choices(labels.CLIENT_LANGUAGE),
        description=_l("Emails and documents for the client use this language."),
    )
    salutation = text_field(
        _l("Salutation in client documents"),
        120,
        description=_l(
            "Leave empty for the default, made from the adults' names in the client's "
            "language (“Dear Priya and Rohan”, “Beste familie Patel”)."
        ),
    )
    persons = RowList(FormField(PersonForm), label=_l("Person"), min_entries=1)
    max_persons = MAX_PERSONS

    def validate(self, extra_validators=None):
        # Saves a click (also without JavaScript): an empty household name is made
        # from the first person's last name.
        if not self.household_name.data and self.persons.entries:
            first = self.persons.entries[0].form
            self.household_name.data = suggested_household_name(first.last_name.data)
        return super().validate(extra_validators)

    def add_person(self) -> int | None:
        """Append a person row that starts like the household (no-JavaScript "Add a
        person"; static/js/case_form.js applies the same defaults in the page): the first
        person's last name and nationality, and Partner for the first one after the main
        applicant when nobody is a partner yet, else Child. Returns its index, or None
        when the case is full."""
        if len(self.persons.entries) >= MAX_PERSONS:
            return None
        rows = [entry.form for entry in self.persons.entries]
        self.persons.append_entry()
        row = self.persons.entries[-1].form
        if rows:
            row.last_name.data = rows[0].last_name.data
            row.nationality.data = rows[0].nationality.data
            has_partner = any(r.household_role.data == HouseholdRole.PARTNER for r in rows)
            partner = len(rows) == 1 and not has_partner
            row.household_role.data = (
                HouseholdRole.PARTNER if partner else HouseholdRole.CHILD
            ).value
        return len(self.persons.entries) - 1

    def person_template(self) -> PersonForm:
        """An empty row named ``persons-__I__-…``, cloned by static/js/case_form.js."""
        return PersonForm(prefix=f"{self.persons.name}-__I__-")

    def validate_persons(self, field):
        if len(field.entries) > MAX_PERSONS:
            raise ValidationError(_l("A case holds at most %(n)d persons.", n=MAX_PERSONS))
        ids = [entry.form.id.data for entry in field.entries if entry.form.id.data]
        if len(ids) != len(set(ids)):
            raise ValidationError(_l("The same person appears twice. Reload the page."))

    def set_case_types(self, case_types, locale):
        self.case_type_id.choices = [(t.id, t.name(locale)) for t in case_types]

    def to_data(self) -> CaseData:
        return CaseData(
            household_name=self.household_name.data,
            case_type_id=self.case_type_id.data,
            arrival_date=self.arrival_date.data,
            municipality=self.municipality.data,
            employer=self.employer.data,
            sector=self.sector.data,
            referral_channel=self.referral_channel.data or None,
            contact_email=self.contact_email.data.lower() if self.contact_email.data else None,
            contact_phone=self.contact_phone.data,
            client_language=self.client_language.data,
            persons=[entry.form.to_data() for entry in self.persons],
            salutation=self.salutation.data,
        )


class PrivacyAgreementMixin:
    """The legal basis and the notice version the client agreed to (intake)."""

    # The number of the privacy notice version the page showed (None: the current one).
    privacy_notice_number = HiddenField()

    def validate_privacy_notice_number(self, field):
        if field.data and parse_id(field.data) is None:
            raise ValidationError(
                _l("This privacy notice version does not exist. Reload the page.")
            )

    def privacy_data(self, data: CaseData) -> CaseData:
        data.legal_basis = LegalBasis(self.legal_basis.data) if self.legal_basis.data else None
        data.privacy_notice_number = parse_id(self.privacy_notice_number.data or "")
        return data


LEGAL_BASIS_LABEL = _l("Legal basis")
LEGAL_BASIS_HELP = _l("Why the centre may keep the client's details (GDPR article 6).")
LEGAL_BASIS_MISSING = _l("Choose the legal basis for keeping these details.")
CONSENT_LABEL = _l("The client agreed to the privacy notice shown above.")
CONSENT_MISSING = _l("Record the client's consent before saving.")


class NewCaseForm(PrivacyAgreementMixin, CaseForm):
    advisor_id = SelectField(_l("Advisor"), coerce=str)
    # What the case is made from, e.g. "contact:12" (caseflow/cases/intake_hooks.py).
    source = HiddenField()
    legal_basis = SelectField(
        LEGAL_BASIS_LABEL,
        choices=labels.choices(labels.LEGAL_BASIS, blank=_l("Choose…")),
        validators=[DataRequired(message=LEGAL_BASIS_MISSING)],
        description=LEGAL_BASIS_HELP,
    )
    consent = BooleanField(CONSENT_LABEL, validators=[DataRequired(message=CONSENT_MISSING)])

    def validate_source(self, field):
        if not intake_hooks.is_valid(field.data):
            raise ValidationError(_l("This case cannot be made from that record. Reload the page."))

    def to_data(self) -> CaseData:
        return self.privacy_data(super().to_data())


class EditCaseForm(PrivacyAgreementMixin, CaseForm):
    """Editing a case; a case without a legal basis (made outside the intake form) can
    record it here, once (the page shows those fields only then)."""

    version = VersionField()
    legal_basis = SelectField(
        LEGAL_BASIS_LABEL,
        choices=labels.choices(labels.LEGAL_BASIS, blank=_l("Not recorded yet")),
        validators=[Optional()],
        description=LEGAL_BASIS_HELP,
    )
    consent = BooleanField(CONSENT_LABEL)

    def validate_consent(self, field):
        if self.legal_basis.data and not field.data:
            raise ValidationError(CONSENT_MISSING)

    def to_data(self) -> CaseData:
        return self.privacy_data(super().to_data())


class StatusForm(Form):
    # "Closing requested" is reached by closing when approval is needed, never chosen.
    status = SelectField(
        _l("New status"),
        choices=[c for c in labels.choices(labels.STATUS) if c[0] != "closing_requested"],
    )
    closing_reason = SelectField(
        _l("Reason for closing"),
        choices=labels.choices(labels.CLOSING_REASON, blank=_l("Choose…")),
        validators=[Optional()],
    )
    closing_comment = TextAreaField(
        _l("Comment (optional)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=2000), NoNulBytes(), PersonalText()],
    )
    close_anyway_reason = TextAreaField(
        _l("Close anyway, because… (team leads)"),
        filters=[Stripped, EmptyToNone],
        validators=[Optional(), Length(max=2000), NoNulBytes(), PersonalText()],
        description=_l("Only needed when required steps are still open. It is recorded."),
    )
    version = VersionField()

    def validate_closing_reason(self, field):
        if self.status.data == "closed" and not field.data:
            raise ValidationError(_l("Choose a reason for closing the case."))


class AssignForm(Form):
    advisor_id = SelectField(_l("Advisor"), coerce=str)
    version = VersionField()


class TakeForm(Form):
    version = VersionField()


class LegalHoldForm(Form):
    reason = TextAreaField(
        _l("Reason for the legal hold"),
        description=_l(
            "E.g. a court case, a complaint or an inquiry. Retention never anonymises a case "
            "on hold. No health, religion or other special-category details."
        ),
        filters=[Stripped, EmptyToNone],
        validators=[DataRequired(), Length(max=500), NoNulBytes()],
    )
    version = VersionField()


class LiftLegalHoldForm(Form):
    version = VersionField()


class FilterForm(SubForm):
    """The case list's filters (GET, no CSRF: it changes nothing)."""

    q = StringField(_l("Search"), filters=[Stripped], validators=[Length(max=100)])
    status = SelectField(
        _l("Status"),
        widget=ReusedSelect(),
        choices=[("", _l("All but closed")), ("all", _l("All")), *labels.choices(labels.STATUS)],
    )
    advisor = SelectField(_l("Advisor"), widget=ReusedSelect())
    case_type = SelectField(_l("Case type"), widget=ReusedSelect())
    municipality = StringField(_l("Municipality"), filters=[Stripped], validators=[Length(max=80)])
    nationality = SelectField(_l("Nationality"), widget=CountrySelect())
    overdue = SelectField(
        _l("Checklist"),
        widget=ReusedSelect(),
        choices=[("", _l("Any")), ("1", _l("Has overdue steps"))],
    )
    waiting = SelectField(
        _l("Waiting on client"),
        widget=ReusedSelect(),
        choices=[("", _l("Any")), ("long", _l("For more than 14 days"))],
    )
    followups = SelectField(
        _l("Follow-ups"),
        widget=ReusedSelect(),
        choices=[("", _l("Any")), ("overdue", _l("Has overdue follow-ups"))],
    )
    hold = SelectField(
        _l("Legal hold"),
        widget=ReusedSelect(),
        choices=[("", _l("Any")), ("1", _l("On legal hold")), ("0", _l("Not on legal hold"))],
    )
    sort = SelectField(
        _l("Sort by"),
        widget=ReusedSelect(),
        choices=[
            # The default: a search shows its best matches first (one page of them);
            # without a search term the list is in "Recently changed" order.
            ("relevance", _l("Best match (when searching)")),
            ("-updated", _l("Recently changed")),
            ("reference", _l("Reference")),
            ("household", _l("Household name")),
            ("-arrival", _l("Arrival (newest first)")),
            ("arrival", _l("Arrival (oldest first)")),
            ("status", _l("Status")),
            ("opened", _l("Opened (oldest first)")),
        ],
    )

    @classmethod
    def for_centre(cls, formdata, centre_id: int, locale: str) -> "FilterForm":
        """The filter form with the centre's staff (leavers too) and case types, read
        in one query (cases.queries.filter_choices)."""
        from caseflow.cases.queries import filter_choices

        choices = filter_choices(centre_id, locale)
        return cls(formdata, choices.advisors, choices.case_types)

    def __init__(self, formdata, advisors, case_types, locale=None):
        """``advisors`` and ``case_types``: (id, label) pairs, in their order."""
        super().__init__(formdata)
        self.advisor.choices = [
            ("", _l("Anyone")),
            ("none", _l("Intake queue (unassigned)")),
            *[(str(value), label) for value, label in advisors],
        ]
        self.case_type.choices = [
            ("", _l("Any")),
            *[(str(value), label) for value, label in case_types],
        ]
        self.nationality.choices = _country_choices(_l("Any"))

    def to_filters(self) -> CaseFilters:
        """The filters asked for; a value that is not a valid choice is ignored, not an error."""
        valid = {name: self._valid_values(field) for name, field in self._fields.items()}
        if not self._plainly_valid(valid):
            # Validation changes nothing of a valid form: it only runs (and its work is
            # only paid) when a value would be refused, which cuts what the form shows
            # again to the field's length.
            self.validate()
        values = {}
        for name in CaseFilters.__dataclass_fields__:
            field = getattr(self, name)
            value = SINGLE_LINE_FORBIDDEN.sub("", field.data or "")[:100]
            if valid[name] is not None and value not in valid[name]:
                value = ""
            values[name] = value
        if not values["sort"]:
            values["sort"] = "relevance"
        return CaseFilters(**values)

    @staticmethod
    def _valid_values(field) -> frozenset[str] | None:
        """The values a select field accepts (None for a text field)."""
        if field is None or not isinstance(field.widget, Select):
            return None
        if isinstance(field.widget, CountrySelect):
            return _country_codes(current_locale())
        return frozenset(str(choice.value) for choice in field.choices)

    def _plainly_valid(self, valid: dict[str, frozenset[str] | None]) -> bool:
        """True when ``validate()`` would pass: every value a choice of its select, no
        text longer than its field allows, no control character anywhere."""
        for name, field in self._fields.items():
            raw = field.raw_data or ()
            limit = max_length(field) or MAX_ECHO
            for value in raw:
                if not isinstance(value, str) or len(value) > limit:
                    return False
                if SINGLE_LINE_FORBIDDEN.search(value):
                    return False
            if valid[name] is not None and (raw or field.data) and field.data not in valid[name]:
                return False
        return True

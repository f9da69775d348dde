from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from caseflow.auth.models import Role
from caseflow.core.forms import Form, NoNulBytes, SelectField, Stripped

ROLE_LABELS = {
    Role.ADVISOR: _l("Advisor"),
    Role.TEAM_LEAD: _l("Team lead"),
    Role.ADMIN: _l("Administrator"),
}
LANGUAGE_CHOICES = [("", _l("Same as my browser")), ("en", "English"), ("nl", "Nederlands")]


class LoginForm(Form):
    email = EmailField(
        _l("Email address"), validators=[DataRequired(), Length(max=254), NoNulBytes()]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ProfileForm(Form):
    full_name = StringField(
        _l("Full name"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=120), NoNulBytes()],
    )
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, validators=[Optional()])


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class ChoosePasswordForm(Form):
    """A user replaces the temporary password an admin gave them."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm_password = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class UserForm(Form):
    full_name = StringField(
        _l("Full name"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=120), NoNulBytes()],
    )
    role = SelectField(_l("Role"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    is_active = BooleanField(_l("Active (may log in)"), default=True)


class NewUserForm(UserForm):
    email = EmailField(
        _l("Email address"),
        filters=[Stripped],
        validators=[DataRequired(), Length(max=254), Email(check_deliverability=False)],
    )
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])


class PasswordResetForm(Form):
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])


def _code_field(label, required=True):
    return StringField(
        label,
        validators=[DataRequired() if required else Optional(), Length(max=64), NoNulBytes()],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )


class SecondFactorForm(Form):
    """The code page after the password."""

    code = _code_field(_l("Code from your authenticator app, or a recovery code"))


class EnrolForm(Form):
    token = HiddenField(validators=[DataRequired(), Length(max=1024)])
    code = _code_field(_l("Code shown by the app"))


class _Prefixed(Form):
    """Several forms share the profile page: field ids must stay unique."""

    PREFIX = ""

    class Meta:
        csrf = False  # CSRFProtect checks the page's token on every post already

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)


class DisableSecondFactorForm(_Prefixed):
    PREFIX = "off"
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=1024)]
    )
    code = _code_field(_l("Code from your authenticator app, or a recovery code"))


class RenewCodesForm(_Prefixed):
    """New recovery codes need the password or a current code (either is enough)."""

    PREFIX = "renew"

    current_password = PasswordField(
        _l("Current password"), validators=[Optional(), Length(max=1024)]
    )
    code = _code_field(_l("Or a code from your authenticator app"), required=False)


class ReauthForm(Form):
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    code = _code_field(_l("Code from your authenticator app, or a recovery code"), required=False)

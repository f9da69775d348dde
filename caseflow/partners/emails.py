"""The emails of a referral, client- and partner-facing (nl, en and fr: babel-client.cfg):
the introduction to the partner in the partner's language, the partner's details for the
client in the client's language."""

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from caseflow.auth.models import User
from caseflow.cases.models import Case
from caseflow.centres.models import Centre
from caseflow.extensions import db
from caseflow.partners.models import Partner


def _centre_name(case: Case) -> str:
    return db.session.get(Centre, case.centre_id).name


def introduction_email(
    case: Case, partner: Partner, advisor: User, shared: dict[str, list[str]]
) -> dict[str, str]:
    """Subject and text of the introduction to the partner, in the partner's language."""
    centre_name = _centre_name(case)
    context = {
        "partner": partner,
        "advisor": advisor,
        "centre_name": centre_name,
        "shared": shared,
    }
    with force_locale(partner.email_language.value):
        return {
            "subject": _("Introduction of a client of %(centre)s", centre=centre_name),
            "text": render_template("mail/referral_introduction.txt", **context),
        }


def partner_details_email(case: Case, partner: Partner, advisor: User) -> dict[str, str]:
    """Subject and text of the partner's details for the client, in their language."""
    centre_name = _centre_name(case)
    context = {"partner": partner, "advisor": advisor, "centre_name": centre_name}
    with force_locale(case.client_language.value):
        return {
            "subject": _("An organisation that can help you: %(partner)s", partner=partner.name),
            "text": render_template("mail/referral_partner_details.txt", **context),
        }

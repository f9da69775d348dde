"""Words for the partner network's values (staff pages; the client-facing ones are in
the templates of the client emails)."""

from flask_babel import lazy_gettext as _l

from caseflow.partners.models import PartnerType, ReferralState

PARTNER_TYPE = {
    PartnerType.HEALTH_FUND: _l("Health fund"),
    PartnerType.BANK: _l("Bank"),
    PartnerType.LANGUAGE_SCHOOL: _l("Language school"),
    PartnerType.MUNICIPALITY: _l("Municipality"),
    PartnerType.KNOWLEDGE_INSTITUTION: _l("Knowledge institution"),
    PartnerType.INSURER: _l("Insurer"),
    PartnerType.EMPLOYER: _l("Employer"),
    PartnerType.HOUSING: _l("Housing"),
    PartnerType.OTHER: _l("Other organisation"),
}

REFERRAL_STATE = {
    ReferralState.SENT: _l("Sent"),
    ReferralState.CONTACTED: _l("Contacted"),
    ReferralState.HELPED: _l("Helped"),
    ReferralState.NO_ANSWER: _l("No answer"),
    ReferralState.CLOSED: _l("Closed"),
}

# "Closed" is not an outcome the partner reports: the advisor stopped following the
# referral up (the case form, the panel and the funder report say so).
CLOSED_MEANING = _l("Closed: no longer followed up, e.g. the client withdrew.")

# The funder report's outcome rows: "Closed" spelled out there.
REFERRAL_OUTCOME = {
    **REFERRAL_STATE,
    ReferralState.CLOSED: _l("Closed (no longer followed up, e.g. the client withdrew)"),
}

# The languages a partner may serve (codes stored on the partner).
LANGUAGES = {
    "nl": _l("Dutch"),
    "en": _l("English"),
    "fr": _l("French"),
    "de": _l("German"),
    "es": _l("Spanish"),
    "it": _l("Italian"),
    "pt": _l("Portuguese"),
    "pl": _l("Polish"),
    "tr": _l("Turkish"),
    "ar": _l("Arabic"),
    "zh": _l("Chinese"),
    "hi": _l("Hindi"),
}

EMAIL_LANGUAGE = {"nl": _l("Dutch"), "en": _l("English"), "fr": _l("French")}

DETAIL = {
    "name": _l("Names"),
    "email": _l("Email address"),
    "phone": _l("Phone number"),
    "municipality": _l("Municipality"),
}


def choices(labels: dict, blank=None) -> list[tuple[str, str]]:
    items = [(str(key), label) for key, label in labels.items()]
    return ([("", blank)] if blank is not None else []) + items

"""What a client can ask help with on the online request form: the labels of
``HelpTopic``. Client-facing (the form is in nl, en and fr: listed in babel-client.cfg)
and shown to staff on the case page and in the intake queue."""

from flask_babel import lazy_gettext as _l

from caseflow.cases.models import HelpTopic

HELP_TOPIC = {
    HelpTopic.REGISTRATION: _l("Registration at the municipality"),
    HelpTopic.RESIDENCE_CARD: _l("Residence card"),
    HelpTopic.WORK_PERMIT: _l("Work permit"),
    HelpTopic.HEALTH_FUND: _l("Health fund"),
    HelpTopic.BANK: _l("Bank account"),
    HelpTopic.CHILD_BENEFIT: _l("Child benefit"),
    HelpTopic.SCHOOL: _l("School"),
    HelpTopic.HOUSING: _l("Housing"),
    HelpTopic.TAXES: _l("Taxes"),
    HelpTopic.LANGUAGE_COURSES: _l("Language courses"),
    HelpTopic.PARTNER_JOB: _l("A job for my partner"),
    HelpTopic.OTHER: _l("Something else"),
}


def topic_labels(codes) -> list[str]:
    """The labels of stored topic codes, in the form's order (unknown codes as they are)."""
    chosen = set(codes or ())
    known = [str(label) for topic, label in HELP_TOPIC.items() if topic.value in chosen]
    return known + sorted(code for code in chosen if code not in HELP_TOPIC)

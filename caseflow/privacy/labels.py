"""Client-facing words of the subject-access summary (nl, en and fr: babel-client.cfg).

The access log is told in a few plain kinds (viewed, changed, exported, emailed,
refused), not in the staff vocabulary of the audit trail.
"""

from flask_babel import lazy_gettext as _l

VIEWED, CHANGED, EXPORTED, EMAILED, REFUSED, OTHER = (
    "viewed",
    "changed",
    "exported",
    "emailed",
    "refused",
    "other",
)

ACCESS_KINDS = {
    VIEWED: _l("Viewed the file"),
    CHANGED: _l("Changed the file"),
    EXPORTED: _l("Exported or printed data"),
    EMAILED: _l("Sent an email"),
    REFUSED: _l("Was refused access"),
    OTHER: _l("Other action"),
}

_VIEW_ACTIONS = {
    "case.view",
    "note.view",
    "checklist_item.view",
    "attachment.download",
    "email.view",
    "email.preview",
    "case.access_log",
    "privacy.export_page",
    "portal.open",  # the client's own page opened (with the link; no user)
    "portal.send_view",
    "referral.form",
}
_EXPORT_PREFIXES = ("case.pdf", "case.client_pdf", "export.", "privacy.export")
_CHANGE_PREFIXES = (
    "case.",
    "note.",
    "followup.",
    "checklist_item.",
    "review.",
    "attachment.",
    "portal.",
    "referral.",
)


def access_kind(action: str, outcome: str) -> str:
    """The plain kind of an audit event of a case, for the data subject."""
    if outcome == "denied":
        return REFUSED
    if action in _VIEW_ACTIONS:
        return VIEWED
    if action.startswith(_EXPORT_PREFIXES):
        return EXPORTED
    if action.startswith("email."):
        return EMAILED
    if action.startswith(_CHANGE_PREFIXES):
        return CHANGED
    return OTHER


CASE_STATUS = {
    "intake": _l("Intake"),
    "open": _l("Open"),
    "waiting_on_client": _l("Waiting for you"),
    "closing_requested": _l("Closing requested"),
    "closed": _l("Closed"),
}

STEP_STATE = {
    "todo": _l("To do"),
    "in_progress": _l("In progress"),
    "waiting_on_client": _l("Waiting for you"),
    "done": _l("Done"),
    "not_applicable": _l("Not applicable"),
}

FOLLOWUP_STATUS = {"open": _l("Open"), "done": _l("Done"), "cancelled": _l("Cancelled")}

# Referrals to the centre's partners (caseflow/partners).
REFERRAL_STATE = {
    "sent": _l("Sent"),
    "contacted": _l("The organisation contacted you"),
    "helped": _l("Helped"),
    "no_answer": _l("No answer"),
    "closed": _l("Closed"),
}

REVIEW_STATUS = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "sent_back": _l("Sent back"),
}

# The client's language, named in the summary's own language (the client's).
LANGUAGE = {"nl": _l("Dutch"), "en": _l("English"), "fr": _l("French")}

EMAIL_STATUS = {
    "queued": _l("Waiting to be sent"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Not delivered"),
    "cancelled": _l("Not sent (cancelled)"),
}


def label(mapping: dict, value) -> str:
    """The translated label of a value, or the value itself when it has none."""
    found = mapping.get(value)
    return str(found) if found is not None else (value or "")

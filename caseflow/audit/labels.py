"""What the audit pages call each action, and the kinds of action they filter on."""

from flask_babel import lazy_gettext as _l

from caseflow.core.audit import DENIED, FAILED, OK

ACTIONS = {
    "case.view": _l("Opened the case"),
    "case.create": _l("Created the case"),
    "case.update": _l("Edited the case"),
    "case.status": _l("Changed the status"),
    "case.assign": _l("Assigned the case"),
    "case.take": _l("Took the case from the queue"),
    "case.pdf": _l("Downloaded the case summary (PDF)"),
    "case.client_pdf": _l("Downloaded the client checklist (PDF)"),
    "case.access_log": _l("Viewed the access log"),
    "case.legal_hold": _l("Put the case on legal hold"),
    "case.legal_hold_lift": _l("Lifted the legal hold"),
    "note.create": _l("Added a note"),
    "note.view": _l("Opened a note for editing"),
    "note.update": _l("Edited a note"),
    "followup.create": _l("Planned a follow-up"),
    "followup.complete": _l("Completed a follow-up"),
    "followup.cancel": _l("Cancelled a follow-up"),
    "checklist_item.view": _l("Opened a checklist step"),
    "checklist_item.update": _l("Changed a checklist step"),
    "checklist_item.done": _l("Ticked a checklist step done"),
    "email.view": _l("Opened the email page"),
    "email.preview": _l("Previewed an email"),
    "email.queued": _l("Sent an email"),
    "email.retry": _l("Sent an email again"),
    "attachment.upload": _l("Attached a document"),
    "attachment.download": _l("Downloaded a document"),
    "attachment.delete": _l("Deleted a document"),
    "review.request": _l("Asked for a review"),
    "review.decide": _l("Answered a review"),
    "export.zip": _l("Exported in a bulk export (ZIP)"),
    "export.retry": _l("Restarted a bulk export"),
    "export.download": _l("Downloaded a bulk export"),
    "report.export": _l("Exported the funder report"),
    "case_type.create": _l("Added a case type"),
    "case_type.update": _l("Changed a case type"),
    "template.create": _l("Added a checklist template"),
    "template.update": _l("Changed a checklist template"),
    "template.preview": _l("Previewed a checklist template"),
    "template_item.create": _l("Added a template step"),
    "template_item.update": _l("Changed a template step"),
    "template_item.move": _l("Moved a template step"),
    "centre.update": _l("Changed the centre settings"),
    "user.activity": _l("Viewed a user's activity"),
    "access.denied": _l("Was refused access"),
    "rate_limited": _l("Was stopped by a rate limit"),
    "audit.prune": _l("Pruned old audit rows"),
    "privacy.export_page": _l("Opened the data export page"),
    "privacy.export": _l("Exported all data (subject access)"),
    "retention.run": _l("Ran retention"),
    "privacy.erase": _l("Erased personal data"),
}

# Filter choices: a kind of action is a set of action prefixes / names.
KINDS = {
    "view": (
        _l("Looked at"),
        (
            "case.view",
            "note.view",
            "checklist_item.view",
            "email.view",
            "email.preview",
            "attachment.download",
        ),
    ),
    "change": (
        _l("Changed"),
        (
            "case.create",
            "case.update",
            "case.status",
            "case.assign",
            "case.take",
            "case.legal_hold",
            "note.create",
            "note.update",
            "followup.",
            "checklist_item.update",
            "checklist_item.done",
            "attachment.upload",
            "attachment.delete",
            "review.",
            "privacy.erase",
        ),
    ),
    "export": (
        _l("Exported"),
        ("case.pdf", "case.client_pdf", "export.", "report.export", "privacy.export"),
    ),
    "email": (_l("Emails"), ("email.queued", "email.retry")),
    "admin": (
        _l("Administration"),
        ("case_type.", "template.", "template_item.", "centre.", "user.", "audit.", "retention."),
    ),
    "login": (_l("Logins and security"), ("auth.", "rate_limited", "access.denied")),
}

OUTCOMES = {OK: _l("Done"), DENIED: _l("Refused"), FAILED: _l("Failed")}

OBJECT_TYPES = {
    "case": _l("Case"),
    "note": _l("Note"),
    "followup": _l("Follow-up"),
    "checklist_item": _l("Checklist step"),
    "attachment": _l("Document"),
    "email": _l("Email"),
    "review": _l("Review"),
    "export_job": _l("Bulk export"),
    "report": _l("Report"),
    "case_type": _l("Case type"),
    "template": _l("Checklist template"),
    "template_item": _l("Template step"),
    "centre": _l("Centre"),
    "user": _l("User"),
    "person": _l("Person"),
}


def action_label(action: str) -> str:
    """The translated label; an action without one (recorded by another area, e.g.
    ``auth.login``) is shown as its code."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action

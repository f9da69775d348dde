"""Translated labels of the case enums, shared by forms and templates."""

from flask_babel import lazy_gettext as _l

from caseflow.cases.models import (
    ActivityKind,
    CaseStatus,
    ClientLanguage,
    ClosingReason,
    HouseholdRole,
    LegalBasis,
    ReferralChannel,
)
from caseflow.cases.topics import HELP_TOPIC, topic_labels  # noqa: F401 (for templates)

STATUS = {
    CaseStatus.INTAKE: _l("Intake"),
    CaseStatus.OPEN: _l("Open"),
    CaseStatus.WAITING_ON_CLIENT: _l("Waiting on client"),
    CaseStatus.CLOSING_REQUESTED: _l("Closing requested"),
    CaseStatus.CLOSED: _l("Closed"),
}
CLOSING_REASON = {
    ClosingReason.COMPLETED: _l("All steps completed"),
    ClosingReason.MOVED_AWAY: _l("Moved away"),
    ClosingReason.NO_RESPONSE: _l("No response from the client"),
    ClosingReason.REFERRED: _l("Referred to another service"),
    ClosingReason.NOT_ELIGIBLE: _l("Outside our target group"),
    ClosingReason.OTHER: _l("Other reason"),
}
REFERRAL_CHANNEL = {
    ReferralChannel.WEBSITE: _l("Website"),
    ReferralChannel.EMPLOYER: _l("Employer"),
    ReferralChannel.MUNICIPALITY: _l("Municipality"),
    ReferralChannel.EVENT: _l("Event"),
    ReferralChannel.PARTNER: _l("Partner organisation"),
    ReferralChannel.OTHER: _l("Other"),
}
# Language names in the language of whoever reads them: staff pages in the UI language
# ("Taal van de klant: Engels"); a client document renders them in the client's language.
CLIENT_LANGUAGE = {
    ClientLanguage.NL: _l("Dutch"),
    ClientLanguage.EN: _l("English"),
    ClientLanguage.FR: _l("French"),
}
HOUSEHOLD_ROLE = {
    HouseholdRole.MAIN_APPLICANT: _l("Main applicant"),
    HouseholdRole.PARTNER: _l("Partner"),
    HouseholdRole.CHILD: _l("Child"),
    HouseholdRole.OTHER: _l("Other household member"),
}
LEGAL_BASIS = {
    LegalBasis.CONSENT: _l("Consent of the client"),
    LegalBasis.CONTRACT: _l("Contract with the client"),
    LegalBasis.LEGITIMATE_INTEREST: _l("Legitimate interest"),
    LegalBasis.PUBLIC_TASK: _l("Public task"),
    LegalBasis.LEGAL_OBLIGATION: _l("Legal obligation"),
}
FIELD = {
    "household_name": _l("Household name"),
    "case_type_id": _l("Case type"),
    "arrival_date": _l("Arrival date"),
    "municipality": _l("Municipality"),
    "employer": _l("Employer"),
    "sector": _l("Sector"),
    "referral_channel": _l("Referral channel"),
    "contact_email": _l("Contact email"),
    "contact_phone": _l("Contact phone"),
    "client_language": _l("Client language"),
    "salutation": _l("Salutation"),
    "persons": _l("Household members"),
    "legal_basis": _l("Legal basis"),
}
ACTIVITY = {
    ActivityKind.CREATED: _l("Case created"),
    ActivityKind.EDITED: _l("Case details changed"),
    ActivityKind.STATUS: _l("Status changed"),
    ActivityKind.ASSIGNED: _l("Advisor changed"),
    ActivityKind.NOTE_ADDED: _l("Note added"),
    ActivityKind.NOTE_EDITED: _l("Note edited"),
    ActivityKind.FOLLOWUP_ADDED: _l("Follow-up planned"),
    ActivityKind.FOLLOWUP_DONE: _l("Follow-up completed"),
    ActivityKind.FOLLOWUP_CANCELLED: _l("Follow-up cancelled"),
    ActivityKind.EXPORTED: _l("Document exported"),
    ActivityKind.EMAILED: _l("Email sent to the client"),
    ActivityKind.REVIEW_REQUESTED: _l("Review requested"),
    ActivityKind.REVIEW_APPROVED: _l("Approved by a team lead"),
    ActivityKind.REVIEW_SENT_BACK: _l("Sent back by a team lead"),
    ActivityKind.LEGAL_HOLD_PLACED: _l("Put on legal hold"),
    ActivityKind.LEGAL_HOLD_LIFTED: _l("Legal hold lifted"),
    ActivityKind.PERSON_ERASED: _l("Person's data erased"),
    ActivityKind.FILE_ADDED: _l("Document attached"),
    ActivityKind.FILE_DELETED: _l("Document deleted"),
    ActivityKind.PORTAL_LINK_SENT: _l("Link to the client's page sent"),
    ActivityKind.PORTAL_LINK_REVOKED: _l("Link to the client's page revoked"),
    ActivityKind.CLIENT_CLAIMED: _l("The client says a step is done"),
    ActivityKind.CLIENT_CLAIM_CONFIRMED: _l("Client's update confirmed"),
    ActivityKind.CLIENT_CLAIM_SENT_BACK: _l("Client's update sent back"),
    ActivityKind.CLIENT_MESSAGE: _l("The client asked a question"),
    ActivityKind.EVENT_CONSENT_GIVEN: _l("Consent to event invitations recorded"),
    ActivityKind.EVENT_CONSENT_WITHDRAWN: _l("Consent to event invitations withdrawn"),
    ActivityKind.EVENT_INVITED: _l("Invited to an event"),
    ActivityKind.EVENT_REGISTERED: _l("Registered for an event"),
    ActivityKind.EVENT_WAITING: _l("On the waiting list of an event"),
    ActivityKind.EVENT_DECLINED: _l("Declined an event"),
    ActivityKind.EVENT_ATTENDED: _l("Attended an event"),
    ActivityKind.EVENT_ATTENDANCE_UNDONE: _l("Attendance at an event undone"),
    ActivityKind.EVENT_CHANGED: _l("Told about a change to an event"),
    ActivityKind.REFERRAL_CREATED: _l("Referred to a partner"),
    ActivityKind.REFERRAL_STATE: _l("Referral updated"),
}


MAIL_STATUS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}


def choices(labels: dict, blank=None) -> list[tuple[str, str]]:
    """SelectField choices from a label table, optionally led by a blank choice."""
    items = [(key.value, label) for key, label in labels.items()]
    return ([("", blank)] if blank is not None else []) + items

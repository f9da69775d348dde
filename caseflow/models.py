"""Imports every area's models so that Alembic and ``db.create_all`` see them all."""

from caseflow.attachments.models import Attachment
from caseflow.auth.models import RecoveryCode, Role, User, UserSession
from caseflow.calendar.models import CalendarFeed
from caseflow.cases.models import Activity, Case, CaseCounter, CaseType, Person
from caseflow.centres.models import Centre
from caseflow.checklists.models import (
    ChecklistEvent,
    ChecklistItem,
    ChecklistTemplate,
    TemplateItem,
)
from caseflow.contacts.models import Contact, ContactTopic
from caseflow.core.audit import AuditEvent
from caseflow.documents.models import ExportJob
from caseflow.events.models import Event, EventInvitation, InvitationConsent, WalkIn
from caseflow.followups.models import FollowUp
from caseflow.mail.models import OutboxAttachment, OutboxMessage
from caseflow.notes.models import Note, NoteRevision
from caseflow.partners.models import Partner, Referral
from caseflow.portal.models import ClientClaim, ClientMessage, PortalLink
from caseflow.reports.models import ReportFigure
from caseflow.reviews.models import ReviewRequest
from caseflow.team.models import TeamFigure

__all__ = [
    "TeamFigure",
    "Activity",
    "Attachment",
    "AuditEvent",
    "CalendarFeed",
    "Case",
    "CaseCounter",
    "CaseType",
    "Centre",
    "ClientClaim",
    "Contact",
    "ContactTopic",
    "ClientMessage",
    "ChecklistEvent",
    "ChecklistItem",
    "ChecklistTemplate",
    "Event",
    "EventInvitation",
    "ExportJob",
    "FollowUp",
    "InvitationConsent",
    "Note",
    "NoteRevision",
    "OutboxAttachment",
    "OutboxMessage",
    "Partner",
    "Person",
    "PortalLink",
    "RecoveryCode",
    "Referral",
    "ReportFigure",
    "ReviewRequest",
    "Role",
    "TemplateItem",
    "User",
    "UserSession",
    "WalkIn",
]

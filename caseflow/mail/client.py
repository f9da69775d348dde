"""The client checklist email: recipients, the message in the client's language, the PDF."""

from collections.abc import Callable

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from caseflow.auth.models import User
from caseflow.cases.models import ActivityKind, Case, Person
from caseflow.cases.salutation import salutation_for
from caseflow.cases.timeline import record
from caseflow.centres.models import Centre
from caseflow.checklists.models import ChecklistItem, TemplateItem
from caseflow.checklists.services import open_item_clause, overdue_clause
from caseflow.core.downloads import safe_filename
from caseflow.core.time import today
from caseflow.documents.services import client_checklist_pdf
from caseflow.extensions import db
from caseflow.mail import services
from caseflow.mail.models import OutboxMessage

KIND = "client_checklist"


def check_recipients(case: Case, recipients: list[str]) -> None:
    """Raise ``InvalidAddressError`` unless ``recipients`` are some of the case's own
    addresses (an email to a client never goes to an address typed in on the way)."""
    allowed = {address.lower() for address, _label in case_addresses(case)}
    if not recipients or any(r.lower() not in allowed for r in recipients):
        raise services.InvalidAddressError(_("Choose recipients from the case's addresses."))


def case_addresses(case: Case) -> list[tuple[str, str]]:
    """(address, label) for each email on the case: the contact address, then persons'."""
    seen, options = set(), []
    if case.contact_email:
        seen.add(case.contact_email.lower())
        options.append((case.contact_email, case.household_name))
    persons = db.session.scalars(
        select(Person).where(Person.case_id == case.id).order_by(Person.position)
    )
    for person in persons:
        if person.email and person.email.lower() not in seen:
            seen.add(person.email.lower())
            options.append((person.email, person.full_name))
    return options


def _centre_name(case: Case) -> str:
    """The case's centre signs the email (and names the sender)."""
    return db.session.get(Centre, case.centre_id).name


def partner_steps(case: Case) -> list[TemplateItem]:
    """The template steps, still open on the case, that show the client the centre's
    partners of a type (``partners_for_client``; name and website only, as in the PDF).
    The templates ask the ``partners_by_type`` Jinja global for the partners, so mail
    does not import the partners package."""
    open_steps = select(ChecklistItem.template_item_id).where(
        ChecklistItem.case_id == case.id, open_item_clause()
    )
    query = (
        select(TemplateItem)
        .where(
            TemplateItem.id.in_(open_steps),
            TemplateItem.partners_for_client.is_(True),
            TemplateItem.partner_type.is_not(None),
        )
        .order_by(TemplateItem.position, TemplateItem.id)
    )
    return list(db.session.scalars(query))


def render_email(
    case: Case, advisor: User, personal_message: str | None, portal_url: str | None = None
) -> dict[str, str]:
    """Subject, text and HTML of the checklist email, in the client's language.

    ``portal_url``: the address of the client's page, when the advisor includes it."""
    centre_name = _centre_name(case)
    context = {
        "case": case,
        "advisor": advisor,
        "centre_name": centre_name,
        "personal_message": personal_message,
        "salutation": salutation_for(case),
        "portal_url": portal_url,
        "partner_steps": partner_steps(case),
        # Steps past their date: the client reads "as soon as possible", not the date.
        "overdue": db.session.scalar(
            select(func.count())
            .select_from(ChecklistItem)
            .where(ChecklistItem.case_id == case.id, overdue_clause(today()))
        ),
    }
    with force_locale(case.client_language.value):
        return {
            "subject": _("Your checklist from %(centre)s", centre=centre_name),
            "text": render_template("mail/client_checklist.txt", **context),
            "html": render_template("mail/client_checklist.html", **context),
        }


def email_checklist(
    case: Case,
    advisor: User,
    recipients: list[str],
    personal_message: str | None,
    portal_link: Callable[[], str] | None = None,
) -> OutboxMessage:
    """Queue the checklist email with its PDF and record it on the timeline. Flushes.

    Only addresses that are on the case can be chosen. ``portal_link``: makes the link
    to the client's page that goes into the email (the route passes the portal's).
    """
    check_recipients(case, recipients)
    portal_url = portal_link() if portal_link is not None else None
    rendered = render_email(case, advisor, personal_message, portal_url)
    pdf = client_checklist_pdf(case, _centre_name(case))
    message = services.queue_email(
        centre_id=case.centre_id,
        case_id=case.id,
        kind=KIND,
        recipients=recipients,
        subject=rendered["subject"],
        text_body=rendered["text"],
        html_body=rendered["html"],
        created_by_id=advisor.id,
        reply_to=advisor.email,
        attachments=[
            services.Attachment(safe_filename(case.reference, "checklist"), "application/pdf", pdf)
        ],
    )
    record(case, advisor, ActivityKind.EMAILED, recipients=message.recipients)
    return message

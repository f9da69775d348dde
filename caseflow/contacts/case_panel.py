"""The case page's "First-line contacts" panel: the contacts logged about the case (or
that it was made from), read in the case page's lists query as one more branch
(``cases.page.register_page_branch``), so the page runs no extra query."""

from types import SimpleNamespace

from flask_login import current_user
from sqlalchemy import String, func, select, type_coerce

from caseflow.auth.models import User
from caseflow.auth.permissions import can_see_contact
from caseflow.cases.models import Case
from caseflow.cases.page import CASE_ID, page_branch
from caseflow.contacts.models import Contact, ContactChannel, ContactTopic, contact_topic_links

KIND = "contact"
# The newest contacts shown; one more is read to know whether older ones exist.
SHOWN = 10
# Between a contact's topic names in one column (never in a topic name: names are one line).
TOPIC_SEPARATOR = "\n"


def _topic_names(column):
    """A contact's topic names in one string (GROUP_CONCAT / string_agg)."""
    return (
        select(func.aggregate_strings(column, TOPIC_SEPARATOR))
        .join(contact_topic_links, contact_topic_links.c.topic_id == ContactTopic.id)
        .where(contact_topic_links.c.contact_id == Contact.id)
        .scalar_subquery()
    )


def build():
    return (
        page_branch(
            KIND,
            id=Contact.id,
            created_at=Contact.created_at,
            other_at=Contact.converted_at,
            day=Contact.contact_date,
            code=type_coerce(Contact.channel, String),
            title=Contact.name,
            body=Contact.note,
            body2=_topic_names(ContactTopic.name_en),
            code2=_topic_names(ContactTopic.name_nl),
            n1=Contact.minutes,
            n2=Contact.logged_by_id,
            name1=User.full_name,
        )
        .join(User, User.id == Contact.logged_by_id)
        .where(Contact.case_id == CASE_ID)
        .order_by(Contact.contact_date.desc(), Contact.id.desc())
        .limit(SHOWN + 1)
    )


def _topics(names: str | None) -> list[str]:
    return sorted(names.split(TOPIC_SEPARATOR)) if names else []


def to_context(case: Case, rows: list) -> dict:
    rows = sorted(rows, key=lambda r: (r.day, r.id), reverse=True)
    contacts = [
        SimpleNamespace(
            id=r.id,
            centre_id=case.centre_id,
            case_id=case.id,
            contact_date=r.day,
            channel=ContactChannel(r.code),
            name=r.title,
            note=r.body,
            topics_en=_topics(r.body2),
            topics_nl=_topics(r.code2),
            minutes=r.n1,
            logged_by_id=r.n2,
            logged_by_name=r.name1,
            converted=r.other_at is not None,
        )
        for r in rows[:SHOWN]
    ]
    for contact in contacts:
        contact.may_open = can_see_contact(current_user, contact)
    return {"case_contacts": contacts, "case_contacts_more": len(rows) > SHOWN}

"""Route decorator for a contact's pages: load it (404 unless the user may see it) and
apply a rule of permissions.py (403 otherwise)."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from caseflow.auth.permissions import can_see_contact
from caseflow.contacts.models import Contact
from caseflow.extensions import db


def contact_record(check: Callable) -> Callable:
    """The view receives ``(contact, **other_url_args)`` for the URL's ``contact_id``,
    with its topics, author and case loaded."""

    def decorator(view):
        @wraps(view)
        def wrapped(contact_id: int, **kwargs):
            contact = db.session.scalar(
                select(Contact)
                .where(Contact.id == contact_id)
                .options(
                    selectinload(Contact.topics),
                    joinedload(Contact.logged_by),
                    joinedload(Contact.case),
                )
            )
            if contact is None or not can_see_contact(current_user, contact):
                abort(404)
            if not check(current_user, contact):
                abort(403)
            return view(contact, **kwargs)

        return wrapped

    return decorator

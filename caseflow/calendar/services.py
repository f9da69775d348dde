"""Calendar feeds: the secret address (create, regenerate, revoke, find) and the feed.

Services flush, never commit.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from caseflow.auth import crypto
from caseflow.auth.models import User
from caseflow.auth.permissions import visible_cases_clause
from caseflow.calendar.models import CalendarFeed
from caseflow.cases.models import Case, Person
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.services import advisor_open_steps
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus

PURPOSE = "calendar-feed"
# 32 random bytes: nobody guesses an address (the route is rate limited besides).
TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,100}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def feed_token(feed: CalendarFeed) -> str | None:
    """The token, to show the address again; None when SECRET_KEY changed since."""
    try:
        return crypto.decrypt(feed.token_sealed, PURPOSE)
    except crypto.SecretUnreadable:
        return None


def create_feed(user: User) -> str:
    """Give ``user`` a new feed address, replacing (and so invalidating) any old one.

    Returns the token. Flushes.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = token_hash(token)
    feed.token_sealed = crypto.encrypt(token, PURPOSE)
    feed.created_at = utcnow()
    db.session.flush()
    return token


def revoke_feed(user: User) -> bool:
    """Remove the user's feed address; returns whether there was one. Flushes."""
    removed = db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.flush()
    return bool(removed.rowcount)


def user_for_token(token: str) -> User | None:
    """The active user whose feed this token opens, else None (unknown, revoked,
    deactivated: the same answer)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    user = db.session.scalar(
        select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.token_hash == token_hash(token))
    )
    if user is None or not user.is_active_account:
        return None
    return user


def _open_followups(user: User) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp)
            .join(Case, Case.id == FollowUp.case_id)
            .where(
                FollowUp.assignee_id == user.id,
                FollowUp.status == FollowUpStatus.OPEN,
                Case.erased_at.is_(None),
                visible_cases_clause(user),
            )
            .options(joinedload(FollowUp.case))
            .order_by(FollowUp.due_date, FollowUp.id)
        )
    )


def _due_steps(user: User) -> list[ChecklistItem]:
    """Open steps with a due date on the cases the user is the advisor of."""
    return list(
        db.session.scalars(
            advisor_open_steps(user)
            .where(Case.erased_at.is_(None), visible_cases_clause(user))
            .options(joinedload(ChecklistItem.case), joinedload(ChecklistItem.template_item))
        )
    )


def _client_names(case_ids: set[int]) -> list[str]:
    """The persons' names of these cases, longest first (to blank them in titles)."""
    if not case_ids:
        return []
    rows = db.session.execute(
        select(Person.first_name, Person.last_name).where(Person.case_id.in_(case_ids))
    )
    names = {n.strip() for row in rows for n in row if n and len(n.strip()) > 1}
    return sorted(names, key=len, reverse=True)


def _blank_names(text: str, names: list[str]) -> str:
    """A follow-up title is free text: a client's name typed into it stays out."""
    for name in names:
        text = re.sub(rf"\b{re.escape(name)}\b", "…", text, flags=re.IGNORECASE)
    return text


def _event(uid: str, day: date, summary: str, url: str, sequence: int, modified: datetime):
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", utcnow().replace(tzinfo=UTC))
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("url", url)
    event.add("description", url)
    event.add("sequence", sequence)
    event.add("last-modified", modified.replace(tzinfo=UTC))
    event.add("transp", "TRANSPARENT")  # a due date, not a meeting: the day stays free
    return event


def build_feed(user: User, domain: str, case_url: Callable[[int], str]) -> bytes:
    """The user's feed as iCalendar bytes, in the user's language.

    One all-day event per open follow-up assigned to the user and per open step with a
    due date on the user's cases: the case reference and the title, never a client's
    name. UIDs are stable per row (an edited row replaces its event); SEQUENCE is the
    row's version. Reads only.
    """
    followups = _open_followups(user)
    steps = _due_steps(user)
    names = _client_names({f.case_id for f in followups})
    locale = user.locale or "en"
    calendar = Calendar()
    calendar.add("prodid", "-//Caseflow//Calendar feed//EN")
    calendar.add("version", "2.0")
    with force_locale(locale):
        calendar.add("x-wr-calname", _("Caseflow: my follow-ups and due steps"))
        for followup in followups:
            title = _blank_names(followup.title, names)
            calendar.add_component(
                _event(
                    f"followup-{followup.id}@{domain}",
                    followup.due_date,
                    _("%(reference)s: %(title)s", reference=followup.case.reference, title=title),
                    case_url(followup.case_id),
                    followup.version,
                    followup.completed_at or followup.created_at,
                )
            )
        for step in steps:
            title = step.template_item.title(locale)
            calendar.add_component(
                _event(
                    f"step-{step.id}@{domain}",
                    step.due_date,
                    _("%(reference)s: step %(title)s", reference=step.case.reference, title=title),
                    case_url(step.case_id),
                    step.version,
                    step.updated_at,
                )
            )
    return calendar.to_ical()

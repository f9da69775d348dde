"""The team overview from figures the worker refreshes (issue 12: the overview of a
centre of 80,000 cases counted ~500,000 overdue steps on every view).

``refresh_team_figures`` counts every centre's overview with the live queries
(caseflow.team.queries.team_overview) and stores it in ``team_figures``; the worker runs
it every few minutes (SCHEDULE "team_figures") and ``flask team-figures`` by hand, each
centre counted without the write lock and stored in a short transaction of its own. The
overview reads the stored rows when they are younger than TEAM_FIGURES_MAX_AGE_MINUTES,
and counts live when there are none or they are older.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, select

from caseflow.auth.models import User
from caseflow.centres.figures import refresh_centre_rows
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.team.models import TeamFigure
from caseflow.team.queries import AdvisorLoad, team_overview


class StaffMember(NamedTuple):
    """Who a row of stored figures is about, as the overview shows them."""

    id: int
    full_name: str
    is_active_account: bool


FIGURES = (
    "open_cases",
    "waiting_too_long",
    "overdue_steps",
    "overdue_followups",
    "open_followups",
    "pending_reviews",
    "open_referrals",
    "oldest_open_since",
)


def refresh_team_figures(
    centre_id: int | None = None, *, commit: Callable[[], None] | None = None
) -> int:
    """Count the overview of one centre (or every centre) afresh and store it, replacing
    what was stored (centres.figures.refresh_centre_rows: read-only counting, then a
    short write per centre). Returns the number of rows stored."""

    def count(cid: int) -> list[dict]:
        now = utcnow()
        return [
            {"centre_id": cid, "user_id": load.user.id, "computed_at": now}
            | {name: getattr(load, name) for name in FIGURES}
            for load in team_overview(cid)
        ]

    return refresh_centre_rows(TeamFigure, count, centre_id, commit=commit)


def max_age() -> timedelta:
    return timedelta(minutes=current_app.config["TEAM_FIGURES_MAX_AGE_MINUTES"])


def stored_overview(centre_id: int) -> tuple[list[AdvisorLoad], datetime] | None:
    """The centre's overview as last stored, and when it was counted; None when nothing
    is stored or it is older than TEAM_FIGURES_MAX_AGE_MINUTES (one query)."""
    # Plain rows, not entities: the page needs each user's id, name and whether active.
    rows = db.session.execute(
        select(
            User.id,
            User.full_name,
            User.is_active_account,
            TeamFigure.computed_at,
            *(getattr(TeamFigure, name) for name in FIGURES),
        )
        .join(User, User.id == TeamFigure.user_id)
        .where(TeamFigure.centre_id == centre_id)
        .order_by(func.lower(User.full_name))
    ).all()
    if not rows:
        return None
    computed_at = min(row.computed_at for row in rows)
    if computed_at < utcnow() - max_age():
        return None
    loads = [
        AdvisorLoad(
            StaffMember(row.id, row.full_name, row.is_active_account),
            **{name: getattr(row, name) for name in FIGURES},
        )
        for row in rows
    ]
    return loads, computed_at


def overview(centre_id: int) -> tuple[list[AdvisorLoad], datetime | None]:
    """The overview: stored figures when fresh (with their time), else counted live
    (time None)."""
    stored = stored_overview(centre_id)
    if stored is not None:
        return stored
    return team_overview(centre_id), None

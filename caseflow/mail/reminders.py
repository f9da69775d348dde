"""The daily reminder: each advisor's follow-ups and checklist steps due today or late."""

from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow.auth.models import User
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.services import advisor_open_steps
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.mail import services

KIND = "reminder"


def _due_followups(user: User, day) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(
                FollowUp.assignee_id == user.id,
                FollowUp.status == FollowUpStatus.OPEN,
                FollowUp.due_date <= day,
            )
            .options(joinedload(FollowUp.case))
            .order_by(FollowUp.due_date, FollowUp.id)
        )
    )


def _due_steps(user: User, day) -> list[ChecklistItem]:
    return list(
        db.session.scalars(
            advisor_open_steps(user, due_by=day).options(
                joinedload(ChecklistItem.case),
                joinedload(ChecklistItem.template_item),
                joinedload(ChecklistItem.person),
            )
        )
    )


def queue_reminders() -> int:
    """Queue one email per active staff member with something due; returns how many.

    Nothing is queued for someone with nothing due. Flushes.
    """
    day = today()
    queued = 0
    staff = db.session.scalars(
        select(User).where(User.is_active_account.is_(True)).order_by(User.id)
    ).all()
    for user in staff:
        followups, steps = _due_followups(user, day), _due_steps(user, day)
        if not followups and not steps:
            continue
        count = len(followups) + len(steps)
        services.queue_to_staff(
            user,
            KIND,
            "reminder",
            lambda count=count: ngettext(
                "Caseflow: %(num)d thing due today or overdue",
                "Caseflow: %(num)d things due today or overdue",
                count,
            ),
            {"followups": followups, "steps": steps},
        )
        queued += 1
    return queued

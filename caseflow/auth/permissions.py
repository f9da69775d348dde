"""Every access rule of Caseflow, written once.

Routes, templates and list queries all ask these functions, so what a list shows
and what a detail page allows can never disagree.

- advisor: sees and edits the cases assigned to them and the open intake queue (cases
  without an advisor that are not closed; they may take one); sees, read-only, a case
  where they are assignee of one of its open follow-ups (and may complete that
  follow-up, not cancel it); creates cases. A closed case without an advisor is no
  longer shared: only team leads and admins see it.
- team_lead: sees and edits every case of the centre; assigns and reassigns; puts a
  case on legal hold (retention then leaves it alone) and lifts the hold.
- admin: everything a team lead can, plus users and case types.
Nobody ever sees another centre's data.
"""

from datetime import UTC

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import aliased

from caseflow.auth.models import User
from caseflow.cases.models import Case, CaseStatus
from caseflow.core.time import BRUSSELS, today
from caseflow.followups.models import FollowUp, FollowUpStatus


def _same_centre(user: User, case: Case) -> bool:
    return user.is_authenticated and user.centre_id == case.centre_id


def _is_followup_assignee(user: User, case: Case) -> bool:
    """An open follow-up on the case is assigned to ``user`` (done ones grant nothing)."""
    from caseflow.extensions import db

    open_followup_of_user = exists().where(
        FollowUp.case_id == case.id,
        FollowUp.assignee_id == user.id,
        FollowUp.status == FollowUpStatus.OPEN,
    )
    return bool(db.session.scalar(select(open_followup_of_user)))


# The intake queue, shared with every advisor of the centre: no advisor, not closed.
# Written twice, side by side: for one case, and as SQL for lists.
def in_intake_queue(case: Case) -> bool:
    return case.advisor_id is None and case.status != CaseStatus.CLOSED


def in_intake_queue_clause() -> ColumnElement[bool]:
    return and_(Case.advisor_id.is_(None), Case.status != CaseStatus.CLOSED)


def _works_on_case(user: User, case: Case) -> bool:
    if not _same_centre(user, case):
        return False
    return user.is_lead or case.advisor_id == user.id or in_intake_queue(case)


def can_edit_case(user: User, case: Case) -> bool:
    """Edit fields, persons, status; add notes and follow-ups. An erased case is read-only
    for everyone."""
    return case.erased_at is None and _works_on_case(user, case)


def can_view_case(user: User, case: Case) -> bool:
    if not _same_centre(user, case):
        return False
    return _works_on_case(user, case) or _is_followup_assignee(user, case)


def visible_cases_clause(user: User) -> ColumnElement[bool]:
    """The ``can_view_case`` rule as a WHERE clause, for lists and counts."""
    in_centre = Case.centre_id == user.centre_id
    if user.is_lead:
        return in_centre
    # An alias, so the subquery stays correct inside queries that select follow-ups.
    mine = aliased(FollowUp)
    followup_of_mine = exists().where(
        mine.case_id == Case.id, mine.assignee_id == user.id, mine.status == FollowUpStatus.OPEN
    )
    return and_(
        in_centre,
        or_(Case.advisor_id == user.id, in_intake_queue_clause(), followup_of_mine),
    )


def can_assign_case(user: User, case: Case) -> bool:
    """Assign or reassign a case to any advisor of the centre."""
    return _same_centre(user, case) and user.is_lead and case.erased_at is None


def can_hold_case(user: User, case: Case) -> bool:
    """Put a case on legal hold, or lift the hold: the centre's team leads and admins."""
    return _same_centre(user, case) and user.is_lead


def can_take_case(user: User, case: Case) -> bool:
    """Take an unassigned case from the intake queue for oneself."""
    return _same_centre(user, case) and in_intake_queue(case) and case.erased_at is None


def can_complete_followup(user: User, followup: FollowUp) -> bool:
    """Whoever may edit the case, and the follow-up's own assignee."""
    return can_edit_case(user, followup.case) or (
        _same_centre(user, followup.case) and followup.assignee_id == user.id
    )


def can_cancel_followup(user: User, followup: FollowUp) -> bool:
    """Only whoever may edit the case: an assignee who only reads the case completes the
    follow-up, but cannot make it disappear."""
    return can_edit_case(user, followup.case)


def can_edit_note(user: User, note) -> bool:
    """Only a note's author edits it, and only while they may still edit the case."""
    return note.author_id == user.id and can_edit_case(user, note.case)


def can_manage_users(user: User) -> bool:
    return user.is_authenticated and user.is_admin


def can_manage_case_types(user: User) -> bool:
    return user.is_authenticated and user.is_admin


def can_manage_privacy_notice(user: User) -> bool:
    """The centre's privacy notice: admins publish new versions (of their own centre)."""
    return user.is_authenticated and user.is_admin


def can_manage_checklists(user: User) -> bool:
    """Checklist templates are the centre's rules: admins edit them."""
    return user.is_authenticated and user.is_admin


def must_request_closing(user: User) -> bool:
    """With the centre's approval setting on, an advisor's close is only a request."""
    return user.centre.closing_needs_approval and not user.is_lead


def can_review(user: User) -> bool:
    """Team leads (and admins) answer review requests and see the team overview."""
    return user.is_authenticated and user.is_lead


def can_export_cases(user: User) -> bool:
    """Bulk exports of many cases are for team leads and admins."""
    return user.is_authenticated and user.is_lead


def can_create_case(user: User) -> bool:
    return user.is_authenticated


def can_see_events(user: User) -> bool:
    """The centre's events calendar (issue 15): everyone of the centre sees the published
    and cancelled events of their own centre."""
    return user.is_authenticated


def can_manage_events(user: User) -> bool:
    """Create, edit, publish and cancel the centre's events: team leads and admins."""
    return user.is_authenticated and user.is_lead


def can_work_the_door(user: User) -> bool:
    """An event's door list: tick who came and add walk-ins. Advisors often work the
    door, so everyone of the centre (the event itself must be of the user's centre and
    published; creating, changing, inviting and exporting stay with ``can_manage_events``)."""
    return user.is_authenticated


def can_read_partners(user: User) -> bool:
    """The centre's partner network: every staff member reads it."""
    return user.is_authenticated


def can_manage_partners(user: User) -> bool:
    """Add and edit the centre's partners: team leads and admins."""
    return user.is_authenticated and user.is_lead


def can_refer_case(user: User, case: Case) -> bool:
    """Refer a case's household to a partner: whoever edits the case."""
    return can_edit_case(user, case)


def can_change_referral(user: User, referral) -> bool:
    """A referral's state and follow-up date: whoever edits its case."""
    return can_edit_case(user, referral.case)


# First-line contacts (caseflow/contacts). A contact is its author's and the centre's
# team leads' (and admins'); the rules take any object with ``centre_id`` and
# ``logged_by_id`` (auth does not import the contacts package).
def can_log_contact(user: User) -> bool:
    return user.is_authenticated


def can_see_centre_contacts(user: User) -> bool:
    """The centre's contacts list: team leads and admins."""
    return user.is_authenticated and user.is_lead


def can_see_contact(user: User, contact) -> bool:
    if not user.is_authenticated or user.centre_id != contact.centre_id:
        return False
    return user.is_lead or contact.logged_by_id == user.id


def can_convert_contact(user: User, contact) -> bool:
    """ "Turn into a case": who sees the contact, once (a contact makes one case)."""
    return can_see_contact(user, contact) and contact.converted_at is None


def can_edit_contact(user: User, contact) -> bool:
    """Edit a contact, or erase its name and note on request: its author, the centre's
    team leads and admins."""
    return can_see_contact(user, contact)


def can_delete_contact(user: User, contact) -> bool:
    """Delete a contact logged by mistake: its author on the day it was logged (Brussels
    time), the centre's team leads and admins at any time."""
    if not can_see_contact(user, contact):
        return False
    logged_on = contact.created_at.replace(tzinfo=UTC).astimezone(BRUSSELS).date()
    return user.is_lead or logged_on == today()


def can_manage_contact_topics(user: User) -> bool:
    """The topic list, like the case types: admins."""
    return user.is_authenticated and user.is_admin

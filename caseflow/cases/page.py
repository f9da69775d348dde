"""The case page as a read model: everything ``cases/detail.html`` shows, in a fixed
number of queries.

The routes of every area that re-render the case page (cases, notes, follow-ups) call
``render_case_page``; forms that hold a failed post's errors replace the empty ones.
"""

import json
from collections.abc import Callable
from functools import cache
from types import SimpleNamespace
from typing import NamedTuple

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import aliased, joinedload

from caseflow.attachments.forms import UploadForm
from caseflow.attachments.models import Attachment
from caseflow.auth.models import User
from caseflow.auth.permissions import (
    can_assign_case,
    can_edit_case,
    can_hold_case,
    can_take_case,
)
from caseflow.auth.services import centre_users
from caseflow.cases.forms import AssignForm, LegalHoldForm, LiftLegalHoldForm, StatusForm
from caseflow.cases.models import Activity, ActivityKind, Case
from caseflow.checklists.views import group_checklist, load_items, progress_of_groups
from caseflow.core.i18n import current_locale
from caseflow.core.time import today
from caseflow.extensions import db
from caseflow.followups.forms import FollowUpForm
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.mail.models import OutboxMessage, OutboxStatus
from caseflow.notes.forms import NoteForm
from caseflow.notes.models import Note
from caseflow.reviews.forms import DecisionForm, ReviewRequestForm
from caseflow.reviews.models import ReviewKind, ReviewRequest, ReviewStatus

TIMELINE_LIMIT = 100
REVIEWS_SHOWN = 5
EMAILS_SHOWN = 20

# Feature packages that add a panel to the case page register a loader here (at app
# set-up): ``loader(case) -> dict`` merged into the page's context, in a fixed number
# of queries. The case page then shows that area without cases importing it (e.g. the
# client page panel, caseflow/portal/staff_routes.py).
PAGE_EXTENSIONS: list[Callable[[Case], dict]] = []


def register_page_extension(loader: Callable[[Case], dict]) -> None:
    if loader not in PAGE_EXTENSIONS:
        PAGE_EXTENSIONS.append(loader)


class PageBranch(NamedTuple):
    """A feature package's list on the case page, read in the page's lists query (no
    query of its own): ``build()`` returns a ``page_branch(kind, ...)`` SELECT of the
    case's rows (``CASE_ID``, ``CENTRE_ID`` as bound parameters), ordered and capped;
    ``to_context(case, rows)`` turns its rows into entries of the page's context."""

    build: Callable
    to_context: Callable[[Case, list], dict]


# By kind, registered at app set-up (e.g. the case's first-line contacts,
# caseflow/contacts/routes.py).
PAGE_BRANCHES: dict[str, PageBranch] = {}


def register_page_branch(kind: str, build: Callable, to_context: Callable) -> None:
    PAGE_BRANCHES.setdefault(kind, PageBranch(build, to_context))


def advisor_choices(include_queue_label: str | None = None) -> list[tuple[str, str]]:
    """The centre's active staff as select choices, optionally after an intake queue."""
    staff = centre_users(current_user.centre_id)
    queue = [("", include_queue_label)] if include_queue_label else []
    return queue + [(str(u.id), u.full_name) for u in staff]


# Everything of the case itself the page shows, in one query (persons joined too: a
# household is a handful of rows).
CASE_PAGE_OPTIONS = (
    joinedload(Case.advisor),
    joinedload(Case.case_type),
    joinedload(Case.consent_recorded_by),
    joinedload(Case.privacy_notice_version),
    joinedload(Case.legal_hold_by),
    joinedload(Case.persons),
)


def load_case_for_page(case_id: int) -> Case | None:
    """The case with what its page shows, read afresh (one query)."""
    return (
        db.session.scalars(
            select(Case)
            .where(Case.id == case_id)
            .options(*CASE_PAGE_OPTIONS)
            .execution_options(populate_existing=True)
        )
        .unique()
        .one_or_none()
    )


# ---------------------------------------------------------------- the page's small lists

# Every small list the page shows (follow-ups, notes, files, timeline, reviews, emails,
# the centre's staff for the assign and follow-up selects)
# comes from ONE query: a UNION ALL of plain rows padded to a common shape, told apart
# by ``kind``, each branch ordered and capped on its own (as the client page panel's
# caseflow/portal/services.py case_portal). The rows become light objects with the
# attributes the templates and the permission checks read.
_COLUMNS = {
    "id": Integer,
    "created_at": DateTime,
    "other_at": DateTime,
    "day": Date,
    "code": String,
    "code2": String,
    "title": String,
    "body": Text,
    "body2": Text,
    "n1": Integer,
    "n2": Integer,
    "n3": Integer,
    "flag": Boolean,
    "name1": String,
    "name2": String,
}


def page_branch(kind: str, **columns):
    """A SELECT with every column of the common shape (typed NULLs where ``kind`` has
    none), in the same order."""
    padded = [literal_column(f"'{kind}'", String).label("kind")]
    for name, type_ in _COLUMNS.items():
        value = columns.pop(name, None)
        padded.append((cast(null(), type_) if value is None else value).label(name))
    assert not columns, columns  # noqa: S101 (a misspelt column name)
    return select(*padded)


class _Person(SimpleNamespace):
    """A user as the lists name them (id and name only)."""


def _user(user_id: int | None, name: str | None) -> _Person | None:
    return None if user_id is None else _Person(id=user_id, full_name=name)


class PageFollowUp(SimpleNamespace):
    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN


CASE_ID = bindparam("case_id", type_=Integer)
# The centre whose active staff the assign and follow-up selects offer (the case's).
CENTRE_ID = bindparam("centre_id", type_=Integer)


class PageLists(NamedTuple):
    followups: list
    notes: list
    attachments: list
    activities: list
    reviews: list
    emails: list
    staff: list
    # The registered branches' rows, by kind (PAGE_BRANCHES).
    extra: dict


@cache
def _page_lists_query(extra_kinds: tuple[str, ...]):
    """The UNION ALL of ``load_page_lists``, built once per set of registered branches
    (building it costs more than running it): the case is the bound parameter
    ``case_id``."""
    assignee, completer = aliased(User), aliased(User)
    author, uploader, actor = aliased(User), aliased(User), aliased(User)
    requester, reviewer = aliased(User), aliased(User)
    followups = (
        page_branch(
            "followup",
            id=FollowUp.id,
            created_at=FollowUp.created_at,
            other_at=FollowUp.completed_at,
            day=FollowUp.due_date,
            code=type_coerce(FollowUp.status, String),
            title=FollowUp.title,
            body=FollowUp.details,
            n1=FollowUp.version,
            n2=FollowUp.assignee_id,
            n3=FollowUp.completed_by_id,
            name1=assignee.full_name,
            name2=completer.full_name,
        )
        .join(assignee, assignee.id == FollowUp.assignee_id)
        .outerjoin(completer, completer.id == FollowUp.completed_by_id)
        .where(FollowUp.case_id == CASE_ID)
        .subquery()
    )
    notes = (
        page_branch(
            "note",
            id=Note.id,
            created_at=Note.created_at,
            other_at=Note.edited_at,
            body=Note.body,
            n1=Note.version,
            n2=Note.author_id,
            name1=author.full_name,
        )
        .join(author, author.id == Note.author_id)
        .where(Note.case_id == CASE_ID)
        .subquery()
    )
    attachments = (
        page_branch(
            "attachment",
            id=Attachment.id,
            created_at=Attachment.created_at,
            code=Attachment.content_type,
            title=Attachment.original_name,
            n1=Attachment.size,
            n2=Attachment.uploaded_by_user_id,
            n3=Attachment.checklist_item_id,
            flag=Attachment.uploaded_by_client,
            name1=uploader.full_name,
        )
        .outerjoin(uploader, uploader.id == Attachment.uploaded_by_user_id)
        .where(Attachment.case_id == CASE_ID)
        .subquery()
    )
    activities = (
        page_branch(
            "activity",
            id=Activity.id,
            created_at=Activity.created_at,
            code=type_coerce(Activity.kind, String),
            body=cast(Activity.details, Text),
            n2=Activity.actor_id,
            name1=actor.full_name,
        )
        .outerjoin(actor, actor.id == Activity.actor_id)
        .where(Activity.case_id == CASE_ID)
        .order_by(Activity.id.desc())
        .limit(TIMELINE_LIMIT + 1)
        .subquery()
    )
    reviews = (
        page_branch(
            "review",
            id=ReviewRequest.id,
            created_at=ReviewRequest.created_at,
            other_at=ReviewRequest.decided_at,
            code=type_coerce(ReviewRequest.status, String),
            code2=type_coerce(ReviewRequest.kind, String),
            body=ReviewRequest.comment,
            body2=ReviewRequest.response,
            n2=ReviewRequest.requested_by_id,
            n3=ReviewRequest.reviewer_id,
            name1=requester.full_name,
            name2=reviewer.full_name,
        )
        .join(requester, requester.id == ReviewRequest.requested_by_id)
        .outerjoin(reviewer, reviewer.id == ReviewRequest.reviewer_id)
        .where(ReviewRequest.case_id == CASE_ID)
        .order_by(ReviewRequest.id.desc())
        .limit(REVIEWS_SHOWN)
        .subquery()
    )
    emails = (
        page_branch(
            "email",
            id=OutboxMessage.id,
            created_at=OutboxMessage.created_at,
            code=type_coerce(OutboxMessage.status, String),
            body=cast(OutboxMessage.recipients, Text),
            body2=OutboxMessage.last_error,
            n1=OutboxMessage.attempts,
        )
        .where(OutboxMessage.case_id == CASE_ID)
        .order_by(OutboxMessage.id.desc())
        .limit(EMAILS_SHOWN)
        .subquery()
    )
    staff = (
        page_branch("staff", id=User.id, name1=User.full_name)
        .where(User.centre_id == CENTRE_ID, User.is_active_account.is_(True))
        .subquery()
    )
    branches = (followups, notes, attachments, activities, reviews, emails, staff)
    branches += tuple(PAGE_BRANCHES[kind].build().subquery() for kind in extra_kinds)
    return union_all(*(select(b) for b in branches))


def load_page_lists(case: Case) -> PageLists:
    """The case page's small lists in one query, whatever the case holds."""
    rows = db.session.execute(
        _page_lists_query(tuple(PAGE_BRANCHES)), {"case_id": case.id, "centre_id": case.centre_id}
    ).all()
    lists = PageLists([], [], [], [], [], [], [], {kind: [] for kind in PAGE_BRANCHES})
    for r in rows:
        if r.kind == "followup":
            lists.followups.append(
                PageFollowUp(
                    id=r.id,
                    case=case,
                    case_id=case.id,
                    title=r.title,
                    details=r.body,
                    due_date=r.day,
                    status=FollowUpStatus(r.code),
                    created_at=r.created_at,
                    completed_at=r.other_at,
                    version=r.n1,
                    assignee_id=r.n2,
                    assignee=_user(r.n2, r.name1),
                    completed_by_id=r.n3,
                    completed_by=_user(r.n3, r.name2),
                )
            )
        elif r.kind == "note":
            lists.notes.append(
                SimpleNamespace(
                    id=r.id,
                    case=case,
                    case_id=case.id,
                    body=r.body,
                    created_at=r.created_at,
                    edited_at=r.other_at,
                    version=r.n1,
                    author_id=r.n2,
                    author=_user(r.n2, r.name1),
                )
            )
        elif r.kind == "attachment":
            lists.attachments.append(
                SimpleNamespace(
                    id=r.id,
                    case_id=case.id,
                    original_name=r.title,
                    content_type=r.code,
                    size=r.n1,
                    created_at=r.created_at,
                    uploaded_by_user_id=r.n2,
                    uploaded_by=_user(r.n2, r.name1),
                    checklist_item_id=r.n3,
                    uploaded_by_client=bool(r.flag),
                )
            )
        elif r.kind == "activity":
            lists.activities.append(
                SimpleNamespace(
                    id=r.id,
                    case_id=case.id,
                    kind=ActivityKind(r.code),
                    details=json.loads(r.body) if r.body else {},
                    created_at=r.created_at,
                    actor_id=r.n2,
                    actor=_user(r.n2, r.name1),
                )
            )
        elif r.kind == "review":
            lists.reviews.append(
                SimpleNamespace(
                    id=r.id,
                    case=case,
                    case_id=case.id,
                    kind=ReviewKind(r.code2),
                    status=ReviewStatus(r.code),
                    comment=r.body,
                    response=r.body2,
                    created_at=r.created_at,
                    decided_at=r.other_at,
                    requested_by_id=r.n2,
                    requested_by=_user(r.n2, r.name1),
                    reviewer_id=r.n3,
                    reviewer=_user(r.n3, r.name2),
                )
            )
        elif r.kind == "staff":
            lists.staff.append(_Person(id=r.id, full_name=r.name1))
        elif r.kind in lists.extra:
            lists.extra[r.kind].append(r)
        else:
            lists.emails.append(
                SimpleNamespace(
                    id=r.id,
                    case_id=case.id,
                    status=OutboxStatus(r.code),
                    recipients=json.loads(r.body) if r.body else [],
                    last_error=r.body2,
                    attempts=r.n1,
                    created_at=r.created_at,
                )
            )
    # The orders of the separate queries this replaces (a UNION ALL keeps none).
    lists.followups.sort(key=lambda f: (f.status.value, f.due_date, f.id))
    lists.notes.sort(key=lambda n: (n.created_at, n.id), reverse=True)
    lists.attachments.sort(key=lambda a: (a.created_at, a.id), reverse=True)
    lists.activities.sort(key=lambda a: a.id, reverse=True)
    lists.reviews.sort(key=lambda r: r.id, reverse=True)
    lists.emails.sort(key=lambda m: m.id, reverse=True)
    lists.staff.sort(key=lambda u: (u.full_name.lower(), u.id))
    return lists


def case_page_context(case: Case, *, loaded: bool = False, **forms) -> dict:
    """What the case page shows, loaded afresh, with ``forms`` in place of empty ones.

    ``loaded``: ``case`` was just read by ``load_case_for_page`` in this request (the
    page's own GET), so it is not read again.

    ``forms`` may hold ``status_form``, ``assign_form``, ``followup_form``,
    ``note_form``, ``hold_form``, ``upload_form`` and ``blocking_items`` (the steps that
    stopped a close).
    """
    if not loaded:
        case = load_case_for_page(case.id)
    lists = load_page_lists(case)
    checklist = group_checklist(case.persons, load_items(case), today())
    # The centre's active staff (as advisor_choices(), from the lists' query).
    staff_choices = [(str(u.id), u.full_name) for u in lists.staff]
    status_form = forms.get("status_form") or StatusForm(formdata=None, status=case.status.value)
    status_form.version.data = case.version
    assign_form = forms.get("assign_form") or AssignForm(
        formdata=None, advisor_id=str(case.advisor_id or "")
    )
    assign_form.version.data = case.version
    assign_form.advisor_id.choices = [("", _("Intake queue (unassigned)")), *staff_choices]
    followup_form = forms.get("followup_form") or FollowUpForm(
        formdata=None, assignee_id=str(case.advisor_id or current_user.id)
    )
    followup_form.assignee_id.choices = staff_choices
    hold_form = forms.get("hold_form") or LegalHoldForm(formdata=None)
    hold_form.version.data = case.version
    lift_hold_form = LiftLegalHoldForm(formdata=None, version=case.version)
    extensions: dict = {}
    for loader in PAGE_EXTENSIONS:
        extensions.update(loader(case))
    for kind, branch in PAGE_BRANCHES.items():
        extensions.update(branch.to_context(case, lists.extra[kind]))
    return extensions | {
        "case": case,
        "followups": lists.followups,
        "notes": lists.notes,
        "attachments": lists.attachments,
        # The step a file belongs to, by its title (the steps are loaded already).
        "step_titles": {
            item.id: item.template_item.title(current_locale())
            for group in checklist
            for item in group.items
        },
        "upload_form": forms.get("upload_form") or UploadForm(formdata=None),
        "activities": lists.activities[:TIMELINE_LIMIT],
        "timeline_truncated": len(lists.activities) > TIMELINE_LIMIT,
        "status_form": status_form,
        "assign_form": assign_form,
        "followup_form": followup_form,
        "note_form": forms.get("note_form") or NoteForm(formdata=None),
        "checklist": checklist,
        "emails": lists.emails,
        "case_reviews": lists.reviews,
        "review_form": ReviewRequestForm(formdata=None),
        "decision_form": DecisionForm(formdata=None),
        "case_progress": progress_of_groups(checklist),
        "blocking_items": forms.get("blocking_items", []),
        "can_edit": can_edit_case(current_user, case),
        "can_assign": can_assign_case(current_user, case),
        "can_take": can_take_case(current_user, case),
        "can_hold": can_hold_case(current_user, case),
        "hold_form": hold_form,
        "lift_hold_form": lift_hold_form,
    }


def render_case_page(case: Case, status: int = 200, *, loaded: bool = False, **forms):
    """The case page as a response, with ``status`` (400/409 when re-shown after a post)."""
    context = case_page_context(case, loaded=loaded, **forms)
    return render_template("cases/detail.html", **context), status

"""Setting up team data and reading what the pages show."""

import html
import re
from datetime import timedelta

from sqlalchemy import select

from caseflow.cases import services as cases
from caseflow.cases.models import Activity, ActivityKind, Case, CaseStatus, ClosingReason
from caseflow.checklists.models import ChecklistItem
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.followups.services import add_followup

CASE_COUNT = re.compile(r'<p id="case-count"[^>]*>(\d+) cases?</p>')
CASE_ROW_LINK = re.compile(r'<td><a href="/cases/\d+">([^<]+)</a></td>')
TEAM_ROW = re.compile(r'<tr>\s*<th scope="row">([^<]+)</th>(.*?)</tr>', re.S)
CELL_LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')
COLUMNS = ("open", "waiting", "steps", "followups", "oldest")


def text(response) -> str:
    """The page as a person reads it: entities decoded."""
    return html.unescape(response.get_data(as_text=True))


def waiting_on_client(case: Case, actor, days_ago: int) -> Case:
    """Put the case on 'waiting on the client' since ``days_ago`` days."""
    cases.change_status(case, actor, CaseStatus.WAITING_ON_CLIENT)
    case.status_changed_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return case


def followup(case: Case, actor, *, days_late: int, assignee=None, title="Call back"):
    """A follow-up due ``days_late`` days ago (negative: still to come)."""
    result = add_followup(
        case,
        actor,
        title=title,
        details=None,
        due_date=today() - timedelta(days=days_late),
        assignee_id=(assignee or actor).id,
    )
    db.session.commit()
    return result


def close(case: Case, lead, reason=ClosingReason.COMPLETED) -> Case:
    """Close a case as a team lead (anyway, if required steps are still open)."""
    cases.change_status(case, lead, CaseStatus.CLOSED, reason=reason, close_anyway_reason="test")
    db.session.commit()
    return case


def overdue_steps(*case_list: Case) -> int:
    """Counted item by item in Python (ChecklistItem.is_overdue), not with the app's SQL."""
    db.session.expire_all()
    items = db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.case_id.in_([c.id for c in case_list]))
    )
    return sum(item.is_overdue(today()) for item in items)


def cases_with_overdue_steps(*case_list: Case) -> set[str]:
    db.session.expire_all()
    late = set()
    for case in case_list:
        items = db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id))
        if any(item.is_overdue(today()) for item in items):
            late.add(case.reference)
    return late


def team_rows(response) -> dict[str, dict[str, tuple[str, str | None]]]:
    """/team as {advisor name: {column: (shown number, link or None)}}."""
    body = response.get_data(as_text=True)
    rows = {}
    for name, cells in TEAM_ROW.findall(body):
        links = CELL_LINK.findall(cells)
        row = {
            column: (html.unescape(label), html.unescape(href))
            for column, (href, label) in zip(COLUMNS, links, strict=False)
        }
        if len(links) == len(COLUMNS) - 1:
            row["oldest"] = ("—", None)
        assert len(row) == len(COLUMNS), cells
        rows[html.unescape(name)] = row
    return rows


def listed(response) -> tuple[int, list[str]]:
    """The case list: the "N cases" count and the references shown, in order."""
    body = response.get_data(as_text=True)
    match = CASE_COUNT.search(body)
    assert match, body[:2000]
    return int(match.group(1)), CASE_ROW_LINK.findall(body)


def activities(case: Case, kind: ActivityKind) -> list[Activity]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Activity)
            .where(Activity.case_id == case.id, Activity.kind == kind)
            .order_by(Activity.id)
        )
    )

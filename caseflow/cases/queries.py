"""Read-side queries for case lists. Every list starts from ``visible_cases_clause``."""

import base64
import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased, joinedload, selectinload

from caseflow.auth.models import User
from caseflow.auth.permissions import visible_cases_clause
from caseflow.cases import search
from caseflow.cases.models import Case, CaseStatus, CaseType, Person
from caseflow.checklists.models import ChecklistItem
from caseflow.checklists.services import overdue_clause
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus

# A case waiting on the client longer than this shows up in the team lead's overview.
WAITING_TOO_LONG_DAYS = 14

SORTS = {
    "reference": (Case.reference,),
    "household": (Case.household_sort,),
    "arrival": (Case.arrival_date,),
    "status": (Case.status,),
    "updated": (Case.updated_at,),
    "opened": (Case.created_at,),
}


@dataclass
class CaseFilters:
    q: str = ""
    status: str = ""
    advisor: str = ""
    case_type: str = ""
    municipality: str = ""
    nationality: str = ""
    overdue: str = ""  # "1": only cases with overdue checklist items
    waiting: str = ""  # "long": waiting on the client for more than 14 days
    followups: str = ""  # "overdue": with a follow-up past its due date
    hold: str = ""  # "1": on legal hold, "0": not on legal hold
    # "relevance": the best matches of the search term first (one page of them); with
    # no term to rank by it is "-updated".
    sort: str = "-updated"


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_clause(term: str):
    """Cases whose reference, household name, contact email, employer, a person's name
    or email, or a note's text holds ``term``'s words (each typed word a prefix of a
    word there, any letter case and accents: see caseflow/cases/search.py). The one
    place searching is defined: the case list and the top bar's search box both come
    here; callers combine it with ``visible_cases_clause``."""
    clause = search.index_clause(term)
    return clause if clause is not None else _like_clause(term)


def _like_clause(term: str):
    """The scan for terms without a letter or digit (the index has nothing to look up)."""
    pattern = f"%{_escape_like(term.lower())}%"

    def like(column):
        return func.lower(column).like(pattern, escape="\\")

    return or_(
        like(Case.reference),
        like(Case.household_name),
        like(Case.contact_email),
        like(Case.employer),
        exists().where(
            Person.case_id == Case.id,
            or_(like(Person.email)),
        ),
    )


def _filtered_cases(user: User, filters: CaseFilters) -> Select:
    """The cases ``user`` may see with ``filters`` applied: no order, no loading options."""
    return _filter(select(Case), user, filters)


def _filter(query: Select, user: User, filters: CaseFilters) -> Select:
    """``query`` (of cases, or of the list's columns) narrowed to the cases ``user`` may
    see with ``filters`` applied."""
    query = query.where(visible_cases_clause(user))
    if filters.status == "all":
        pass
    elif filters.status in {s.value for s in CaseStatus}:
        query = query.where(Case.status == filters.status)
    else:
        query = query.where(Case.status != CaseStatus.CLOSED)
    if filters.advisor == "none":
        query = query.where(Case.advisor_id.is_(None))
    elif filters.advisor.isdigit():
        query = query.where(Case.advisor_id == int(filters.advisor))
    if filters.case_type.isdigit():
        query = query.where(Case.case_type_id == int(filters.case_type))
    if filters.municipality:
        query = query.where(func.lower(Case.municipality) == filters.municipality.lower())
    if filters.nationality:
        query = query.where(
            exists().where(
                Person.case_id == Case.id,
                or_(
                    Person.nationality == filters.nationality,
                    Person.second_nationality == filters.nationality,
                ),
            )
        )
    if filters.overdue == "1":
        query = query.where(
            exists().where(ChecklistItem.case_id == Case.id, overdue_clause(today()))
        )
    if filters.waiting == "long":
        query = query.where(
            Case.status == CaseStatus.WAITING_ON_CLIENT,
            Case.status_changed_at < utcnow() - timedelta(days=WAITING_TOO_LONG_DAYS),
        )
    if filters.followups == "overdue":
        query = query.where(
            exists().where(
                FollowUp.case_id == Case.id,
                FollowUp.status == FollowUpStatus.OPEN,
                FollowUp.due_date < today(),
            )
        )
    if filters.hold == "1":
        query = query.where(Case.legal_hold_at.is_not(None))
    elif filters.hold == "0":
        query = query.where(Case.legal_hold_at.is_(None))
    if filters.q:
        query = query.where(search_clause(filters.q))
    return query


def filtered_cases(user: User, filters: CaseFilters) -> Select:
    """The case list's filters, for other lists of cases (e.g. the recipients of event
    invitations, caseflow/events): the cases ``user`` may see, no order, no options."""
    return _filtered_cases(user, filters)


_LIST_OPTIONS = (joinedload(Case.advisor), joinedload(Case.case_type), selectinload(Case.persons))


# The list's rows: plain columns, not ORM objects ----------------------------------------
#
# A page of the list shows 25 cases with their type, advisor and household. Building 25
# Case objects with their persons through the ORM (identity map, attribute state, the
# joined and selectin loaders) cost more than the queries themselves; the list reads
# the few columns it shows as plain rows into the small objects below, which answer
# the template as a Case would (``case.persons | length``, ``case.case_type.name(l)``).


class ListCaseType(NamedTuple):
    name_en: str
    name_nl: str

    def name(self, locale: str) -> str:
        return self.name_nl if locale == "nl" else self.name_en


class ListAdvisor(NamedTuple):
    id: int
    full_name: str


class ListPerson(NamedTuple):
    nationality: str | None


@dataclass(slots=True)
class CaseRow:
    """One row of the case list: what the list shows of a case."""

    id: int
    reference: str
    household_name: str
    status: CaseStatus
    legal_hold_at: datetime | None
    arrival_date: date | None
    municipality: str | None
    case_type: ListCaseType
    advisor: ListAdvisor | None
    persons: list[ListPerson]

    @property
    def on_legal_hold(self) -> bool:
        return self.legal_hold_at is not None


_ListAdvisorUser = aliased(User, name="list_advisor")


def _list_select(*extra) -> Select:
    """SELECT of the list's columns (and ``extra``) from cases with their type and
    advisor (outer joins on primary keys, as the ORM's joined loading did)."""
    return (
        select(
            Case.id,
            Case.reference,
            Case.household_name,
            Case.status,
            Case.legal_hold_at,
            Case.arrival_date,
            Case.municipality,
            CaseType.name_en,
            CaseType.name_nl,
            Case.advisor_id,
            _ListAdvisorUser.full_name,
            *extra,
        )
        .select_from(Case)
        .outerjoin(CaseType, CaseType.id == Case.case_type_id)
        .outerjoin(_ListAdvisorUser, _ListAdvisorUser.id == Case.advisor_id)
    )


@cache
def _persons_query():
    """The nationalities of the persons of some cases, in household order (built once)."""
    return (
        select(Person.case_id, Person.nationality)
        .where(Person.case_id.in_(bindparam("case_ids", expanding=True)))
        .order_by(Person.case_id, Person.position, Person.id)
    )


def _case_rows(rows) -> list[CaseRow]:
    """CaseRows for rows of ``_list_select``, with their persons' nationalities in
    household order (one query: the persons of all of them)."""
    cases = [
        CaseRow(
            id=row[0],
            reference=row[1],
            household_name=row[2],
            status=row[3],
            legal_hold_at=row[4],
            arrival_date=row[5],
            municipality=row[6],
            case_type=ListCaseType(row[7], row[8]),
            advisor=None if row[9] is None else ListAdvisor(row[9], row[10]),
            persons=[],
        )
        for row in rows
    ]
    if cases:
        by_id = {case.id: case for case in cases}
        persons = db.session.execute(_persons_query(), {"case_ids": list(by_id)})
        for case_id, nationality in persons:
            by_id[case_id].persons.append(ListPerson(nationality))
    return cases


def _sort_of(filters: CaseFilters) -> tuple[str, bool]:
    """The sort key's name (a key of ``SORTS``) and whether it runs descending."""
    name = filters.sort.lstrip("-")
    if name not in SORTS:
        return "updated", True
    return name, filters.sort.startswith("-")


def _order_by(name: str, descending: bool) -> list:
    """ORDER BY for a sort: its key, then the id (same direction) so the order is total.
    NULLs (an unknown arrival date) go where each database's index keeps them, so the
    index serves the order: smallest on SQLite, largest on PostgreSQL."""
    (key,) = SORTS[name]
    order = [key.desc(), Case.id.desc()] if descending else [key.asc(), Case.id.asc()]
    # A reference is unique within the centre (every list is one centre's): the id
    # adds nothing, and left out the unique index serves the order on PostgreSQL too.
    return order[:1] if name == "reference" else order


def _nulls_smallest() -> bool:
    return db.session.get_bind().dialect.name != "postgresql"


def case_list_query(user: User, filters: CaseFilters) -> Select:
    """The cases ``user`` may see, filtered, searched and sorted (not yet paginated)."""
    name, descending = _sort_of(filters)
    return (
        _filtered_cases(user, filters)
        .order_by(*_order_by(name, descending))
        .options(*_LIST_OPTIONS)
    )


# Keyset pagination ------------------------------------------------------------------
#
# A page is "the N cases after (or before) this one in the sort order", never "skip
# N x page": the database seeks in the sort's index instead of counting past every
# earlier row, so the 4,000th page costs what the first does. A cursor holds the sort
# key's value and the id of the case at a page's edge, so a link stays valid (and the
# page stable) while cases change.

# The sort keys that may be NULL (a case whose arrival date is not known yet).
NULLABLE_SORTS = frozenset({"arrival"})

# Counting stops here: "10,000+" is as useful as an exact 73,412 and costs a fraction.
COUNT_LIMIT = 10_000


@dataclass
class Cursor:
    value: object
    id: int


def encode_cursor(value, case_id: int) -> str:
    """A cursor: the sort key's value (as the database gave it) and the case id, as
    URL-safe text."""
    if hasattr(value, "value"):  # an enum (status)
        value = value.value
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    raw = json.dumps([value, case_id], ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(name: str, token: str | None) -> Cursor | None:
    """The cursor in ``token`` for sort ``name``, or None when it is not one of ours."""
    if not token or len(token) > 400:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        text, case_id = json.loads(raw.decode())
        if not isinstance(case_id, int) or isinstance(case_id, bool) or case_id < 1:
            return None
        if text is None:
            return Cursor(None, case_id) if name in NULLABLE_SORTS else None
        if not isinstance(text, str):
            return None
        if name == "arrival":
            return Cursor(date.fromisoformat(text), case_id)
        if name in {"updated", "opened"}:
            return Cursor(datetime.fromisoformat(text), case_id)
        if name == "status":
            return Cursor(CaseStatus(text), case_id)
        return Cursor(text, case_id)
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


def _beyond(name: str, descending: bool, cursor: Cursor):
    """Rows after ``cursor`` in the order (key, id), both ``descending`` or not.

    Written as ``key <= v AND (key < v OR id < i)`` (for descending): the first half is
    a range the index can seek to, on SQLite and PostgreSQL alike."""
    (key,) = SORTS[name]
    value, case_id = cursor.value, cursor.id
    past_id = Case.id < case_id if descending else Case.id > case_id
    # Where the NULLs of a nullable key come in this walk: before or after the rest.
    nulls_come_first = descending != _nulls_smallest()
    if value is None:
        tail = and_(key.is_(None), past_id)
        return or_(tail, key.is_not(None)) if nulls_come_first else tail
    if descending:
        clause = and_(key <= value, or_(key < value, past_id))
    else:
        clause = and_(key >= value, or_(key > value, past_id))
    if name in NULLABLE_SORTS and not nulls_come_first:
        clause = or_(clause, key.is_(None))
    return clause


@dataclass
class CasePage:
    """One page of the case list and the links around it."""

    items: list[CaseRow]
    total: int  # exact up to COUNT_LIMIT
    total_capped: bool  # True: there are more than COUNT_LIMIT ("10,000+")
    next_cursor: str | None  # for ?after=
    prev_cursor: str | None  # for ?before=
    is_first: bool
    is_last: bool
    count_limit: int = COUNT_LIMIT
    ranked: bool = False  # the best matches of a search: one page, no further pages


def count_capped(query: Select, limit: int | None = None) -> tuple[int, bool]:
    """How many rows ``query`` gives, counted up to ``limit`` (``COUNT_LIMIT``): (count,
    more than limit), in one query that stops reading at limit + 1 rows."""
    limit = COUNT_LIMIT if limit is None else limit
    capped = query.with_only_columns(Case.id).order_by(None).limit(limit + 1).subquery()
    count = db.session.scalar(select(func.count()).select_from(capped)) or 0
    return (limit, True) if count > limit else (count, False)


def case_search_page(user: User, filters: CaseFilters, ranked, *, limit: int) -> CasePage:
    """The ``limit`` best matches of a search the user may see, best first: one page,
    never more (a person searching reads the top of the list; more words narrow it),
    with whether there are more. Two queries: the cases (ranked by the index, joined
    to the visible, filtered cases) and their persons; no count."""
    rows = db.session.execute(
        _filter(_list_select(), user, replace(filters, q=""))
        .join(ranked, ranked.c.case_id == Case.id)
        .order_by(ranked.c.rank, Case.id)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    return CasePage(
        items=_case_rows(rows[:limit]),
        total=min(len(rows), limit),
        total_capped=more,
        next_cursor=None,
        prev_cursor=None,
        is_first=True,
        is_last=True,
        count_limit=limit,
        ranked=True,
    )


def case_list_page(
    user: User,
    filters: CaseFilters,
    *,
    per_page: int,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
) -> CasePage:
    """A page of the case list by keyset: the first, the one after or before a cursor,
    or the last (read backwards from the end). Three queries: the page, its persons,
    the (capped) count. A search in relevance order is one page of the best matches
    (``case_search_page``)."""
    if filters.q and filters.sort == "relevance":
        ranked = search.ranked_matches(filters.q)
        if ranked is not None:
            return case_search_page(user, filters, ranked, limit=per_page)
    name, descending = _sort_of(filters)
    base = _filtered_cases(user, filters)
    after_cursor = decode_cursor(name, after)
    before_cursor = None if after_cursor else decode_cursor(name, before)
    backwards = bool(before_cursor) or (last and not after_cursor)
    paging = []
    if after_cursor:
        paging.append(_beyond(name, descending, after_cursor))
    elif before_cursor:
        paging.append(_beyond(name, not descending, before_cursor))
    (key,) = SORTS[name]
    rows = db.session.execute(
        _filter(_list_select(key.label("sort_key")), user, filters)
        .where(*paging)
        .order_by(*_order_by(name, descending != backwards))
        .limit(per_page + 1)
    ).all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards and not more and len(rows) < per_page and before_cursor:
        # Walking back reached the start with a short page: show the full first page
        # (the one the "First page" link gives) rather than a stub of it.
        return case_list_page(user, filters, per_page=per_page)
    if backwards:
        rows.reverse()
        is_first, is_last = not more, not before_cursor
    else:
        is_first, is_last = not after_cursor, not more
    total, capped = count_capped(base)
    return CasePage(
        items=_case_rows(rows),
        total=total,
        total_capped=capped,
        next_cursor=encode_cursor(rows[-1].sort_key, rows[-1].id) if rows and not is_last else None,
        prev_cursor=encode_cursor(rows[0].sort_key, rows[0].id) if rows and not is_first else None,
        is_first=is_first,
        is_last=is_last,
        count_limit=COUNT_LIMIT,
    )


class FilterChoices(NamedTuple):
    advisors: list[tuple[int, str]]  # (user id, full name), by name: leavers too
    case_types: list[tuple[int, str]]  # (case type id, name in the locale), in order


def filter_choices(centre_id: int, locale: str) -> FilterChoices:
    """The case list filter's dynamic choices, the centre's staff (leavers too, as
    auth.services.centre_users(active_only=False) orders them) and its case types (as
    centre_case_types orders them), in ONE query: a UNION ALL ordered in the database."""
    choices = FilterChoices([], [])
    rows = db.session.execute(_filter_choices_query(locale == "nl"), {"centre_id": centre_id})
    for kind, value, label, _k1, _k2 in rows:
        (choices.advisors if kind == "advisor" else choices.case_types).append((value, label))
    return choices


@cache
def _filter_choices_query(dutch: bool):
    """``filter_choices``' statement, built once per label language with the centre as
    a bound parameter (the case list runs it on every request)."""
    centre_id = bindparam("centre_id", type_=Integer)
    staff = select(
        literal_column("'advisor'", String).label("kind"),
        User.id.label("id"),
        User.full_name.label("label"),
        func.lower(User.full_name).label("k1"),
        literal_column("0", Integer).label("k2"),
    ).where(User.centre_id == centre_id)
    types = select(
        literal_column("'case_type'", String).label("kind"),
        CaseType.id.label("id"),
        (CaseType.name_nl if dutch else CaseType.name_en).label("label"),
        cast(null(), String).label("k1"),
        CaseType.position.label("k2"),
    ).where(CaseType.centre_id == centre_id)
    query = union_all(staff, types)
    columns = query.selected_columns
    return query.order_by(columns.kind, columns.k1, columns.k2, columns.id)


def centre_case_types(centre_id: int, *, active_only: bool = False) -> list[CaseType]:
    query = select(CaseType).where(CaseType.centre_id == centre_id)
    if active_only:
        query = query.where(CaseType.is_active.is_(True))
    return list(db.session.scalars(query.order_by(CaseType.position, CaseType.id)))

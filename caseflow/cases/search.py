"""Full-text search over cases: the ``case_search`` index (migration 0013_search_index).

One document per case: reference, household name, contact email, employer, each
person's names and email ("main"), and the notes' text ("notes"). Database triggers on
cases, persons and notes rewrite a case's document in the same transaction as the
change, so a rollback leaves the index as it was and bulk inserts are indexed too.

What an advisor types is cut into words at anything that is not a letter or digit, the
way the index cuts the documents: "LIM-2026-0042" is the words lim, 2026, 0042 in that
order, "reza.k@example" is reza, k, example. Each typed word must match (AND), as a
phrase of its parts whose last part is a prefix: "Kowal" finds "Kowalski", "0042" finds
"LIM-2026-0042", "emile" finds "Émile" (both indexes fold case and accents).

Only prefixes of words are found, not pieces from the middle ("owalski"): that is what
advisors type, and what both databases' word indexes answer. PostgreSQL's pg_trgm could
find infixes, but SQLite's FTS5 would need a second (trigram) index to behave the same;
the two databases answering alike matters more.

A term without any letter or digit ("@", "-") falls back to a LIKE scan of the cases'
own columns (rare, and such a term narrows nothing anyway).
"""

import re
import unicodedata

from sqlalchemy import ColumnElement, bindparam, column, func, literal_column, select, table, text

from caseflow.cases.models import Case
from caseflow.extensions import db

# Tables of the index that are not models: the schema comparisons leave them out. On
# SQLite FTS5 keeps its data in shadow tables named after the virtual table.
SEARCH_TABLES = frozenset(
    {
        "case_search",
        "case_search_data",
        "case_search_idx",
        "case_search_content",
        "case_search_docsize",
        "case_search_config",
    }
)

# Relevance: a match in the names, references and emails counts ten times one in notes.
MAIN_WEIGHT = 10.0
NOTES_WEIGHT = 1.0

# Letters without a Unicode decomposition, which FTS5's remove_diacritics keeps: the
# SQLite triggers fold them in documents (migration 0013, FOLDED), PostgreSQL's unaccent
# does the same; so do queries.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "þ": "th",
    }
)
_WORD_SPLIT = re.compile(r"[\W_]+")
MAX_WORDS = 8  # more typed words than this are ignored (each is an index lookup)


def include_name(name, type_, parent_names) -> bool:
    """For Alembic's comparisons (migrations/env.py, tests/test_migrations.py)."""
    return not (type_ == "table" and name in SEARCH_TABLES)


def _words(term: str) -> list[list[str]]:
    """Each typed word as its list of parts (lower case; accents are left to the
    database, which folds them the same way in documents and queries)."""
    typed = unicodedata.normalize("NFC", term).lower().translate(_FOLD).split()
    words = []
    for word in typed:
        parts = [p for p in _WORD_SPLIT.split(word) if p]
        if parts:
            words.append(parts)
    return words[:MAX_WORDS]


def fts5_query(words: list[list[str]]) -> str:
    # Parts hold letters and digits only: nothing in them is FTS5 syntax.
    return " AND ".join('"' + " ".join(parts) + '"*' for parts in words)


def tsquery(words: list[list[str]]) -> str:
    # Parts hold letters and digits only: nothing in them is tsquery syntax.
    return " & ".join("(" + " <-> ".join(parts[:-1] + [parts[-1] + ":*"]) + ")" for parts in words)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


_fts = table("case_search", column("rowid"), column("case_search"))
_pg = table("case_search", column("case_id"), column("tsv"))


def _pg_ranked_query(words: list[list[str]]):
    """The tsquery of ``words`` for ranking (PostgreSQL), as a scalar subquery that the
    database computes once per statement (an InitPlan).

    Written inline, ``to_tsquery(unaccent(...))`` (``unaccent`` is only STABLE) is a
    value the planner can estimate: for a common word it expects thousands of matches
    and joins them to every case of the centre by hash, a full read of the centre's
    cases, and evaluates the query again for each match. As a parameter the matches
    come from the index and each is joined to its case by primary key (4x faster for
    a common word at 20,000 cases). Only the ranked search uses it: a list sorted by
    a column (``matching_case_ids``) needs the planner's estimate to choose between
    walking the sort's index and reading the matches first."""
    return select(
        func.to_tsquery(
            literal_column("'simple'::regconfig"),
            func.unaccent(bindparam("ts_query", tsquery(words))),
        )
    ).scalar_subquery()


def matching_case_ids(term: str):
    """A SELECT of the ids of the cases whose document matches ``term`` (all of them,
    unranked: the caller filters by visibility and sorts), or None when the term has no
    word to look up."""
    words = _words(term)
    if not words:
        return None
    if _dialect() == "sqlite":
        return select(_fts.c.rowid).where(
            text("case_search MATCH :fts_query").bindparams(fts_query=fts5_query(words))
        )
    query = func.to_tsquery(
        literal_column("'simple'::regconfig"), func.unaccent(bindparam("ts_query", tsquery(words)))
    )
    return select(_pg.c.case_id).where(_pg.c.tsv.op("@@")(query))


def ranked_matches(term: str):
    """A subquery ``(case_id, rank)`` of the cases whose document matches ``term``,
    the smaller rank the better (a match in the names, references and emails counts
    ten times one in notes), or None when the term has no word to look up. The caller
    joins it to the cases it may show and takes the best few: the database ranks the
    matches in the index's own pass, with no per-case lookup."""
    words = _words(term)
    if not words:
        return None
    if _dialect() == "sqlite":
        return (
            select(
                _fts.c.rowid.label("case_id"),
                literal_column(f"bm25(case_search, {MAIN_WEIGHT}, {NOTES_WEIGHT})").label("rank"),
            )
            .where(text("case_search MATCH :fts_query").bindparams(fts_query=fts5_query(words)))
            .subquery("ranked")
        )
    query = _pg_ranked_query(words)
    # ts_rank weights {D, C, B, A}: notes are B, the rest A.
    weights = text(f"'{{0, 0, {NOTES_WEIGHT / MAIN_WEIGHT}, 1}}'::float4[]")
    return (
        select(
            _pg.c.case_id.label("case_id"), (-func.ts_rank(weights, _pg.c.tsv, query)).label("rank")
        )
        .where(_pg.c.tsv.op("@@")(query))
        .subquery("ranked")
    )


def index_clause(term: str) -> ColumnElement[bool] | None:
    ids = matching_case_ids(term)
    return None if ids is None else Case.id.in_(ids)


def purge_deleted_terms() -> None:
    """SQLite: merge the FTS5 index into one segment, which drops the terms of deleted
    and rewritten documents (FTS5 keeps them in older segments until a merge; with
    ``secure_delete`` the freed pages are zeroed). Erasure calls this so that no erased
    name stays in the file. It rewrites the whole index: seconds at a region's scale,
    once per erasing transaction. PostgreSQL: nothing (old row versions go at vacuum,
    as for every other table)."""
    if _dialect() == "sqlite":
        db.session.execute(text("INSERT INTO case_search(case_search) VALUES ('optimize')"))


def rebuild() -> int:
    """Rewrite every case's document (after a restore of data without the index, or a
    batch migration on SQLite that recreated a table with triggers). Flushes, never
    commits. Returns the number of cases indexed."""
    db.session.flush()
    if _dialect() == "sqlite":
        db.session.execute(text("DELETE FROM case_search"))
        # The update trigger writes each case's document (raw SQL: no version bump).
        db.session.execute(text("UPDATE cases SET reference = reference"))
        db.session.execute(text("INSERT INTO case_search(case_search) VALUES ('optimize')"))
        return db.session.execute(text("SELECT count(*) FROM case_search")).scalar_one()
    db.session.execute(text("DELETE FROM case_search"))
    db.session.execute(text("SELECT case_search_refresh(id) FROM cases"))
    return db.session.execute(text("SELECT count(*) FROM case_search")).scalar_one()

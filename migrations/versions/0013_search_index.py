"""full-text search index over cases (case_search), kept in sync by triggers

Revision ID: 0013_search_index
Revises: 0012_salutation_calendar
Create Date: 2026-11-30 14:00:00

One search document per case, in two parts: ``main`` (reference, household name,
contact email, employer, each person's first and last name and email) and ``notes``
(the text of the case's notes), ranked main first.

Kept in sync by database triggers on cases, persons and notes, in the same transaction
as the change, whatever writes it (the ORM, bulk inserts of the benchmark seeding, raw
SQL). Chosen over a session hook for that reason. The table is not a model (on SQLite
an FTS5 virtual table and its shadow tables): ``caseflow.cases.search.SEARCH_TABLES``
lists what the schema comparisons leave out.

SQLite: an FTS5 table whose rowid is the case id, ``unicode61 remove_diacritics 2``
(case- and accent-insensitive: "jose" finds "José"), prefix indexes for 2 and 3
characters. It stores its text (a contentless table cannot delete rows on SQLite 3.40,
and external content would need a real table of documents anyway).

PostgreSQL: a table (case_id, tsv) with a GIN index; the document is lowered,
unaccented (extension ``unaccent``) and cut into words at anything that is not a letter
or digit (so an email or a reference is a sequence of words, as in FTS5), then
``to_tsvector('simple', ...)`` (no stemming: names are not Dutch or English words).

NOTE for later migrations: on SQLite a batch migration that recreates ``cases``,
``persons`` or ``notes`` drops that table's triggers; run ``sqlite_triggers()`` of this
module again afterwards (and ``flask search rebuild``).
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0013_search_index"
down_revision = "0012_salutation_calendar"
branch_labels = None
depends_on = None


# --- the document, as SQL over one case row ``c`` ---------------------------------------

MAIN = (
    "c.reference || ' ' || coalesce(c.household_name, '') || ' '"
    " || coalesce(c.contact_email, '') || ' ' || coalesce(c.employer, '') || ' ' || coalesce(("
    "SELECT group_concat(p.first_name || ' ' || p.last_name || ' ' || coalesce(p.email, ''), ' ')"
    " FROM persons p WHERE p.case_id = c.id), '')"
)
NOTES = "coalesce((SELECT group_concat(n.body, ' ') FROM notes n WHERE n.case_id = c.id), '')"


# Letters that are no accented letter in Unicode (no decomposition), which FTS5's
# ``remove_diacritics`` therefore keeps: folded in the document on SQLite, as
# PostgreSQL's unaccent does, and in the query by caseflow/cases/search.py (FOLDED).
FOLDED = {
    "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ß": "ss",
    "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "Þ": "th",
}


def _fold(sql: str) -> str:
    for letter, plain in FOLDED.items():
        sql = f"replace({sql}, '{letter}', '{plain}')"
    return sql


def _pg(sql: str) -> str:
    return sql.replace("group_concat(", "string_agg(")


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_refresh(case_id: str) -> str:
    return (
        f"DELETE FROM case_search WHERE rowid = {case_id};\n"
        f"INSERT INTO case_search(rowid, main, notes) SELECT c.id, {_fold(MAIN)},"
        f" {_fold(NOTES)} FROM cases c WHERE c.id = {case_id};"
    )


def sqlite_triggers() -> list[str]:
    statements = [
        ("cases_search_ai", "AFTER INSERT ON cases", _sqlite_refresh("NEW.id")),
        (
            "cases_search_au",
            "AFTER UPDATE OF reference, household_name, contact_email, employer ON cases",
            _sqlite_refresh("NEW.id"),
        ),
        (
            "cases_search_ad",
            "AFTER DELETE ON cases",
            "DELETE FROM case_search WHERE rowid = OLD.id;",
        ),
    ]
    for table, columns in (("persons", "first_name, last_name, email"), ("notes", "body")):
        statements += [
            (f"{table}_search_ai", f"AFTER INSERT ON {table}", _sqlite_refresh("NEW.case_id")),
            (
                f"{table}_search_au",
                f"AFTER UPDATE OF {columns}, case_id ON {table}",
                _sqlite_refresh("NEW.case_id"),
            ),
            (
                f"{table}_search_moved",
                f"AFTER UPDATE OF case_id ON {table} FOR EACH ROW WHEN OLD.case_id <> NEW.case_id",
                _sqlite_refresh("OLD.case_id"),
            ),
            (f"{table}_search_ad", f"AFTER DELETE ON {table}", _sqlite_refresh("OLD.case_id")),
        ]
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name} {when}"
        f"{'' if 'FOR EACH ROW' in when else ' FOR EACH ROW'} BEGIN\n{body}\nEND"
        for name, when, body in statements
    ]


SQLITE_TRIGGER_NAMES = [
    f"{table}_search_{suffix}"
    for table, suffixes in (
        ("cases", ("ai", "au", "ad")),
        ("persons", ("ai", "au", "moved", "ad")),
        ("notes", ("ai", "au", "moved", "ad")),
    )
    for suffix in suffixes
]


# --- PostgreSQL --------------------------------------------------------------------------

PG_FUNCTIONS = [
    # The text as the index sees it: lower case, no accents, words only.
    """CREATE FUNCTION case_search_words(value text) RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT regexp_replace(unaccent(lower(coalesce(value, ''))), '[^[:alnum:]]+', ' ', 'g')
    $$""",
    # PL/pgSQL, not SQL: its statement's plan is cached per session (a SQL function's
    # is made again on every call, which made bulk inserts several times slower).
    f"""CREATE FUNCTION case_search_refresh(target integer) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO case_search (case_id, tsv)
        SELECT c.id,
               setweight(to_tsvector('simple', case_search_words({_pg(MAIN)})), 'A')
               || setweight(to_tsvector('simple', case_search_words({_pg(NOTES)})), 'B')
        FROM cases c WHERE c.id = target
        ON CONFLICT (case_id) DO UPDATE SET tsv = EXCLUDED.tsv;
    END
    $$""",
    """CREATE FUNCTION case_search_cases_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM case_search_refresh(NEW.id);
        RETURN NULL;
    END
    $$""",
    # persons and notes: the case of the new row, and the old one's when it moved or
    # went (a case being deleted is gone already: nothing is inserted for it).
    """CREATE FUNCTION case_search_child_trigger() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM case_search_refresh(OLD.case_id);
        ELSE
            PERFORM case_search_refresh(NEW.case_id);
            IF TG_OP = 'UPDATE' THEN
                IF OLD.case_id <> NEW.case_id THEN
                    PERFORM case_search_refresh(OLD.case_id);
                END IF;
            END IF;
        END IF;
        RETURN NULL;
    END
    $$""",
]

PG_TRIGGERS = [
    """CREATE TRIGGER cases_search AFTER INSERT OR UPDATE OF
    reference, household_name, contact_email, employer ON cases
    FOR EACH ROW EXECUTE FUNCTION case_search_cases_trigger()""",
    """CREATE TRIGGER persons_search AFTER INSERT OR DELETE OR UPDATE OF
    first_name, last_name, email, case_id ON persons
    FOR EACH ROW EXECUTE FUNCTION case_search_child_trigger()""",
    """CREATE TRIGGER notes_search AFTER INSERT OR DELETE OR UPDATE OF body, case_id ON notes
    FOR EACH ROW EXECUTE FUNCTION case_search_child_trigger()""",
]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE case_search USING fts5("
            "main, notes, prefix = '2 3', tokenize = 'unicode61 remove_diacritics 2')"
        )
        for statement in sqlite_triggers():
            op.execute(statement)
        # The cases already there.
        op.execute(
            f"INSERT INTO case_search(rowid, main, notes) SELECT c.id, {_fold(MAIN)},"
            f" {_fold(NOTES)} FROM cases c"
        )
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(
            "CREATE TABLE case_search ("
            " case_id integer PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,"
            " tsv tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_case_search_tsv ON case_search USING gin (tsv)")
        for statement in PG_FUNCTIONS + PG_TRIGGERS:
            op.execute(statement)
        op.execute("SELECT case_search_refresh(id) FROM cases")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS case_search")
    else:
        op.execute("DROP TRIGGER IF EXISTS cases_search ON cases")
        op.execute("DROP TRIGGER IF EXISTS persons_search ON persons")
        op.execute("DROP TRIGGER IF EXISTS notes_search ON notes")
        op.execute("DROP TABLE IF EXISTS case_search")
        for name in (
            "case_search_child_trigger()",
            "case_search_cases_trigger()",
            "case_search_refresh(integer)",
            "case_search_words(text)",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {name}")
        # The unaccent extension stays: other objects may use it.

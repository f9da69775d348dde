"""Every table that belongs to a case is in the subject-access export, completely.

The walk follows foreign keys from any table to ``cases`` or ``persons``, directly or
through other tables (note_revisions -> notes -> cases). A new such table without a key
in ``TABLE_KEYS`` fails here. Tables without a foreign key that still hold a case's
rows (``audit_events``: a plain case_id; ``export_jobs``: a JSON list of case ids) are
named explicitly.
"""

from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.privacy.export import TABLE_KEYS, case_rows, collect

ROOTS = {"cases", "persons"}
# Tables that point at cases without a foreign key, counted with their own query.
WITHOUT_FOREIGN_KEY = {"audit_events", "export_jobs"}


def tables_belonging_to_a_case() -> set[str]:
    """Tables with a foreign-key path to cases or persons (a fixed point)."""
    found = set(ROOTS)
    changed = True
    while changed:
        changed = False
        for table in db.metadata.sorted_tables:
            if table.name in found:
                continue
            if any(fk.column.table.name in found for fk in table.foreign_keys):
                found.add(table.name)
                changed = True
    return found


def test_the_walk_finds_the_known_tables():
    found = tables_belonging_to_a_case()
    assert {"note_revisions", "outbox_attachments", "checklist_events", "activities"} <= found
    # Reference data a case points at is not "about" the case.
    assert not {"users", "centres", "case_types", "checklist_template_items"} & found


def test_every_table_of_a_case_is_exported():
    missing = (tables_belonging_to_a_case() | WITHOUT_FOREIGN_KEY) - set(TABLE_KEYS)
    assert not missing, f"add these tables to caseflow.privacy.export.TABLE_KEYS: {missing}"
    assert set(TABLE_KEYS) <= set(db.metadata.tables)
    assert len(set(TABLE_KEYS.values())) == len(TABLE_KEYS)


def _direct_count(table_name: str, case_id: int) -> int:
    """The case's rows of a table, counted in SQL along its foreign-key path."""
    if table_name == "export_jobs":  # the case ids are a JSON list
        jobs = db.metadata.tables["export_jobs"]
        return sum(1 for ids in db.session.scalars(select(jobs.c.case_ids)) if case_id in ids)
    if table_name == "audit_events":
        table = db.metadata.tables[table_name]
        return db.session.scalar(select(func.count()).where(table.c.case_id == case_id))
    # Follow foreign keys up to cases with joins, e.g. note_revisions -> notes -> cases.
    table = db.metadata.tables[table_name]
    query = select(func.count()).select_from(table)
    current = table
    while current.name != "cases":
        if "case_id" in current.c:
            return db.session.scalar(query.where(current.c.case_id == case_id))
        # Up towards the case (a link table also points at reference data).
        belonging = tables_belonging_to_a_case()
        fk = next(
            fk
            for fk in current.foreign_keys
            if fk.column.table.name != "users" and fk.column.table.name in belonging
        )
        parent = fk.column.table
        query = query.join(parent, fk.parent == fk.column)
        current = parent
    return db.session.scalar(query.where(current.c.id == case_id))


def test_counts_match_direct_queries(household, client_for):
    case = household.case
    client_for(household.lead).get(f"/cases/{case.id}")  # an access-log row or two
    db.session.expire_all()
    data = collect(case.id)
    for table_name, key in TABLE_KEYS.items():
        exported = data[key]
        count = 1 if isinstance(exported, dict) else len(exported)
        expected = _direct_count(table_name, case.id)
        assert count == expected, (table_name, count, expected)
        if table_name != "cases":
            assert expected > 0, f"the fixture should put a row in {table_name}"


def test_a_person_export_counts_only_that_persons_rows(household):
    rows = case_rows(household.case.id, household.ana.id)
    assert [p["id"] for p in rows["persons"]] == [household.ana.id]
    assert {i["person_id"] for i in rows["checklist_items"]} <= {household.ana.id, None}
    everything = case_rows(household.case.id)
    bo_items = [i for i in everything["checklist_items"] if i["person_id"] == household.bo.id]
    assert len(rows["checklist_items"]) == len(everything["checklist_items"]) - len(bo_items)

"""scale: a stored, indexed household sort key; covering indexes for the funder report and team overview

Revision ID: 0015_scale
Revises: 0014_list_indexes
Create Date: 2026-11-30 16:00:00

cases.household_sort (Case.household_sort, kept by the model whenever the name is
set): the household name in lower case with accents folded, indexed with the centre
and the id, so the household sort is an index walk on SQLite too (lower() is the app's
own Python function there and cannot be indexed); it replaces PostgreSQL's index on
lower(household_name). Existing rows are filled here, with the model's own function.

ix_checklist_items_template_case: the funder report's key steps read a few template
items' steps; with every column the query needs in the index, it reads them from the
index alone (it replaces the index on template_item_id alone, its first column).

ix_cases_centre_advisor, ix_checklist_items_case_progress (replacing
ix_checklist_items_case_state, its first two columns) and ix_followups_case_status_due
(replacing ix_followups_case_id): the team overview's counts and the case list's
progress read every column they need from these indexes alone.

No batch mode on SQLite: ADD/DROP COLUMN work in place (a batch copy of cases would
drop the search index's triggers), so the new column is NOT NULL with a server
default of '' while it is added.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015_scale"
down_revision = "0014_list_indexes"
branch_labels = None
depends_on = None


COVERING = [
    (
        "ix_cases_centre_advisor",
        "cases",
        ["centre_id", "advisor_id", "status", "created_at", "status_changed_at"],
        None,
    ),
    (
        "ix_checklist_items_case_progress",
        "checklist_items",
        ["case_id", "state", "no_longer_applies", "due_date_override", "computed_due_date"],
        "ix_checklist_items_case_state",
    ),
    (
        "ix_followups_case_status_due",
        "followups",
        ["case_id", "status", "due_date", "assignee_id"],
        "ix_followups_case_id",
    ),
]
REPLACED_COLUMNS = {
    "ix_checklist_items_case_state": ["case_id", "state"],
    "ix_followups_case_id": ["case_id"],
}


def _fill_household_sort():
    from caseflow.cases.models import household_sort_key

    bind = op.get_bind()
    cases = sa.table(
        "cases",
        sa.column("id", sa.Integer),
        sa.column("household_name", sa.String),
        sa.column("household_sort", sa.String),
    )
    rows = bind.execute(sa.select(cases.c.id, cases.c.household_name)).all()
    update = (
        sa.update(cases)
        .where(cases.c.id == sa.bindparam("case_id"))
        .values(household_sort=sa.bindparam("key"))
    )
    for start in range(0, len(rows), 5000):
        chunk = rows[start : start + 5000]
        bind.execute(
            update, [{"case_id": id_, "key": household_sort_key(name)} for id_, name in chunk]
        )


def upgrade():
    op.add_column(
        "cases",
        sa.Column("household_sort", sa.String(length=120), server_default="", nullable=False),
    )
    _fill_household_sort()
    op.create_index(
        "ix_cases_centre_household_sort", "cases", ["centre_id", "household_sort", "id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_cases_centre_household", table_name="cases")
    op.create_index(
        "ix_checklist_items_template_case",
        "checklist_items",
        [
            "template_item_id",
            "case_id",
            "state",
            "no_longer_applies",
            "completed_at",
            "days_to_done",
        ],
    )
    op.drop_index("ix_checklist_items_template_item_id", table_name="checklist_items")
    for name, table, columns, replaced in COVERING:
        op.create_index(name, table, columns)
        if replaced:
            op.drop_index(replaced, table_name=table)


def downgrade():
    for name, table, _columns, replaced in reversed(COVERING):
        if replaced:
            op.create_index(replaced, table, REPLACED_COLUMNS[replaced])
        op.drop_index(name, table_name=table)
    op.create_index("ix_checklist_items_template_item_id", "checklist_items", ["template_item_id"])
    op.drop_index("ix_checklist_items_template_case", table_name="checklist_items")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_cases_centre_household",
            "cases",
            ["centre_id", sa.text("lower(household_name)"), "id"],
        )
    op.drop_index("ix_cases_centre_household_sort", table_name="cases")
    op.drop_column("cases", "household_sort")

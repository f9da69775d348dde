"""Figures a worker counts per centre and pages read back (the team overview's
``team_figures``, the funder report's ``report_figures``): the one way they are
refreshed."""

from collections.abc import Callable

from sqlalchemy import delete, insert, select

from caseflow.centres.models import Centre
from caseflow.core.database import reading
from caseflow.extensions import db


def refresh_centre_rows(
    model,
    count: Callable[[int], list[dict]],
    centre_id: int | None = None,
    *,
    commit: Callable[[], None] | None = None,
) -> int:
    """Replace ``model``'s rows of one centre (or of every centre) with ``count(cid)``.
    Returns the rows stored.

    Without ``commit`` it only flushes (the caller's unit of work). With ``commit`` (the
    worker, a CLI command) each centre is counted in a read-only transaction
    (``reading()``: on SQLite no write lock while the slow counts run), which ``commit``
    ends, and its rows are then replaced in a short write transaction of their own,
    ended by ``commit`` too: web requests wait for the delete and insert only.
    """
    with reading():
        centre_ids = (
            [centre_id] if centre_id is not None else db.session.scalars(select(Centre.id)).all()
        )
        if commit is not None:
            commit()  # ends the read
    stored = 0
    for cid in centre_ids:
        with reading():
            rows = count(cid)
            if commit is not None:
                commit()  # ends the read: nothing written, no lock taken
        db.session.execute(delete(model).where(model.centre_id == cid))
        if rows:
            db.session.execute(insert(model), rows)
        db.session.flush()
        if commit is not None:
            commit()
        stored += len(rows)
    return stored

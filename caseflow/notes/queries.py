"""Reading a case's notes (the case page and the case summary show the same list)."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseflow.extensions import db
from caseflow.notes.models import Note


def case_notes(case_id: int) -> list[Note]:
    """The case's notes, newest first, with their authors loaded (one query)."""
    return list(
        db.session.scalars(
            select(Note)
            .where(Note.case_id == case_id)
            .options(joinedload(Note.author))
            .order_by(Note.created_at.desc(), Note.id.desc())
        ).all()
    )

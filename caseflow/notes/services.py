"""Note services. None of them commit."""

from caseflow.auth.models import User
from caseflow.cases.models import ActivityKind, Case
from caseflow.cases.services import check_version
from caseflow.cases.timeline import record
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.notes.models import Note, NoteRevision


def add_note(case: Case, actor: User, body: str) -> Note:
    """Add a plain-text note to ``case`` and record it on the timeline. Flushes."""
    note = Note(case_id=case.id, author_id=actor.id, body=body)
    db.session.add(note)
    db.session.flush()
    record(case, actor, ActivityKind.NOTE_ADDED, note_id=note.id)
    return note


def edit_note(note: Note, actor: User, body: str, expected_version: int | None) -> None:
    """Replace a note's text, keeping the earlier text as a revision. Flushes."""
    check_version(note.version, expected_version)
    if body == note.body:
        return
    db.session.add(NoteRevision(note_id=note.id, body=note.body, edited_by_id=actor.id))
    note.body = body
    note.edited_at = utcnow()
    record(note.case, actor, ActivityKind.NOTE_EDITED, note_id=note.id)
    db.session.flush()

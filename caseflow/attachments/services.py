"""Attachment services: store an upload, delete, list, download. None of them commit.

The files follow the transaction (``caseflow.attachments.storage``): a stored upload's
file is removed again when the transaction rolls back; a deleted attachment's file is
removed once the delete is committed.

For a route (staff or portal)::

    db.session.commit()  # end the access check's read: no lock while re-encoding
    with unit_of_work(flash_category=None, catch=UploadRejected) as work:
        attachment = store_upload(case, form.file.data, item=item, uploaded_by=user)
    if work.failed:
        ...  # str(work.error) is the uploader's message, in the current language
"""

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from caseflow.attachments import storage
from caseflow.attachments.models import Attachment
from caseflow.attachments.storage import UploadRejected
from caseflow.auth.models import User
from caseflow.cases.models import ActivityKind, Case
from caseflow.cases.timeline import record
from caseflow.core.downloads import download, safe_filename
from caseflow.extensions import db

__all__ = [
    "UploadRejected",
    "attachment_response",
    "case_attachments",
    "delete_attachment",
    "delete_case_files",
    "item_attachments",
    "store_upload",
]


def store_upload(
    case: Case,
    file_storage: FileStorage | None,
    *,
    item=None,
    uploaded_by: User | None = None,
    by_client: bool = False,
) -> Attachment:
    """Check, clean and store an uploaded file as an attachment of ``case`` (of its
    checklist step ``item`` when given), uploaded by staff member ``uploaded_by`` or,
    with ``by_client``, by the client (through the portal).

    The slow part (reading, checking, re-encoding an image) runs before the first
    database statement: call it with no transaction open, so no lock is held meanwhile.
    Then the file is moved to its random name and the row flushed, with a timeline
    entry. Never commits; a rollback removes the file again.

    Raises ``UploadRejected`` (nothing stored, no file left) for no file, a file over
    ``UPLOAD_MAX_MB``, anything but a whole PDF, JPEG, PNG or HEIC, and an erased case.
    """
    if file_storage is None or not isinstance(file_storage, FileStorage):
        raise UploadRejected(_("Choose a file to attach."))
    if not file_storage.filename and file_storage.content_length == 0:
        raise UploadRejected(_("Choose a file to attach."))
    prepared = storage.prepare(file_storage.stream, file_storage.filename)
    try:
        if case.erased_at is not None:
            raise UploadRejected(_("This case has been erased: nothing can be attached."))
        if item is not None and item.case_id != case.id:
            raise ValueError("the step belongs to another case")
        path = prepared.place()
        storage.remove_unless_committed(db.session, path)
        attachment = Attachment(
            case_id=case.id,
            checklist_item_id=item.id if item is not None else None,
            stored_name=prepared.stored_name,
            original_name=prepared.original_name,
            content_type=prepared.content_type,
            size=prepared.size,
            sha256=prepared.sha256,
            uploaded_by_user_id=uploaded_by.id if uploaded_by is not None else None,
            uploaded_by_client=by_client,
        )
        db.session.add(attachment)
        db.session.flush()
    except BaseException:
        prepared.discard()
        raise
    # No file name on the timeline: it may name a person, and the timeline outlives an
    # erasure of one person.
    record(
        case,
        uploaded_by,
        ActivityKind.FILE_ADDED,
        attachment_id=attachment.id,
        by_client=by_client,
        **({"item_id": item.id} if item is not None else {}),
    )
    return attachment


def delete_attachment(attachment: Attachment, actor: User | None) -> None:
    """Delete the row (flushed) and, once the transaction commits, its file. Records
    the deletion on the case timeline. Never commits."""
    case = db.session.get(Case, attachment.case_id)
    storage.remove_when_committed(db.session, storage.path_of(attachment.stored_name))
    attachment_id = attachment.id
    db.session.delete(attachment)
    db.session.flush()
    record(case, actor, ActivityKind.FILE_DELETED, attachment_id=attachment_id)


def delete_case_files(case_id: int, *, item_ids: list[int] | None = None) -> int:
    """Delete the attachments of a case (``item_ids``: only those of these checklist
    steps), rows flushed now, files once committed: for erasure and retention. Returns
    how many. No timeline entry (the erasure records its own). Never commits."""
    query = select(Attachment.id, Attachment.stored_name).where(Attachment.case_id == case_id)
    if item_ids is not None:
        if not item_ids:
            return 0
        query = query.where(Attachment.checklist_item_id.in_(item_ids))
    rows = db.session.execute(query).all()
    for _id, stored_name in rows:
        storage.remove_when_committed(db.session, storage.path_of(stored_name))
    if rows:
        db.session.execute(delete(Attachment).where(Attachment.id.in_([r.id for r in rows])))
    return len(rows)


def case_attachments(case_id: int) -> list[Attachment]:
    """Every attachment of a case, newest first, with the uploader (one query)."""
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.case_id == case_id)
            .options(joinedload(Attachment.uploaded_by))
            .order_by(Attachment.created_at.desc(), Attachment.id.desc())
        )
    )


def item_attachments(item_id: int) -> list[Attachment]:
    """The attachments of one checklist step, newest first (one query)."""
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.checklist_item_id == item_id)
            .options(joinedload(Attachment.uploaded_by))
            .order_by(Attachment.created_at.desc(), Attachment.id.desc())
        )
    )


def download_name(attachment: Attachment) -> str:
    """An ASCII name for the download, with the extension of what is stored (a HEIC
    photo comes back as .jpg)."""
    stem = attachment.original_name.rpartition(".")[0] or attachment.original_name
    return safe_filename(stem, suffix=storage.ACCEPTED_TYPES[attachment.content_type])


def attachment_response(attachment: Attachment) -> Response:
    """The file as a download: ``Content-Disposition: attachment``, its stored type,
    ``nosniff``, never cached, a sandboxing CSP (nothing in it may run even if a browser
    were to show it). ``NotFound`` when the file is missing from the disk."""
    path = storage.path_of(attachment.stored_name)
    try:
        handle = open(path, "rb")  # noqa: SIM115  (closed when the response ends)
    except FileNotFoundError as error:
        raise NotFound() from error
    response = download(handle, download_name(attachment), attachment.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def known_stored_names() -> set[str]:
    return set(db.session.scalars(select(Attachment.stored_name)))

"""Subject access from the case page: everything held about a household or a person,
as a ZIP (data.json and a readable summary.pdf in the client's language)."""

from functools import wraps
from tempfile import SpooledTemporaryFile

from flask import Blueprint, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from caseflow.auth.reauth import recently_authenticated, requires_recent_login
from caseflow.cases.access import case_access
from caseflow.cases.models import Case, Person
from caseflow.core.audit import DENIED, audited, record
from caseflow.core.database import reading
from caseflow.core.downloads import download, safe_filename
from caseflow.core.forms import parse_id
from caseflow.documents.pdf import render_pdf
from caseflow.extensions import db
from caseflow.privacy import export
from caseflow.privacy.access import can_export_subject_data

bp = Blueprint("privacy_export", __name__)

# A ZIP larger than this is spooled to a temporary file rather than held in memory.
SPOOL_BYTES = 8 * 1024 * 1024


@bp.record_once
def _register_template_globals(state) -> None:
    state.app.jinja_env.globals["can_export_subject_data"] = can_export_subject_data


def _persons(case: Case) -> list[Person]:
    query = select(Person).where(Person.case_id == case.id).order_by(Person.position, Person.id)
    return list(db.session.scalars(query))


@bp.get("/cases/<id:case_id>/data-export")
@audited("privacy.export", object_type="case", id_arg="case_id", view_action="privacy.export_page")
@case_access(can_export_subject_data)
@requires_recent_login()
def page(case: Case):
    """What the export holds, with one button for the household and one per person."""
    return render_template("privacy/export.html", case=case, persons=_persons(case))


def _refusal_recorded(view):
    """Under ``case_access``: a POST sent back for re-authentication exported nothing,
    so it is recorded as refused (the redirect alone would read as ``ok``)."""

    @wraps(view)
    def wrapped(case: Case, **kwargs):
        if not recently_authenticated():
            record(
                "privacy.export",
                outcome=DENIED,
                object_type="case",
                object_id=case.id,
                case_id=case.id,
                details={"reason": "reauthentication"},
            )
        return view(case, **kwargs)

    return wrapped


@bp.post("/cases/<id:case_id>/data-export")
@audited("privacy.export", object_type="case", id_arg="case_id")
@case_access(can_export_subject_data)
@_refusal_recorded
@requires_recent_login()  # refused: back to this URL's page (GET) through /reauth
def download_export(case: Case):
    """The ZIP. Everything is read into plain data in a read-only transaction, which
    ends before the PDF is rendered; then the export is recorded."""
    person_id = None
    if request.form.get("person_id"):
        person_id = parse_id(request.form["person_id"])
        person = db.session.get(Person, person_id) if person_id else None
        if person is None or person.case_id != case.id:
            abort(404)
    case_id, reference = case.id, case.reference
    db.session.commit()  # ends the transaction the access check began; nothing written
    with reading():
        data = export.collect(case_id, person_id)
        files = export.attachment_files(data)
        db.session.commit()
    pdf = render_pdf(export.summary_html(data))
    # A big household's ZIP goes to a temporary file and is sent from it in blocks
    # (closed when the response ends); a small one is sent from memory.
    archive = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    export.write_zip(data, pdf, archive, files)
    size = archive.tell()
    archive.seek(0)
    body = archive
    if size <= SPOOL_BYTES:
        body = archive.read()
        archive.close()
    export.record_export(db.session.get(Case, case_id), current_user, person_id)
    db.session.commit()
    name = "data" if person_id is None else f"person-{person_id}-data"
    return download(body, safe_filename(reference, name, suffix=".zip"), "application/zip")

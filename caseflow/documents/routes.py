"""PDF downloads of a case, and bulk exports of summaries for team leads."""

from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.auth.access import requires
from caseflow.auth.permissions import can_edit_case, can_export_cases
from caseflow.auth.reauth import referrer_path, requires_recent_login
from caseflow.cases.access import case_access
from caseflow.cases.forms import FilterForm
from caseflow.cases.models import Case
from caseflow.cases.queries import case_list_query
from caseflow.core.audit import FAILED, audited, record
from caseflow.core.downloads import download, safe_filename
from caseflow.core.forms import parse_id
from caseflow.core.i18n import current_locale
from caseflow.core.time import utcnow
from caseflow.core.transactions import unit_of_work
from caseflow.documents import jobs, services
from caseflow.documents.models import ExportJob, ExportStatus
from caseflow.documents.pdf import render_pdf
from caseflow.extensions import db

bp = Blueprint("documents", __name__)


@bp.post("/cases/<id:case_id>/summary.pdf")
@audited("case.pdf", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def summary(case: Case):
    """The internal case summary, in the user's language."""
    html = services.summary_html(case.id, current_user, current_locale())
    return _render_and_record(case, html, "summary")


@bp.post("/cases/<id:case_id>/client-checklist.pdf")
@audited("case.client_pdf", object_type="case", id_arg="case_id")
@case_access(can_edit_case)
def client_checklist(case: Case):
    """The client's checklist, in the client's language."""
    html = services.client_checklist_html(case.id, current_user.centre.name)
    return _render_and_record(case, html, "client_checklist")


def _render_and_record(case: Case, html: str, document: str):
    """End the transaction, render the PDF with none open (a write lock held while
    WeasyPrint works would stall every other save), then note the export."""
    reference = case.reference
    db.session.commit()
    pdf = render_pdf(html)
    services.record_export(case, current_user, document)
    db.session.commit()
    name = "summary" if document == "summary" else "checklist"
    return download(pdf, safe_filename(reference, name), "application/pdf")


def _selected_case_ids() -> list[int]:
    """The ticked cases, or every case matching the list's filters ("all matching")."""
    if request.form.get("scope") == "filter":
        form = FilterForm.for_centre(request.form, current_user.centre_id, current_locale())
        query = case_list_query(current_user, form.to_filters())
        limit = current_app.config["EXPORT_MAX_CASES"] + 1
        return list(db.session.scalars(query.with_only_columns(Case.id).limit(limit)))
    ids = [parse_id(value) for value in request.form.getlist("case_ids")]
    return list(dict.fromkeys(i for i in ids if i is not None))


@bp.post("/exports")
@audited("export.zip")
@requires(can_export_cases)
@requires_recent_login(back=lambda: referrer_path() or url_for("cases.index"))
def export_start():
    case_ids = _selected_case_ids()
    cases = jobs.exportable_cases(current_user, case_ids)
    if not cases:
        record("export.zip", outcome=FAILED, details={"cases": 0})
        flash(_("Select at least one case to export."), "warning")
        return redirect(url_for("cases.index"))
    if len(cases) > current_app.config["EXPORT_MAX_CASES"]:
        record("export.zip", outcome=FAILED, details={"cases": len(cases)})
        flash(
            _(
                "At most %(n)d cases can be exported at once. Narrow the filter.",
                n=current_app.config["EXPORT_MAX_CASES"],
            ),
            "warning",
        )
        return redirect(url_for("cases.index"))
    if len(cases) <= current_app.config["EXPORT_INLINE_MAX"]:
        # A handful of cases: rendered here, in this process, with no transaction open.
        documents = services.summary_documents(cases, current_user, current_locale())
        db.session.commit()
        data = services.render_zip(documents, processes=1)
        for case in cases:
            services.record_export(case, current_user, "summary")
        db.session.commit()
        _audit_export(cases)
        return download(data, safe_filename("case-summaries", suffix=".zip"), "application/zip")
    job = jobs.start_export(current_user, [c.id for c in cases], current_locale())
    db.session.commit()
    _audit_export(cases, job.id)
    return redirect(url_for("documents.export_status", job_id=job.id))


def _audit_export(cases: list[Case], job_id: int | None = None) -> None:
    """One ``export.zip`` row per exported case (each case's access log shows it)."""
    for case in cases:
        details = {"job_id": job_id} if job_id else {"inline": True}
        record(
            "export.zip", object_type="case", object_id=case.id, case_id=case.id, details=details
        )


def own_export_job(view):
    """Route decorator: load ``job_id`` as the user's own export job, else 404. Stacked
    over ``requires(can_export_cases)``: a lead who became an advisor no longer
    downloads the summaries they exported before (403)."""

    @wraps(view)
    def wrapped(job_id: int):
        job = db.session.get(ExportJob, job_id)
        if job is None or job.user_id != current_user.id:
            abort(404)
        return view(job)

    return wrapped


@bp.get("/exports/<id:job_id>")
@own_export_job
@requires(can_export_cases)
def export_status(job: ExportJob):
    stalled = job.is_stalled(utcnow(), jobs.stalled_after())
    return render_template(
        "documents/export.html", job=job, stalled=stalled, ExportStatus=ExportStatus
    )


@bp.post("/exports/<id:job_id>/retry")
@audited("export.retry", object_type="export_job", id_arg="job_id")
@own_export_job
@requires(can_export_cases)
def export_retry(job: ExportJob):
    """Run a failed or stalled export again."""
    with unit_of_work("info"):
        jobs.retry_export(job)
    return redirect(url_for("documents.export_status", job_id=job.id))


@bp.get("/exports/<id:job_id>/download")
@audited("export.download", object_type="export_job", id_arg="job_id")
@own_export_job
@requires(can_export_cases)
def export_download(job: ExportJob):
    if job.status != ExportStatus.DONE or job.result is None:
        abort(404)
    return download(
        job.result,
        safe_filename("case-summaries", str(job.id), suffix=".zip"),
        "application/zip",
    )

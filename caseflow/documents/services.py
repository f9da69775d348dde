"""Producing case documents. Rendering reads only; recording an export flushes."""

import io
import zipfile
from collections.abc import Callable

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from caseflow.auth.models import User
from caseflow.cases.models import ActivityKind, Case
from caseflow.cases.salutation import salutation_for
from caseflow.cases.timeline import record
from caseflow.core.downloads import safe_filename
from caseflow.core.i18n import format_moment
from caseflow.core.time import today, utcnow
from caseflow.documents.content import case_document
from caseflow.documents.pdf import SafeFetcher, render_many, render_pdf


def summary_html(case_id: int, generated_by: User, locale: str) -> str:
    """The internal case summary as HTML, in ``locale`` (the staff member's language)."""
    doc = case_document(case_id, internal=True)
    with force_locale(locale):
        return render_template(
            "documents/summary.html",
            doc=doc,
            lang=locale,
            doc_title=_("Case summary %(reference)s", reference=doc.case.reference),
            centre_name=generated_by.centre.name,
            generated_line=_(
                "Generated %(when)s by %(name)s",
                when=format_moment(utcnow()),
                name=generated_by.full_name,
            ),
        )


def client_checklist_html(case_id: int, centre_name: str) -> str:
    """The client's checklist as HTML, in the case's client language (nl, en or fr)."""
    doc = case_document(case_id, internal=False)
    locale = doc.case.client_language.value
    with force_locale(locale):
        return render_template(
            "documents/client_checklist.html",
            doc=doc,
            lang=locale,
            doc_title=_("Your checklist %(reference)s", reference=doc.case.reference),
            centre_name=centre_name,
            generated_line=_("Situation on %(when)s", when=format_moment(utcnow())[:10]),
            salutation=salutation_for(doc.case, doc.case.persons),
            # Today in the centre's time zone: a step due before it is "as soon as
            # possible" for the client, never a date in the past.
            on=today(),
        )


def case_summary_pdf(case: Case, generated_by: User, locale: str, fetcher=None) -> bytes:
    return render_pdf(summary_html(case.id, generated_by, locale), fetcher=fetcher or SafeFetcher())


def client_checklist_pdf(case: Case, centre_name: str, fetcher=None) -> bytes:
    return render_pdf(client_checklist_html(case.id, centre_name), fetcher=fetcher or SafeFetcher())


def record_export(case: Case, actor: User, document: str) -> None:
    """Note on the case timeline that a document was produced. Does not commit."""
    record(case, actor, ActivityKind.EXPORTED, document=document)


def summary_documents(cases: list[Case], generated_by: User, locale: str) -> list[tuple]:
    """(file name, HTML) of each case's summary. Reads only."""
    return [
        (safe_filename(case.reference, "summary"), summary_html(case.id, generated_by, locale))
        for case in cases
    ]


def render_zip(
    documents: list[tuple],
    progress: Callable[[int], None] = lambda done: None,
    processes: int | None = None,
) -> bytes:
    """Render (file name, HTML) pairs to PDFs in one ZIP. Touches no database, so the
    caller can (and should) hold no transaction while it runs.

    The PDFs are rendered in ``EXPORT_PROCESSES`` processes when there are enough.
    """
    if processes is None:
        processes = current_app.config["EXPORT_PROCESSES"]
    pdfs = render_many([html for _name, html in documents], processes, progress)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for (name, _html), pdf in zip(documents, pdfs, strict=True):
            archive.writestr(name, pdf)
    return buffer.getvalue()


def summaries_zip(
    cases: list[Case],
    generated_by: User,
    locale: str,
    progress: Callable[[int], None] = lambda done: None,
    processes: int | None = None,
) -> bytes:
    """One ZIP with the summary PDF of each case. Reads only: the caller records the
    exports (``record_export``) once the ZIP exists."""
    return render_zip(summary_documents(cases, generated_by, locale), progress, processes)

"""The client's page: ``/p/<token>`` and its posts. No login: the secret address is the
credential. An unknown address answers 404, an expired or revoked one (or one of a
closed case) 410, with the same friendly page: nothing tells whether a case exists.
Rate limited per network address, tighter for addresses that open nothing.
"""

import flask_babel
from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import update

from caseflow.attachments.services import UploadRejected
from caseflow.core.audit import DENIED, record
from caseflow.core.database import writing
from caseflow.core.i18n import client_page
from caseflow.core.secret_links import keep_private, rate_limited
from caseflow.core.time import today, utcnow
from caseflow.core.transactions import unit_of_work
from caseflow.core.uploads import accepts_upload
from caseflow.extensions import db
from caseflow.portal import services
from caseflow.portal.client_forms import ClaimForm, DocumentForm, QuestionForm
from caseflow.portal.models import PortalLink

bp = Blueprint("portal", __name__, url_prefix="/p")

MISS_STATUSES = (404, 410)


keep_private(bp)
_limits = rate_limited("portal", MISS_STATUSES)


def _gone(status: int):
    """The same page for an unknown and a dead address; only the status differs."""
    return render_template("public/portal/gone.html", centre_name=None), status


def _open(token: str) -> tuple[PortalLink | None, object]:
    """(link, None) for a live address; (None, response) otherwise. Sets the page's
    language to the client's (``?lang=`` and the switch still win)."""
    state, link = services.find(token)
    if state == services.UNKNOWN:
        return None, _gone(404)
    if state == services.DEAD:
        record(
            "portal.open",
            outcome=DENIED,
            object_type="case",
            object_id=link.case_id,
            case_id=link.case_id,
            details={"status": 410},
        )
        return None, _gone(410)
    g.client_locale_default = link.case.client_language.value
    # Remembered for this browser (unless it chose a language already): the page that
    # says a link no longer works is then in the language the client was reading.
    session.setdefault("client_locale", g.client_locale_default)
    flask_babel.refresh()
    return link, None


@bp.get("/<token>")
@client_page
@_limits
def page(token: str):
    link, refused = _open(token)
    if refused is not None:
        return refused
    case_id = link.case_id
    services.record_open(link)
    db.session.rollback()  # end the read: the write below takes the lock up front
    with writing():
        db.session.execute(
            update(PortalLink).where(PortalLink.id == link.id).values(last_opened_at=utcnow())
        )
        db.session.commit()
    return _render(token, case_id)


def _render(
    token: str,
    case_id: int,
    status: int = 200,
    question_form=None,
    document_form=None,
    document_item_id: int | None = None,
):
    """The page; a refused form (question, or a document for step ``document_item_id``)
    is shown with its errors in its place."""
    view = services.client_view(case_id)
    return render_template(
        "public/portal/page.html",
        view=view,
        token=token,
        centre_name=view.centre.name,
        lang=str(flask_babel.get_locale()),
        on=today(),
        claim_form=ClaimForm(formdata=None),
        question_form=question_form or QuestionForm(formdata=None),
        document_form=document_form,
        document_item_id=document_item_id,
        empty_document_form=DocumentForm(formdata=None),
    ), status


@bp.post("/<token>/steps/<id:item_id>/done")
@client_page
@_limits
def claim(token: str, item_id: int):
    link, refused = _open(token)
    if refused is not None:
        return refused
    case = link.case
    form = ClaimForm()
    if not form.validate():
        return _render(token, case.id, 400)
    with unit_of_work(flash_category=None) as work:
        services.claim_step(case, item_id)
    if isinstance(work.error, services.NotFound):
        return _gone(404)  # another case's step, or one the client does not see
    if work.failed:
        flash(str(work.error), "warning")
    else:
        flash(_("Thank you. Your advisor will check it and tick the step."), "success")
    return redirect(url_for(".page", token=token, _anchor=f"step-{item_id}"), 303)


@bp.post("/<token>/question")
@client_page
@_limits
def question(token: str):
    link, refused = _open(token)
    if refused is not None:
        return refused
    case = link.case
    form = QuestionForm()
    if not form.validate():
        return _render(token, case.id, 400, question_form=form)
    with unit_of_work() as work:
        services.ask_question(case, form.question.data)
    if work.failed:
        return _render(token, case.id, 400, question_form=form)
    flash(_("Your question has been sent to your advisor."), "success")
    return redirect(url_for(".page", token=token, _anchor="question-heading"), 303)


def _upload(token: str, item_id: int | None):
    """A document for step ``item_id`` (None: for the case), or the page again with the
    reason it was refused at that form."""
    link, refused = _open(token)
    if refused is not None:
        return refused
    case = link.case
    item = None
    if item_id is not None:
        try:
            item = services.client_step(case, item_id)
        except services.NotFound:
            return _gone(404)  # another case's step, or one the client does not see
    form = DocumentForm()
    form_key = item_id or 0
    if not form.validate():
        return _render(token, case.id, 400, document_form=form, document_item_id=form_key)
    db.session.commit()  # end the read: no transaction while the file is checked
    with unit_of_work(flash_category=None, catch=UploadRejected) as work:
        services.client_upload(case, item, form.file.data)
    if work.failed:
        form.refuse(str(work.error))
        return _render(token, case.id, 400, document_form=form, document_item_id=form_key)
    flash(_("Thank you. Your advisor can now see the document."), "success")
    anchor = f"step-{item_id}" if item_id is not None else "documents-heading"
    return redirect(url_for(".page", token=token, _anchor=anchor), 303)


@bp.post("/<token>/steps/<id:item_id>/files")
@client_page
@accepts_upload(back="portal.page")
@_limits
def upload(token: str, item_id: int):
    return _upload(token, item_id)


@bp.post("/<token>/files")
@client_page
@accepts_upload(back="portal.page", anchor="documents-heading")
@_limits
def upload_document(token: str):
    return _upload(token, None)

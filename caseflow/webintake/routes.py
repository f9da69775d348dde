"""The public request form: ``/request`` (the default centre) and ``/request/<code>``.

No login (PUBLIC_ENDPOINTS); nl, en or fr (``@client_page``). A sent request redirects
to the thank-you page (PRG), which says the same whatever was sent: nothing tells
whether an email address is known.
"""

import logging
import time

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from caseflow.centres.notices import current_notice
from caseflow.core.audit import audited
from caseflow.core.forms import parse_id
from caseflow.core.i18n import client_page, current_locale
from caseflow.core.transactions import unit_of_work
from caseflow.extensions import limiter
from caseflow.webintake import services
from caseflow.webintake.forms import RequestForm

bp = Blueprint("webintake", __name__)
log = logging.getLogger(__name__)


def _setting(name: str):
    return lambda: current_app.config[name]


def _counted(_response) -> bool:
    """Only requests sent (or refused by the abuse checks) count against the address's
    limit: a form sent back for a correction, or a person row added, does not."""
    return bool(g.get("web_request_counted"))


def _page(form: RequestForm, centre, notice, status: int = 200, refusal: str | None = None):
    return render_template(
        "webintake/request.html",
        form=form,
        centre_name=centre.name,
        notice=notice,
        notice_text=notice.text(current_locale()) if notice else "",
        refusal=refusal,
    ), status


def _rows_action(form: RequestForm) -> bool:
    """ "Add a person" / "Remove" without JavaScript: the form comes back, unchecked."""
    if "add_person" in request.form:
        form.add_person()
        return True
    remove = request.form.get("remove_person")
    if remove is not None:
        index = parse_id(remove)
        if index is not None:
            form.remove_person(index)
        return True
    return False


def _refused(form: RequestForm, centre, notice, message: str, why: str):
    """An abuse check said no: nothing is stored or sent; the form keeps its data."""
    g.web_request_counted = True
    log.info("online request refused (%s)", why)  # no personal data in logs
    form.website.data = ""
    return _page(form, centre, notice, 400, message)


@bp.route("/request", defaults={"centre_code": None}, methods=["GET", "POST"])
@bp.route("/request/<centre_code>", methods=["GET", "POST"])
@audited("case.create", object_type="case", view_action=None)
@limiter.limit(_setting("WEB_REQUESTS_PER_ADDRESS"), methods=["POST"], deduct_when=_counted)
@limiter.limit(_setting("WEB_REQUEST_POSTS_PER_ADDRESS"), methods=["POST"])
@client_page
def request_form(centre_code: str | None):
    centre = services.centre_for_code(centre_code)
    if centre is None:
        abort(404)
    notice = current_notice(centre.id)
    form = RequestForm()
    if request.method == "GET":
        form.started.data = services.start_token()
        form.privacy_notice_number.data = str(notice.number) if notice else ""
        return _page(form, centre, notice)
    if _rows_action(form):
        return _page(form, centre, notice)
    if services.honeypot_filled(form.website.data):
        message = _("We could not accept this form. Please check your details and send it again.")
        return _refused(form, centre, notice, message, "honeypot")
    timing = services.check_time(form.started.data)
    if not timing.ok:
        if timing.renew:  # a fresh timestamp, already old enough to send at once
            form.started.data = services.start_token(services.renewed_moment())
        return _refused(form, centre, notice, timing.message, "time")
    if not form.validate():
        return _page(form, centre, notice, 400)
    first = form.persons.entries[0].form
    data = form.to_data(current_locale(), services.household_name_for(first.last_name.data))
    shown = parse_id(form.privacy_notice_number.data or "")
    with unit_of_work(flash_category=None) as work:
        case = services.submit_request(centre, data, shown)
    if work.failed:
        # E.g. a new notice was published meanwhile: show it and ask again.
        form.privacy_notice_number.data = str(notice.number) if notice else ""
        form.consent.data = False
        return _page(form, centre, notice, work.status, str(work.error))
    g.web_request_counted = True
    log.info("online request: case %s created", case.id)
    return redirect(url_for("webintake.thanks", centre_code=centre.code), 303)


@bp.get("/request/<centre_code>/thanks")
@client_page
def thanks(centre_code: str):
    centre = services.centre_for_code(centre_code)
    if centre is None:
        abort(404)
    return render_template("webintake/thanks.html", centre_name=centre.name)


# Errors on these pages speak the client's language, in the public frame (the staff
# error pages point to "My work").
@bp.errorhandler(CSRFError)
def _csrf_error(_error):
    return _error_page(400, "csrf")


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    if error.code in (404, 405, 413, 429):
        return _error_page(error.code, str(error.code))
    return error


def _error_page(status: int, kind: str):
    limit = current_app.config["MAX_CONTENT_LENGTH"] or 0
    body = render_template(
        "webintake/error.html",
        kind=kind,
        status=status,
        max_megabytes=f"{limit / 1024 / 1024:g}",
        centre_name=None,
    )
    response = current_app.make_response((body, status))
    if status == 429:
        breached = limiter.current_limit
        if breached is not None:
            response.headers["Retry-After"] = str(max(int(breached.reset_at - time.time()), 1))
    return response

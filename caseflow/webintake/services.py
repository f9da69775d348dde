"""Requests for help made online: which centre, the abuse checks, the case and the
confirmation email. None of them commit.

Abuse checks (no outside CAPTCHA service):

- a signed timestamp in the form (``started``): a request sent less than
  ``WEB_REQUEST_MIN_SECONDS`` after the form was opened (robots fill forms in at once),
  more than ``WEB_REQUEST_MAX_SECONDS`` after it, or with a timestamp that was not made
  here, is refused with a friendly message and the form keeps what was typed;
- a honeypot field that people never see (a robot fills in every field);
- rate limits per address (the routes, with Flask-Limiter), and size limits (the form).

A refused request stores nothing and sends nothing.
"""

import time
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import func, select

from caseflow.cases.models import Case, CaseType, LegalBasis, ReferralChannel
from caseflow.cases.services import CaseData, open_case
from caseflow.centres.models import Centre
from caseflow.centres.notices import current_notice
from caseflow.centres.services import default_centre
from caseflow.core.audit import record
from caseflow.core.errors import DomainError
from caseflow.extensions import db
from caseflow.mail import services as mail

EMAIL_KIND = "web_request_received"
SOURCE = "website"
_SALT = "caseflow.webintake.started"
_CODE_MAX = 8  # Centre.code


# --- which centre ------------------------------------------------------------------------


def centre_for_code(code: str | None) -> Centre | None:
    """The centre whose code is ``code`` (any letter case); None for an unknown code.
    Without a code: the installation's default centre (made when first needed)."""
    if code is None:
        name = current_app.config["DEFAULT_CENTRE_NAME"]
        centre = db.session.scalar(select(Centre).where(Centre.name == name))
        if centre is None:  # a fresh installation: made once, as the staff side does
            centre = default_centre()
            db.session.commit()
        return centre
    if not code.isascii() or not code.isalnum() or len(code) > _CODE_MAX:
        return None
    return db.session.scalar(select(Centre).where(func.upper(Centre.code) == code.upper()))


def request_case_type(centre_id: int) -> CaseType:
    """The case type of an online request: the centre's active "Other" type, else its
    first active one (the client cannot tell a residence track; the advisor sets the
    right one when the case is triaged)."""
    types = db.session.scalars(
        select(CaseType)
        .where(CaseType.centre_id == centre_id, CaseType.is_active.is_(True))
        .order_by(CaseType.position, CaseType.id)
    ).all()
    for case_type in types:
        if case_type.name_en.strip().casefold() == "other":
            return case_type
    if not types:
        raise DomainError(_("Requests cannot be sent to this centre online at the moment."))
    return types[0]


# --- the abuse checks -----------------------------------------------------------------


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt=_SALT)


class _SignerAt(TimestampSigner):
    def __init__(self, secret, moment: float, **kwargs):
        super().__init__(secret, **kwargs)
        self.moment = moment

    def get_timestamp(self) -> int:
        return int(self.moment)


def start_token(moment: float | None = None) -> str:
    """The signed moment the form was opened (now, unless ``moment`` is given)."""
    if moment is None:
        return _signer().sign("request").decode()
    signer = _SignerAt(current_app.config["SECRET_KEY"], moment, salt=_SALT)
    return signer.sign("request").decode()


@dataclass
class TimeCheck:
    ok: bool
    message: str = ""
    renew: bool = False  # the form needs a new timestamp (the old one is no good)


def check_time(token: str | None, now: float | None = None) -> TimeCheck:
    """Was the form opened here, at least ``WEB_REQUEST_MIN_SECONDS`` and at most
    ``WEB_REQUEST_MAX_SECONDS`` ago?"""
    config = current_app.config
    now = time.time() if now is None else now
    try:
        _value, signed_at = _signer().unsign(
            (token or "").encode(), max_age=config["WEB_REQUEST_MAX_SECONDS"], return_timestamp=True
        )
    except SignatureExpired:
        return TimeCheck(
            False,
            _(
                "This form was open for a long time. Please check your details and send "
                "the request again."
            ),
            renew=True,
        )
    except BadSignature:
        return TimeCheck(
            False,
            _("We could not check this form. Please check your details and send it again."),
            renew=True,
        )
    if now - signed_at.timestamp() < config["WEB_REQUEST_MIN_SECONDS"]:
        return TimeCheck(
            False,
            _("That was very quick. Please check your details, then send the request again."),
        )
    return TimeCheck(True)


def renewed_moment() -> float:
    """The moment a renewed timestamp says: the person has been on the page for longer
    than the minimum already, so they can send the form again at once."""
    return time.time() - current_app.config["WEB_REQUEST_MIN_SECONDS"] - 1


def honeypot_filled(value: str | None) -> bool:
    return bool((value or "").strip())


# --- the request ------------------------------------------------------------------------


def household_name_for(last_name: str) -> str:
    """The internal household label, in the staff's default language (never shown to
    the client), as the staff intake suggests it."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return _("%(name)s family", name=last_name)


def submit_request(centre: Centre, data: CaseData, notice_number: int | None) -> Case:
    """Open the case of an online request and queue its confirmation email. Flushes.

    The case waits in the centre's intake queue (no advisor, referral channel
    "website"), with the consent of the client to the centre's current privacy notice
    (refused when the page showed an older version), the topics and the question. The
    audit trail gets ``case.create`` with no user (``details.via``: "website").
    """
    notice = current_notice(centre.id)
    if notice is None or (notice_number is not None and notice_number != notice.number):
        raise DomainError(
            _(
                "The privacy notice has changed since you opened this page. Please read it "
                "again below and send your request."
            )
        )
    data.case_type_id = request_case_type(centre.id).id
    data.referral_channel = ReferralChannel.WEBSITE
    data.legal_basis = LegalBasis.CONSENT
    data.privacy_notice_number = notice.number
    case = open_case(centre, None, data, None, source=SOURCE)
    queue_confirmation(case, centre, data.persons[0].first_name)
    record(
        "case.create",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        details={"via": SOURCE},
        transactional=True,
    )
    return case


def render_confirmation(centre: Centre, first_name: str, language: str) -> dict[str, str]:
    """The confirmation email in the client's language: what happens next, and no
    personal detail but the first name."""
    context = {"first_name": first_name, "centre_name": centre.name, "lang": language}
    with force_locale(language):
        return {
            "subject": _("We received your request for help – %(centre)s", centre=centre.name),
            "text": render_template("mail/web_request_received.txt", **context),
            "html": render_template("mail/web_request_received.html", **context),
        }


def queue_confirmation(case: Case, centre: Centre, first_name: str) -> None:
    rendered = render_confirmation(centre, first_name, case.client_language.value)
    mail.queue_email(
        centre_id=centre.id,
        case_id=case.id,
        kind=EMAIL_KIND,
        recipients=[case.contact_email],
        subject=rendered["subject"],
        text_body=rendered["text"],
        html_body=rendered["html"],
    )

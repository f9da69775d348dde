"""The centre's privacy notice (admins, their own centre only): read every version,
publish a new one. Versions are never edited: cases point at the one their client
agreed to."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.auth.access import requires
from caseflow.auth.permissions import can_manage_privacy_notice
from caseflow.centres import notices
from caseflow.core.audit import annotate, audited
from caseflow.core.transactions import unit_of_work
from caseflow.privacy.notice_forms import PrivacyNoticeForm

bp = Blueprint("privacy_notice", __name__, url_prefix="/admin/privacy-notice")


@bp.route("", methods=["GET", "POST"])
@audited("privacy_notice.publish", object_type="privacy_notice", view_action=None)
@requires(can_manage_privacy_notice)
def index():
    current = notices.current_notice(current_user.centre_id)
    form = PrivacyNoticeForm(obj=current if request.method == "GET" else None)
    if form.validate_on_submit():
        with unit_of_work(None) as work:
            published = notices.publish_notice(
                current_user.centre,
                current_user,
                text_en=form.text_en.data,
                text_nl=form.text_nl.data,
                text_fr=form.text_fr.data,
            )
        if work.failed:
            form.text_en.errors = [*form.text_en.errors, str(work.error)]
        else:
            annotate(object_id=published.id, details={"number": published.number})
            flash(
                _(
                    "Version %(number)d of the privacy notice is published.",
                    number=published.number,
                ),
                "success",
            )
            return redirect(url_for("privacy_notice.index"))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "privacy/notice.html",
        form=form,
        current=current,
        versions=notices.versions(current_user.centre_id),
    ), status


@bp.get("/<int:number>")
@requires(can_manage_privacy_notice)
def version(number: int):
    """One version, read-only (another centre's versions do not exist here: 404)."""
    notice = notices.notice_version(current_user.centre_id, number)
    if notice is None:
        abort(404)
    return render_template("privacy/notice_version.html", notice=notice)

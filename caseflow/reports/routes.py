"""The funder report page and its CSV, Excel and PDF exports (team leads and admins)."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from caseflow.auth.access import requires
from caseflow.auth.permissions import can_review
from caseflow.core.audit import audited
from caseflow.core.downloads import download, safe_filename
from caseflow.core.i18n import current_locale, format_clock, format_day, format_moment
from caseflow.core.time import today, utcnow
from caseflow.reports import exports, figures, presentation
from caseflow.reports.forms import PeriodForm
from caseflow.reports.periods import period_for

bp = Blueprint("reports", __name__, url_prefix="/reports")

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _context():
    form = PeriodForm(request.args)
    if request.args and not form.validate():
        return form, None
    period = period_for(
        form.period.data or "quarter",
        form.on.data or today(),
        form.start.data,
        form.end.data,
    )
    # The worker's figures of this period while fresh; "Count now" (live=1) counts live.
    live = request.args.get("live") == "1"
    report, counted_at = figures.report_for(current_user.centre_id, period, live=live)
    locale = current_locale()
    tables = presentation.tables(report, current_user.centre_id, locale)
    return form, {
        "report": report,
        "period": period,
        "tables": tables,
        "steps": presentation.key_step_rows(report),
        "contact_share": presentation.contact_share(report),
        "event_share": presentation.event_share(report),
        "centre_name": current_user.centre.name,
        "counted_at": counted_at,
        "figures_time": _("Figures as of %(time)s", time=format_clock(counted_at))
        if counted_at
        else "",
        "title": _(
            "Funder report %(start)s – %(end)s",
            start=format_day(period.start),
            end=format_day(period.end),
        ),
        "suppression_note": _(
            "In every export, counts below %(n)d (including 0) are shown as “<%(n)d” so that "
            "no person can be recognised. Where such a count could be worked out from a total, "
            "a second count is hidden (“–”), an “unknown” or “other” row when there is one; "
            "a 0 or an “unknown” count needs no such cover, as it describes nobody. Empty "
            "“unknown” rows are left out, and small groups with a name (a country, town or "
            "sector) are merged into “Other”.",
            n=current_app.config["REPORT_SUPPRESS_BELOW"],
        ),
    }


@bp.get("/funder")
@requires(can_review)
def funder():
    form, context = _context()
    if context is None:
        return render_template("reports/funder.html", form=form, context=None), 400
    charts = {table.key: presentation.chart(table) for table in context["tables"]}
    return render_template("reports/funder.html", form=form, context=context, charts=charts)


@bp.get("/funder.<any(csv, xlsx, pdf):fmt>")
@audited("report.export", object_type="report")
@requires(can_review)
def funder_export(fmt: str):
    form, context = _context()
    if context is None:
        abort(400)
    share = (_("Share turned into a case"), presentation.protected_contact_share(context["report"]))
    event_share = (
        _("Share of new arrivals who attended an event"),
        presentation.protected_event_share(context["report"]),
    )
    rows = exports.export_rows(
        context["tables"], context["steps"], {"contacts": share, "events": event_share}
    )
    header = [_("Section"), _("Item"), _("Value")]
    if fmt == "csv":
        data = exports.to_csv(header, rows)
    elif fmt == "xlsx":
        note = context["suppression_note"]
        if context["figures_time"]:
            note += f" {context['figures_time']}."
        data = exports.to_xlsx(context["title"], header, rows, note)
    else:
        data = exports.to_pdf(
            context
            | {
                "rows": rows,
                "generated": _(
                    "Generated %(when)s by %(name)s",
                    when=format_moment(utcnow()),
                    name=current_user.full_name,
                ),
                "protected_rows": presentation.protected_rows,
                "protected_step": presentation.protected_step,
                "contact_share": share[1],
                "event_share": event_share[1],
            }
        )
    period = context["period"]
    name = safe_filename(
        "funder-report", period.start.isoformat(), period.end.isoformat(), suffix=f".{fmt}"
    )
    return download(data, name, FORMATS[fmt])

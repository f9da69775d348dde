"""The funder report from figures the worker refreshes (issue 12: a year of a centre of
80,000 cases took 1 to 4 s of SQL on every view, 14-46x one GROUP BY).

``refresh_report_figures`` counts every centre's report for the standard periods a team
lead asks for (``standard_periods``: this and last month, quarter and year) with the
live queries (caseflow.reports.funder.funder_report) and stores each as JSON in
``report_figures``; the worker runs it every 15 minutes (SCHEDULE "report_figures") and
``flask report-figures`` by hand, each centre counted without the write lock and stored
in a short transaction of its own. The page and its exports read the stored report of
that centre and exact period while it is younger than REPORT_FIGURES_MAX_AGE_MINUTES,
and count live otherwise (no row, too old, a custom or older period, or "Count now").

The stored report holds counts per code or id only (what erasure keeps: nationality
codes, case type ids, municipality and sector values, topic ids), never a name: labels
are looked up per language when the page is drawn. A past period's figures change when
someone edits old data (a backdated closure, a step ticked late); the max age bounds
how long the page shows them as they were.
"""

import json
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from caseflow.centres.figures import refresh_centre_rows
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.reports.funder import (
    EventCounts,
    EventFigures,
    FunderReport,
    KeyStep,
    funder_report,
)
from caseflow.reports.models import ReportFigure
from caseflow.reports.periods import Period, period_for

# Fields of FunderReport that are lists of (value, count) pairs.
PAIRS = (
    "closing_reasons",
    "nationalities",
    "nationality_groups",
    "case_types",
    "municipalities",
    "sectors",
    "referral_types",
    "referral_outcomes",
    "contact_months",
    "contact_channels",
    "contact_topics",
)


# What a stored report holds: a row written before FunderReport gained or lost a field
# (an upgrade between two refreshes) is not read, the report counts live instead.
STORED_FIELDS = frozenset(f.name for f in fields(FunderReport)) - {"period"}


def standard_periods(day: date | None = None) -> list[Period]:
    """The periods stored: the month, quarter and year containing ``day`` (today in
    Brussels) and the one before each: what the period form gives without custom dates
    for the current and the previous period."""
    day = day or today()
    periods = []
    for kind in ("month", "quarter", "year"):
        current = period_for(kind, day)
        periods += [current, period_for(kind, current.start - timedelta(days=1))]
    return periods


def to_data(report: FunderReport) -> dict:
    """The report as plain JSON values (the period is stored in its own columns)."""
    data = asdict(report)
    del data["period"]
    return data


def from_data(period: Period, data: dict) -> FunderReport:
    """The report that ``to_data`` stored, as ``funder_report`` returns it."""
    values = dict(data)
    for name in PAIRS:
        values[name] = [tuple(pair) for pair in values[name]]
    values["key_steps"] = [KeyStep(**step) for step in values["key_steps"]]
    events = values["events"]
    values["events"] = EventFigures(
        total=EventCounts(**events["total"]),
        by_type={key: EventCounts(**counts) for key, counts in events["by_type"].items()},
        by_month={key: EventCounts(**counts) for key, counts in events["by_month"].items()},
        new_arrivals=events["new_arrivals"],
        new_arrivals_attended=events["new_arrivals_attended"],
    )
    return FunderReport(period, **values)


def refresh_report_figures(
    centre_id: int | None = None,
    *,
    commit: Callable[[], None] | None = None,
    day: date | None = None,
) -> int:
    """Count the standard periods' reports of one centre (or every centre) afresh and
    store them, replacing what was stored for that centre
    (centres.figures.refresh_centre_rows: read-only counting, then a short write per
    centre). Returns the rows stored."""
    periods = standard_periods(day)

    def count(cid: int) -> list[dict]:
        rows = []
        for period in periods:
            computed_at = utcnow()
            report = funder_report(cid, period)
            rows.append(
                {
                    "centre_id": cid,
                    "kind": period.kind,
                    "period_start": period.start,
                    "period_end": period.end,
                    "data": json.dumps(to_data(report), separators=(",", ":")),
                    "computed_at": computed_at,
                }
            )
        return rows

    return refresh_centre_rows(ReportFigure, count, centre_id, commit=commit)


def max_age() -> timedelta:
    return timedelta(minutes=current_app.config["REPORT_FIGURES_MAX_AGE_MINUTES"])


def stored_report(centre_id: int, period: Period) -> tuple[FunderReport, datetime] | None:
    """The centre's report of exactly ``period`` as last stored, and when it was
    counted; None for a custom period, when nothing is stored, it is older than
    REPORT_FIGURES_MAX_AGE_MINUTES or was stored by a version whose report had other
    fields (one query)."""
    if period.kind == "custom":
        return None
    row = db.session.execute(
        select(ReportFigure.data, ReportFigure.computed_at).where(
            ReportFigure.centre_id == centre_id,
            ReportFigure.kind == period.kind,
            ReportFigure.period_start == period.start,
            ReportFigure.period_end == period.end,
        )
    ).first()
    if row is None or row.computed_at < utcnow() - max_age():
        return None
    data = json.loads(row.data)
    if set(data) != STORED_FIELDS:
        return None
    return from_data(period, data), row.computed_at


def report_for(
    centre_id: int, period: Period, *, live: bool = False
) -> tuple[FunderReport, datetime | None]:
    """The report: stored figures when fresh (with their time), else counted live (time
    None). ``live``: count now whatever is stored."""
    stored = None if live else stored_report(centre_id, period)
    if stored is not None:
        return stored
    return funder_report(centre_id, period), None

"""Report periods: a month, a quarter, a year, or custom dates (inclusive)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

KINDS = ("month", "quarter", "year", "custom")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def end_before(self) -> datetime:
        """The first moment after the period (timestamps are compared with <)."""
        return datetime.combine(self.end + timedelta(days=1), time.min)


def period_for(kind: str, anchor: date, start: date | None = None, end: date | None = None):
    """The period of ``kind`` that contains ``anchor`` (custom: ``start``..``end``)."""
    if kind == "month":
        first = anchor.replace(day=1)
        return Period(kind, first, first + relativedelta(months=1) - timedelta(days=1))
    if kind == "quarter":
        first = date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1)
        return Period(kind, first, first + relativedelta(months=3) - timedelta(days=1))
    if kind == "year":
        return Period(kind, date(anchor.year, 1, 1), date(anchor.year, 12, 31))
    if start is None or end is None or end < start:
        raise ValueError("A custom period needs a start date on or before its end date.")
    return Period("custom", start, end)

"""Report periods: a month, a quarter, a year, or custom dates (inclusive)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from caseflow.core.time import BRUSSELS

KINDS = ("month", "quarter", "year", "custom")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def start_at(self) -> datetime:
        """Midnight in Brussels at the start, as the naive UTC the database stores."""
        return _utc(self.start)

    @property
    def end_before(self) -> datetime:
        """The first moment after the period (timestamps are compared with <)."""
        return _utc(self.end + timedelta(days=1))


def _utc(day: date) -> datetime:
    local = datetime.combine(day, time.min, tzinfo=BRUSSELS)
    return local.astimezone(UTC).replace(tzinfo=None)


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

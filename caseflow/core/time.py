"""Time helpers. Timestamps are stored as naive UTC; dates are Brussels calendar dates."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def utcnow() -> datetime:
    """The current time as a naive UTC datetime (the form every ``*_at`` column stores)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in Brussels: due dates and 'overdue' follow the centre's calendar."""
    return datetime.now(BRUSSELS).date()

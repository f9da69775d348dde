"""The funder report's figures as the worker last counted them (issue 12): one row per
centre and standard period (this and last month, quarter and year), the report's
counts as JSON, no personal data. Rows go with their centre (ON DELETE CASCADE) and are
recounted every 15 minutes (caseflow.reports.figures)."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import db


class ReportFigure(db.Model):
    """One centre's funder report for one period, counted at ``computed_at``."""

    __tablename__ = "report_figures"
    __table_args__ = (UniqueConstraint("centre_id", "kind", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # month, quarter, year
    period_start: Mapped[date]
    period_end: Mapped[date]  # inclusive, as Period.end
    # The FunderReport as JSON (caseflow.reports.figures.to_data): counts per code or
    # id (countries, case type ids, municipality and sector values, topic ids), no name.
    data: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime]

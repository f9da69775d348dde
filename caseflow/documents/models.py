import enum
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.core.enums import str_enum
from caseflow.core.time import utcnow
from caseflow.extensions import db


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # done, and the ZIP was deleted after EXPORT_KEEP_HOURS


class ExportJob(db.Model):
    """A bulk export of case summaries, built by the worker; the ZIP is stored here so
    any web worker can serve the download.

    ``claimed_by`` (host:pid) and ``heartbeat_at`` tell a live run from one whose worker
    died: that one is picked up again, at most ``EXPORT_MAX_ATTEMPTS`` times.
    """

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    case_ids: Mapped[list[int]] = mapped_column(JSON)
    status: Mapped[ExportStatus] = mapped_column(
        str_enum(ExportStatus, 16), default=ExportStatus.QUEUED
    )
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    result: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    heartbeat_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    @property
    def in_progress(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    def is_stalled(self, now: datetime, after: timedelta) -> bool:
        """Queued or running, but no worker has touched it for ``after``."""
        last = self.heartbeat_at or self.created_at
        return self.in_progress and last < now - after

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

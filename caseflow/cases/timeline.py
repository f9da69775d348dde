"""The case timeline: one Activity row per change, written by every area's services."""

from typing import Any

from caseflow.auth.models import User
from caseflow.cases.models import Activity, ActivityKind, Case
from caseflow.extensions import db


def record(case: Case, actor: User | None, kind: ActivityKind, **details: Any) -> None:
    """Append one entry to the case timeline."""
    db.session.add(
        Activity(case_id=case.id, actor_id=actor.id if actor else None, kind=kind, details=details)
    )

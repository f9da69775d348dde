"""Legal hold: a team lead keeps a case out of retention (a claim, an inquiry, a dispute).

A case on hold is never anonymised by ``caseflow.privacy.retention``; placing and lifting
the hold are on the case timeline and in the audit trail (without the reason).
"""

from flask_babel import gettext as _

from caseflow.auth.models import User
from caseflow.cases.models import ActivityKind, Case
from caseflow.cases.services import check_version
from caseflow.cases.timeline import record
from caseflow.core.errors import DomainError
from caseflow.core.time import utcnow
from caseflow.extensions import db


def place_legal_hold(
    case: Case, actor: User, reason: str, expected_version: int | None = None
) -> None:
    """Put ``case`` on legal hold with ``reason``. Flushes, does not commit."""
    check_version(case.version, expected_version)
    if case.on_legal_hold:
        raise DomainError(_("This case is already on legal hold."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the legal hold."))
    case.legal_hold_at = utcnow()
    case.legal_hold_reason = reason
    case.legal_hold_by_id = actor.id
    record(case, actor, ActivityKind.LEGAL_HOLD_PLACED)
    db.session.flush()


def lift_legal_hold(case: Case, actor: User, expected_version: int | None = None) -> None:
    """Lift the legal hold of ``case``: retention may anonymise it again once it is due.
    Flushes, does not commit."""
    check_version(case.version, expected_version)
    if not case.on_legal_hold:
        raise DomainError(_("This case is not on legal hold."))
    case.legal_hold_at = None
    case.legal_hold_reason = None
    case.legal_hold_by_id = None
    record(case, actor, ActivityKind.LEGAL_HOLD_LIFTED)
    db.session.flush()

"""The audit trail: who did what to which object, when, and with what outcome.

API (the storage is being built in issue 9; until then ``record`` only collects):

- ``record(action, ...)``: one event, e.g. ``record("auth.login", outcome=FAILED)``.
  Details hold ids and field names only, never names, note text or other personal data.
- ``@audited(action, object_type=..., id_arg=...)``: on a view, one event per request
  with the outcome taken from the response status.
"""

from collections.abc import Callable

OK = "ok"
DENIED = "denied"
FAILED = "failed"


def record(
    action: str,
    *,
    outcome: str = OK,
    object_type: str | None = None,
    object_id: int | None = None,
    case_id: int | None = None,
    actor=None,
    details: dict | None = None,
) -> None:
    """Record one event. ``actor``: the user, when not (yet) ``current_user`` (a login)."""


def audited(action: str, *, object_type: str | None = None, id_arg: str | None = None) -> Callable:
    """View decorator: one audit event per request to this view."""

    def decorator(view):
        return view

    return decorator

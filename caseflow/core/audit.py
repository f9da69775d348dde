"""The audit trail: who did what to which object, when, and with what outcome.

API:

- ``record(action, ...)``: one event, e.g. ``record("auth.login", outcome=FAILED)``.
  Details hold ids and field names only, never names, note text or other personal data.
  ``actor`` overrides ``current_user`` (a login records the user before they are logged
  in; a failed login has no user). ``transactional=True``: the event is part of the
  caller's unit of work (an email queued): written with it, gone with its rollback.
- ``@audited(action, object_type=..., id_arg=..., view_action=...)``: on a view (the
  outermost decorator), one event per request with the outcome taken from the status:
  2xx/3xx ok, 401/403/404/429 denied, anything else (400, 409, 413, 500) failed.
  ``view_action``: the action of a GET (a form page that shows the object, e.g.
  ``"note.view"``); ``None``: GETs of that view are not recorded (an admin form page).
- ``annotate(object_id=..., case_id=..., details=...)``: fill in the decorated event
  where the URL does not say it (a case just created).

How rows are written:

- Inside a request, ``record`` collects events on ``flask.g``; an ``after_request`` hook
  rolls back whatever the view left uncommitted (never committing its leftovers) and
  writes them in one short transaction of its own. When the view recorded nothing, the
  hook writes exactly one row for an ``@audited`` view; on any other view it writes a
  denied row for a 403, for a 404 on a route with an object id in its URL ("who tried
  which object") and for a 429 (``rate_limited``).
- Outside a request (worker, CLI) ``record`` adds the row to ``db.session``: it commits
  with the caller's work.
- Every response carries the request id (a uuid, also on each row) as ``X-Request-Id``.
- Fail closed: when the audit rows cannot be written, the response is replaced by the
  error page (500, with a logged reference). A page of personal data that cannot be
  accounted for is not served; a change the view had already committed stays, and the
  failure is in the application log.

Rows are append-only: a trigger (SQLite and PostgreSQL, created by migration 0006)
refuses UPDATE and DELETE. ``prune_audit_events`` (``flask audit prune``) is the one
delete path: rows older than ``AUDIT_RETENTION``, guard lifted only inside its own
transaction, and itself audited.

Security events (see ``is_security_event``) also go to the ``caseflow.security`` logger
as one JSON line each, ids only.

Vocabulary (``object_type`` in brackets):

- cases [case]: ``case.view``, ``case.create``, ``case.update``, ``case.status``,
  ``case.assign`` (also one per case of a bulk reassign), ``case.take``,
  ``case.pdf`` (summary), ``case.client_pdf`` (client checklist),
  ``case.access_log`` (its access log viewed)
- ``note.create`` [case], ``note.view``, ``note.update`` [note]
- ``followup.create`` [case], ``followup.complete``, ``followup.cancel`` [followup]
- ``checklist_item.view``, ``checklist_item.update``, ``checklist_item.done`` (an undo of
  a tick too, with ``details.undo``)
  [checklist_item]
- ``email.view``, ``email.preview`` [case], ``email.queued`` [email] (every outbox
  message, worker reminders and digests too), ``email.retry`` [email]
- ``review.request`` [case], ``review.decide`` [review]
- files: ``attachment.upload`` [case, or checklist_item for a step's upload],
  ``attachment.download``, ``attachment.delete`` [attachment]
- exports: ``export.zip`` [case] (one per case in a bulk export), ``export.retry``,
  ``export.download`` [export_job], ``report.export`` [report]
- admin: ``case_type.create``, ``case_type.update`` [case_type], ``template.create``,
  ``template.update`` [template], ``template_item.create``, ``template_item.update``,
  ``template_item.move`` [template_item], ``centre.update`` [centre],
  ``user.activity`` [user] (a user's activity page viewed)
- ``privacy.export_page``, ``privacy.export`` [case] (subject access; CLI: no user)
- the client's page: ``portal.send_view``, ``portal.send``, ``portal.revoke`` [case],
  ``portal.claim_confirm``, ``portal.claim_send_back`` [portal_claim]; with no user:
  ``portal.open`` [case] (a live link opened; a dead one as denied), ``portal.claim``
  [checklist_item], ``portal.question`` [case], ``portal.upload`` [checklist_item or case]
- ``privacy_notice.publish`` [privacy_notice]
- partners: ``partners.list``, ``partners.create_form``, ``partners.create``,
  ``partners.edit_form``, ``partners.edit`` [partner]; referrals: ``referral.form``,
  ``referral.create`` [case], ``referral.state`` [referral]
- first-line contacts: ``contact.create``, ``contact.list`` (one's own),
  ``contact.list_centre`` [contact], ``contact_topic.create``, ``contact_topic.view``,
  ``contact_topic.update`` [contact_topic]
- events: ``event.create``, ``event.view``, ``event.update``, ``event.publish``,
  ``event.cancel``, ``event.invite``, ``event.door_list``, ``event.attendance`` (marked or
  unmarked), ``event.walk_in``, ``event.attendance_export`` [event];
  ``event_consent.give``, ``event_consent.withdraw`` [case]; with no user (the client's
  invitation page): ``event_invitation.open``, ``event_invitation.register``,
  ``event_invitation.decline``, ``event_invitation.unsubscribe`` [event_invitation]
- ``calendar.create``, ``calendar.revoke`` [user] (the calendar feed address),
  ``calendar.feed`` [user] (a feed read: one row per user, address, outcome and day)
- ``access.denied`` (403/404 on an object route that is not ``@audited``),
  ``rate_limited`` (429), ``audit.prune``
- recorded explicitly in caseflow/auth and the user admin: ``auth.*``, ``user.*``

Every action has a label, a kind and an object type label in caseflow/audit/labels.py;
tests/audit/test_vocabulary.py scans the source and fails on one without.
"""

import json
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import Flask, current_app, g, has_request_context, render_template, request
from sqlalchemy import JSON, String, delete, event, inspect, text
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.core.time import utcnow
from caseflow.extensions import db

OK = "ok"
DENIED = "denied"
FAILED = "failed"
OUTCOMES = (OK, DENIED, FAILED)

log = logging.getLogger(__name__)
security_log = logging.getLogger("caseflow.security")

_SAME = object()

# Which events also go to the security log: by action prefix, and every refusal.
SECURITY_PREFIXES = (
    "auth.",
    "user.",
    "session.",
    "password.",
    "mfa.",
    "totp.",
    "second_factor.",
    "audit.",
    "centre.",
    "rate_limited",
    "access.denied",
)


class AuditEvent(db.Model):
    """One audited event. Plain ids, no foreign keys: rows outlive users and cases."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    centre_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[int | None]
    case_id: Mapped[int | None] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(8))
    request_id: Mapped[str | None] = mapped_column(String(36))
    source_address: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.outcome}>"


def request_id() -> str:
    """This request's id (one uuid per request), made on first use."""
    if "audit_request_id" not in g:
        g.audit_request_id = str(uuid.uuid4())
    return g.audit_request_id


def _current_user():
    if not has_request_context():
        return None
    from flask_login import current_user

    user = current_user._get_current_object()
    return user if getattr(user, "is_authenticated", False) else None


def _build(action, outcome, object_type, object_id, case_id, actor, details) -> AuditEvent:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    user = actor if actor is not None else _current_user()
    role = getattr(user, "role", None)
    in_request = has_request_context()
    audit_event = AuditEvent(
        occurred_at=utcnow(),
        user_id=getattr(user, "id", None),
        role=getattr(role, "value", role),
        centre_id=getattr(user, "centre_id", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        outcome=outcome,
        request_id=request_id() if in_request else None,
        source_address=request.remote_addr if in_request else None,
        details=dict(details or {}),
    )
    # What the security log says, taken now: after its commit the row is expired, and
    # reading it back would cost a query per event.
    audit_event.log_line = _log_line(audit_event) if is_security_event(audit_event) else None
    return audit_event


def record(
    action: str,
    *,
    outcome: str = OK,
    object_type: str | None = None,
    object_id: int | None = None,
    case_id: int | None = None,
    actor=None,
    details: dict | None = None,
    transactional: bool = False,
) -> None:
    """Record one event. ``actor``: the user, when not (yet) ``current_user`` (a login).

    In a request the row is written after the response is made (see the module
    docstring); outside one, or with ``transactional``, it is added to ``db.session``
    and commits (or rolls back) with the caller's work. Never commits.
    """
    audit_event = _build(action, outcome, object_type, object_id, case_id, actor, details)
    if has_request_context() and not transactional:
        g.setdefault("audit_events", []).append(audit_event)
        return
    db.session.add(audit_event)
    if has_request_context():
        g.setdefault("audit_transactional", []).append(audit_event)
    else:
        _log_security(audit_event)


class _Spec:
    def __init__(self, action, object_type, id_arg, view_action):
        self.action = action
        self.object_type = object_type
        self.id_arg = id_arg
        self.view_action = action if view_action is _SAME else view_action


def audited(
    action: str,
    *,
    object_type: str | None = None,
    id_arg: str | None = None,
    view_action=_SAME,
) -> Callable:
    """View decorator: one audit event per request to this view (put it outermost, above
    the access checks, so that their 403/404 are recorded with this action)."""
    spec = _Spec(action, object_type, id_arg, view_action)

    def decorator(view):
        @wraps(view)
        def audited_view(*args, **kwargs):
            g.audit_spec = spec
            return view(*args, **kwargs)

        audited_view.audit_spec = spec
        return audited_view

    return decorator


_AUDITED_CODE = audited("x")(lambda: None).__code__


def audit_spec(view) -> _Spec | None:
    """The ``@audited`` settings of a view function, when ``@audited`` is outermost."""
    if getattr(view, "__code__", None) is not _AUDITED_CODE:
        return None
    return view.audit_spec


def annotate(
    *, object_id: int | None = None, case_id: int | None = None, details: dict | None = None
) -> None:
    """Fill in the decorated view's event where its URL does not say it."""
    notes = g.setdefault("audit_annotations", {})
    if object_id is not None:
        notes["object_id"] = object_id
    if case_id is not None:
        notes["case_id"] = case_id
    if details:
        notes.setdefault("details", {}).update(details)


def outcome_for(status: int) -> str:
    if status < 400:
        return OK
    if status in (401, 403, 404, 429):
        return DENIED
    return FAILED


def _url_details(status: int) -> dict:
    """The status and the URL's short non-id arguments (``fmt``, ``decision``)."""
    details: dict[str, Any] = {"status": status}
    for name, value in (request.view_args or {}).items():
        if not name.endswith("_id") and isinstance(value, str) and len(value) <= 20:
            details[name] = value
    return details


def _object_from_url() -> tuple[str | None, int | None]:
    """The innermost object of the URL: ``/cases/1/notes/2`` is note 2."""
    found = (None, None)
    for name, value in (request.view_args or {}).items():
        if name.endswith("_id") and isinstance(value, int):
            found = (name.removesuffix("_id"), value)
    return found


def _request_event(response) -> AuditEvent | None:
    """The one row a request gets when its view recorded nothing itself."""
    status = response.status_code
    view_args = request.view_args or {}
    spec: _Spec | None = g.get("audit_spec")
    action = None
    if spec is not None:
        action = spec.action if request.method not in ("GET", "HEAD") else spec.view_action
    if action is not None and _current_user() is not None:
        if _committed_action(action):
            return None
        notes = g.get("audit_annotations", {})
        object_id = view_args.get(spec.id_arg) if spec.id_arg else None
        return _build(
            action,
            outcome_for(status),
            spec.object_type,
            notes.get("object_id", object_id),
            notes.get("case_id", view_args.get("case_id")),
            None,
            _url_details(status) | notes.get("details", {}),
        )
    object_type, object_id = _object_from_url()
    if status == 403 or (status == 404 and object_id is not None):
        details = _url_details(status) | {"endpoint": request.endpoint}
        return _build(
            "access.denied",
            DENIED,
            object_type,
            object_id,
            view_args.get("case_id"),
            None,
            details,
        )
    if status == 429:
        details = _url_details(status) | {"endpoint": request.endpoint}
        return _build("rate_limited", DENIED, object_type, object_id, None, None, details)
    return None


def _committed_action(action: str) -> bool:
    """A transactional event of this action was committed by the view (an email queued)."""
    return any(
        e.action == action and inspect(e).has_identity for e in g.get("audit_transactional", [])
    )


def _write_request_events(response):
    from caseflow.core.database import writing

    events = list(g.get("audit_events", []))
    if not events:
        single = _request_event(response)
        if single is not None:
            events.append(single)
    # Transactional events the view committed are already stored: log them.
    committed = [e for e in g.get("audit_transactional", []) if inspect(e).has_identity]
    if events:
        db.session.rollback()  # never commit what the view left behind
        with writing():
            db.session.add_all(events)
            db.session.commit()
    for audit_event in (*committed, *events):
        _log_security(audit_event)


def _after_request(response):
    response.headers["X-Request-Id"] = request_id()
    try:
        _write_request_events(response)
    except Exception:
        reference = uuid.uuid4().hex[:10]
        log.exception(
            "Audit rows not written (%s) on %s %s: response withheld",
            reference,
            request.method,
            request.path,
        )
        db.session.rollback()
        failed = current_app.make_response(
            (render_template("errors/500.html", reference=reference), 500)
        )
        failed.headers["X-Request-Id"] = request_id()
        return failed
    finally:
        g.pop("audit_events", None)
        g.pop("audit_transactional", None)
    return response


def is_security_event(audit_event: AuditEvent) -> bool:
    return audit_event.outcome == DENIED or audit_event.action.startswith(SECURITY_PREFIXES)


def _log_line(audit_event: AuditEvent) -> str:
    return json.dumps(
        {
            "event": audit_event.action,
            "outcome": audit_event.outcome,
            "at": audit_event.occurred_at.isoformat() + "Z",
            "user_id": audit_event.user_id,
            "role": audit_event.role,
            "centre_id": audit_event.centre_id,
            "object_type": audit_event.object_type,
            "object_id": audit_event.object_id,
            "case_id": audit_event.case_id,
            "request_id": audit_event.request_id,
            "source_address": audit_event.source_address,
            "details": audit_event.details,
        },
        sort_keys=True,
        default=str,
    )


def _log_security(audit_event: AuditEvent) -> None:
    """One JSON line on ``caseflow.security`` for a security event (ids only)."""
    line = getattr(audit_event, "log_line", None)
    if line is not None:
        security_log.info(line)


# --- Append-only guard and its one exception: pruning --------------------------------

# The same statements as migration 0006 (a test compares them with the stored schema).
SQLITE_NO_DELETE_TRIGGER = (
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
)
PG_PRUNE_SETTING = "caseflow.audit_prune"


def _delete_before(cutoff: datetime) -> int:
    """Delete the rows older than ``cutoff``, lifting the guard only inside the current
    transaction (SQLite: drop and recreate the trigger; PostgreSQL: a transaction-local
    setting the trigger function checks). Does not commit; writes no row itself."""
    session = db.session
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        session.execute(text(f"SET LOCAL {PG_PRUNE_SETTING} = 'on'"))
    result = session.execute(delete(AuditEvent).where(AuditEvent.occurred_at < cutoff))
    if dialect == "sqlite":
        session.execute(text(SQLITE_NO_DELETE_TRIGGER))
    else:
        session.execute(text(f"SET LOCAL {PG_PRUNE_SETTING} = 'off'"))
    return result.rowcount


def retention() -> timedelta:
    """``AUDIT_RETENTION``: a timedelta, or a number of days."""
    value = current_app.config["AUDIT_RETENTION"]
    value = value if isinstance(value, timedelta) else timedelta(days=float(value))
    if value <= timedelta(0):
        raise ValueError("AUDIT_RETENTION must be positive")
    return value


def prune_audit_events(now: datetime | None = None, actor=None) -> int:
    """Delete audit rows older than ``AUDIT_RETENTION`` and record ``audit.prune``.

    The only delete path of the audit trail (``flask audit prune``). Flushes, does not
    commit: the deletion and its own row commit together in the caller's transaction.
    """
    cutoff = (now or utcnow()) - retention()
    deleted = _delete_before(cutoff)
    record(
        "audit.prune",
        actor=actor,
        details={"deleted": deleted, "cutoff": cutoff.isoformat(timespec="seconds")},
        transactional=True,
    )
    db.session.flush()
    return deleted


def init_app(app: Flask) -> None:
    # Registered after the security headers hook, so it runs before it (Flask runs
    # after_request hooks in reverse): a withheld response still gets the headers.
    app.after_request(_after_request)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper, _connection, _target):
    raise RuntimeError("audit_events is append-only")

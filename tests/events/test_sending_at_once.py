"""Sendings at the same time (issue 15 follow-ups): two Sends of one event take turns
under the event row's lock and the second is refused cleanly (409, the preview shown
again); the pace of EVENT_INVITATIONS_PER_MINUTE holds for the whole installation, not
per sending."""

import threading
import time
from datetime import timedelta

from sqlalchemy import func, select, text

from caseflow.core.database import writing
from caseflow.events.invitations import PACING_LOCK
from caseflow.events.models import EventInvitation
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from tests.conftest import Client, login
from tests.events.test_invitations import DIGEST, FILTERS, _send, make_event


def _waiting_on_locks(connection, expected: int, timeout: float = 20.0) -> None:
    """Wait until ``expected`` other sessions of this database wait for a lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            )
        ).scalar()
        if waiting >= expected:
            return
        time.sleep(0.05)
    raise AssertionError(f"fewer than {expected} sessions waited for the lock")


def _clients(app, user, count):
    clients = []
    for _ in range(count):
        app.test_client_class = Client
        clients.append(login(app.test_client(), user))
    return clients


def _post_at_once(posts, hold_lock) -> list:
    """Run each ``post()`` in its own thread (its own request, session and connection)
    while ``hold_lock`` (a context manager) keeps them waiting; returns the responses."""
    responses: list = []
    errors: list = []

    def run(post):
        try:
            responses.append(post())
        except Exception as error:  # a 500 propagates out of the test client
            errors.append(error)

    threads = [threading.Thread(target=run, args=(post,)) for post in posts]
    with hold_lock(len(threads)):
        for thread in threads:
            thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    db.session.commit()  # the test's own reads see what the requests wrote
    return responses


def _lock_holder(event_id):
    """A context manager that holds the event's row (PostgreSQL: another connection's
    SELECT ... FOR UPDATE, until both requests wait for it) or SQLite's write lock (for
    a moment: SQLite writes one transaction at a time)."""

    class Hold:
        def __init__(self, waiters):
            self.waiters = waiters

        def __enter__(self):
            self.postgres = db.engine.dialect.name == "postgresql"
            with writing():
                self.connection = db.engine.connect()
                self.transaction = self.connection.begin()
            if self.postgres:
                self.connection.execute(
                    text("SELECT id FROM events WHERE id = :id FOR UPDATE"), {"id": event_id}
                )

        def __exit__(self, *exc):
            if self.postgres:
                with db.engine.connect() as watcher:
                    _waiting_on_locks(watcher, self.waiters)
            else:
                time.sleep(0.5)
            self.transaction.rollback()
            self.connection.close()

    return Hold


def test_two_sends_of_one_event_at_once_invite_once_and_refuse_the_second(app, centre, households):
    lead, cases = households
    event = make_event(centre, lead)
    first, second = _clients(app, lead, 2)
    url = f"/events/{event.id}/invite"
    body = first.post_form(url, {**FILTERS, "action": "preview"}).get_data(as_text=True)
    form = {**FILTERS, "recipients_digest": DIGEST.search(body).group(1), "action": "send"}

    responses = _post_at_once(
        [lambda: first.post_form(url, form), lambda: second.post_form(url, form)],
        _lock_holder(event.id),
    )

    assert sorted(r.status_code for r in responses) == [302, 409]
    [refused] = [r for r in responses if r.status_code == 409]
    page = refused.get_data(as_text=True)
    assert "The recipients changed since the preview: preview again." in page
    # The preview is shown again as it is now: both households are invited already.
    assert 'data-count="already">2<' in page and 'data-count="invited">0<' in page
    invited = db.session.scalars(select(EventInvitation.case_id)).all()
    assert sorted(invited) == sorted([cases["A"].id, cases["B"].id])
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2


def _due_times() -> list:
    return sorted(
        db.session.scalars(
            select(OutboxMessage.next_attempt_at).where(OutboxMessage.kind == "event_invitation")
        )
    )


def _one_a_minute(due: list) -> None:
    gaps = [later - earlier for earlier, later in zip(due, due[1:], strict=False)]
    assert all(gap >= timedelta(seconds=59) for gap in gaps), gaps


def test_two_events_sent_one_after_the_other_share_the_pace(
    app, client_for, centre, households, monkeypatch, queued_tasks
):
    """One a minute for the installation: the second event's invitations are due after
    the first's, not alongside them."""
    monkeypatch.setitem(app.config, "EVENT_INVITATIONS_PER_MINUTE", 1)
    lead, _cases = households
    first, second = make_event(centre, lead), make_event(centre, lead)
    client = client_for(lead)
    assert _send(client, first).status_code == 302
    assert _send(client, second).status_code == 302
    due = _due_times()
    assert len(due) == 4
    _one_a_minute(due)


def test_a_sending_fills_the_last_batch_of_the_pace(
    app, client_for, centre, households, monkeypatch, queued_tasks
):
    """Three a minute: the first sending's two invitations leave a place in their
    batch; the next sending takes it, then starts the next minute."""
    monkeypatch.setitem(app.config, "EVENT_INVITATIONS_PER_MINUTE", 3)
    lead, _cases = households
    first, second = make_event(centre, lead), make_event(centre, lead)
    client = client_for(lead)
    assert _send(client, first).status_code == 302
    assert _send(client, second).status_code == 302
    due = _due_times()
    assert due[0] == due[1] == due[2]
    assert due[3] - due[0] == timedelta(minutes=1)


def test_two_events_sent_at_once_share_the_pace(app, centre, households, monkeypatch, queued_tasks):
    """Two Sends of different events at the same moment: the second waits for the
    first's pace (PostgreSQL: an advisory lock; SQLite: one writer at a time)."""
    monkeypatch.setitem(app.config, "EVENT_INVITATIONS_PER_MINUTE", 1)
    lead, _cases = households
    events = [make_event(centre, lead), make_event(centre, lead)]
    clients = _clients(app, lead, 2)
    posts = []
    for client, event in zip(clients, events, strict=True):
        url = f"/events/{event.id}/invite"
        body = client.post_form(url, {**FILTERS, "action": "preview"}).get_data(as_text=True)
        form = {**FILTERS, "recipients_digest": DIGEST.search(body).group(1), "action": "send"}
        posts.append(lambda client=client, url=url, form=form: client.post_form(url, form))

    class HoldPacing:
        """PostgreSQL: hold the pacing lock until both sendings wait for it."""

        def __init__(self, waiters):
            self.waiters = waiters

        def __enter__(self):
            self.postgres = db.engine.dialect.name == "postgresql"
            if self.postgres:
                self.connection = db.engine.connect()
                self.connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PACING_LOCK})

        def __exit__(self, *exc):
            if self.postgres:
                with db.engine.connect() as watcher:
                    _waiting_on_locks(watcher, self.waiters)
                self.connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": PACING_LOCK}
                )
                self.connection.rollback()
                self.connection.close()

    responses = _post_at_once(posts, HoldPacing)
    assert [r.status_code for r in responses] == [302, 302]
    due = _due_times()
    assert len(due) == 4
    _one_a_minute(due)

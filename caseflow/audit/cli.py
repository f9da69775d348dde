"""``flask --app caseflow audit prune``: the one way audit rows are ever deleted."""

import click

from caseflow.core.audit import prune_audit_events, retention
from caseflow.extensions import db


@click.command("prune")
def prune_command():
    """Delete audit rows older than AUDIT_RETENTION (default 5 years). Audited itself."""
    try:
        deleted = prune_audit_events()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(f"Deleted {deleted} audit rows older than {retention().days} days.")

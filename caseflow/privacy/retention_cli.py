"""``flask --app caseflow retention run [--dry-run]``: the nightly retention, by hand or
from cron (the worker runs the same every night, ``SCHEDULE["retention"]``)."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from caseflow.core import audit
from caseflow.core.database import checkpoint_wal
from caseflow.extensions import db
from caseflow.privacy.retention import RetentionResult, run_retention

retention_cli = AppGroup("retention", help="Retention: anonymise and delete what is kept too long.")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only say what would be done; change nothing.")
def run_command(dry_run):
    """Anonymise closed cases past their centre's retention (not on legal hold) and delete
    old audit rows, export files, email bodies and backups. Prints what it did."""
    result = run_retention(commit=db.session.commit, dry_run=dry_run)
    if dry_run:
        db.session.rollback()  # a dry run only read
    else:
        checkpoint_wal()  # no erased value stays in SQLite's -wal file
    click.echo(report(result))
    if result.failed:
        raise SystemExit(1)


def report(result: RetentionResult) -> str:
    """What ``retention run`` prints: counts per kind, then the references."""
    config = current_app.config
    done = "would be " if result.dry_run else ""
    lines = ["Dry run: nothing was changed." if result.dry_run else "Retention done."]
    lines.append(f"Cases {done}anonymised: {len(result.anonymised)}")
    lines.extend(f"  {reference}" for reference in result.anonymised)
    lines.append(
        f"Audit rows {done}deleted (older than {audit.retention().days} days): {result.audit_rows}"
    )
    lines.append(
        f"Export files {done}deleted (older than {config['EXPORT_KEEP_HOURS']} hours): "
        f"{result.exports}"
    )
    lines.append(
        f"Email bodies {done}deleted (sent more than {config['SENT_MAIL_KEEP_DAYS']} days "
        f"ago): {result.email_bodies}"
    )
    lines.append(
        f"Backups {done}deleted (beyond the newest {config['BACKUP_KEEP']}): {len(result.backups)}"
    )
    lines.extend(f"  {name}" for name in result.backups)
    lines.append(
        f"Client page links {done}deleted (dead for more than "
        f"{config['PORTAL_DEAD_LINK_KEEP_DAYS']} days): {result.portal_links}"
    )
    if result.failed:
        lines.append(f"Failed: {len(result.failed)}")
        lines.extend(f"  {what}: {error}" for what, error in result.failed)
    return "\n".join(lines)


def init_app(app: Flask) -> None:
    app.cli.add_command(retention_cli)

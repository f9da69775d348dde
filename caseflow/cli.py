"""Command-line tools: ``flask --app caseflow users create`` and ``seed-demo``."""

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from caseflow.attachments import cli as attachments_cli
from caseflow.auth.models import Role
from caseflow.auth.services import create_user, find_user_by_email
from caseflow.backup import cli as backup_cli
from caseflow.cases.models import Case
from caseflow.centres.services import default_centre, get_or_create_centre
from caseflow.core.errors import DomainError
from caseflow.extensions import db
from caseflow.privacy import cli as privacy_cli
from caseflow.privacy import retention_cli

users_cli = AppGroup("users", help="Manage staff accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name.")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="The user's role."
)
@click.option("--centre", default=None, help="Centre name (default: the installation's centre).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--own-password",
    is_flag=True,
    help="The user typed the password themself (e.g. the first admin): do not ask them "
    "to choose another at their first login.",
)
def create_user_command(email, name, role, centre, password_stdin, own_password):
    """Create a user; the password is asked for (or read from stdin).

    The password is temporary, unless --own-password: the user chooses their own at their
    first login.
    """
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    target = get_or_create_centre(centre) if centre else default_centre()
    if find_user_by_email(email) is not None:
        # The operator sees every centre: no reason to be as discreet as the admin page.
        raise click.ClickException("A user with this email address already exists.")
    try:
        # A password typed at the CLI is usually someone else's choice: temporary.
        user = create_user(
            target, email, name, Role(role), password, temporary_password=not own_password
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} in {target.name}.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no case yet.")
def seed_demo_command(if_empty):
    """Fill the default centre with a synthetic demo caseload (idempotent)."""
    from caseflow.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo

    if if_empty and db.session.scalar(select(Case.id).limit(1)) is not None:
        click.echo("The database already holds cases; no demo data added.")
    else:
        created = seed_demo()
        db.session.commit()
        click.echo("Demo data loaded." if created else "Demo data already present; nothing added.")
    if find_user_by_email(DEMO_USERS[0][0]) is None:
        return
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _name, role in DEMO_USERS:
        click.echo(f"  {role.value:<10} {email}")


@click.command("seed-catalogue")
@click.option("--centre", default=None, help="Centre name (default: the installation's centre).")
def seed_catalogue_command(centre):
    """Load the Flemish checklist catalogue (nl, en, fr) into a centre (idempotent)."""
    from caseflow.checklists.seeding import seed_catalogue

    target = get_or_create_centre(centre) if centre else default_centre()
    added = seed_catalogue(target)
    db.session.commit()
    click.echo(f"Checklist catalogue: {added} steps added to {target.name}.")


@click.command("seed-partners")
@click.option("--centre", default=None, help="Centre name (default: the installation's centre).")
def seed_partners_command(centre):
    """Load a synthetic partner network for Limburg into a centre (idempotent)."""
    from caseflow.partners.seeding import seed_partners

    target = get_or_create_centre(centre) if centre else default_centre()
    added = seed_partners(target)
    db.session.commit()
    click.echo(f"Partner network: {added} partners added to {target.name}.")


search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("rebuild")
def search_rebuild_command():
    """Rewrite every case's search document (triggers keep it in sync otherwise: after
    restoring data without the index, or a SQLite migration that recreated cases,
    persons or notes)."""
    from caseflow.cases import search

    count = search.rebuild()
    db.session.commit()
    click.echo(f"Search index rebuilt: {count} cases.")


outbox_cli = AppGroup("outbox", help="Deliver queued email.")


@outbox_cli.command("send")
def outbox_send_command():
    """Send every email that is due now (for cron)."""
    from caseflow.mail.services import deliver_due

    sent, failed = deliver_due()
    click.echo(f"Sent {sent} email(s); {failed} attempt(s) failed and will be retried.")


@outbox_cli.command("worker")
@click.option("--interval", default=10, show_default=True, help="Seconds between rounds.")
@click.option("--rounds", default=0, help="Stop after this many rounds (0: run until stopped).")
def outbox_worker_command(interval, rounds):
    """Keep sending due email until stopped (Ctrl+C)."""
    import time

    from caseflow.mail.services import deliver_due

    done = 0
    while not rounds or done < rounds:
        sent, failed = deliver_due()
        if sent or failed:
            click.echo(f"Sent {sent}, failed {failed}.")
        db.session.remove()
        done += 1
        if not rounds or done < rounds:
            time.sleep(interval)


@click.command("send-reminders")
def send_reminders_command():
    """Email each advisor what is due today or overdue (run daily)."""
    from caseflow.mail.reminders import queue_reminders
    from caseflow.mail.services import deliver_due

    queued = queue_reminders()
    db.session.commit()
    sent, failed = deliver_due()
    click.echo(f"Queued {queued} reminder(s); sent {sent}, failed {failed}.")


@click.command("send-digests")
def send_digests_command():
    """Email each team lead the weekly overview (run weekly, e.g. Monday morning)."""
    from caseflow.mail.digests import queue_digests
    from caseflow.mail.services import deliver_due

    queued = queue_digests()
    db.session.commit()
    sent, failed = deliver_due()
    click.echo(f"Queued {queued} digest(s); sent {sent}, failed {failed}.")


@click.command("export-pdfs")
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
@click.option("--user", "email", required=True, help="Team lead or admin the export is for.")
@click.option("--status", default="", help="Only cases with this status (default: not closed).")
def export_pdfs_command(output, email, status):
    """Write the summary PDF of every case the user may see into a ZIP file."""
    from caseflow.cases.queries import CaseFilters, case_list_query
    from caseflow.documents.services import record_export, summaries_zip

    user = find_user_by_email(email)
    if user is None or not user.is_lead:
        raise click.ClickException("Give the email address of a team lead or admin.")
    cases = list(db.session.scalars(case_list_query(user, CaseFilters(status=status))))
    with click.progressbar(length=len(cases), label="Rendering summaries") as bar:
        data = summaries_zip(cases, user, user.locale or "en", lambda _done: bar.update(1))
    for case in cases:
        record_export(case, user, "summary")
    with open(output, "wb") as handle:
        handle.write(data)
    db.session.commit()
    click.echo(f"Wrote {len(cases)} summaries to {output}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_catalogue_command)
    app.cli.add_command(seed_partners_command)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(send_digests_command)
    app.cli.add_command(export_pdfs_command)
    backup_cli.init_app(app)
    attachments_cli.init_app(app)
    privacy_cli.init_app(app)
    retention_cli.init_app(app)

"""``flask --app caseflow attachments check [--remove]``: files and rows agree."""

import click
from flask import Flask
from flask.cli import AppGroup

from caseflow.attachments import storage
from caseflow.attachments.models import Attachment
from caseflow.extensions import db

attachments_cli = AppGroup("attachments", help="Attached files.")


def check(remove: bool = False) -> tuple[list[str], list[str]]:
    """``(missing, orphans)``: stored names of rows whose file is gone, and paths of
    files (and temporary files) older than an hour that no row names. ``remove``
    deletes the orphans. Reads only the database."""
    rows = db.session.execute(db.select(Attachment.stored_name)).scalars().all()
    db.session.commit()  # ends the read: the disk is walked without a transaction open
    known = set(rows)
    missing = sorted(name for name in known if not storage.path_of(name).is_file())
    orphans = storage.orphans(known)
    if remove:
        for path in orphans:
            path.unlink(missing_ok=True)
    return missing, [str(path) for path in orphans]


@attachments_cli.command("check")
@click.option("--remove", is_flag=True, help="Delete the files that no attachment names.")
def check_command(remove):
    """Report attachments whose file is missing, and files no attachment names (left
    by a crash between storing a file and committing its row). Exit code 1 when any
    attachment's file is missing."""
    missing, orphans = check(remove)
    for name in missing:
        click.echo(f"missing file: {name}")
    for path in orphans:
        click.echo(f"{'removed' if remove else 'orphan'}: {path}")
    click.echo(f"{len(missing)} missing, {len(orphans)} {'removed' if remove else 'orphaned'}.")
    if missing:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(attachments_cli)

"""``flask --app caseflow backup [PATH]`` and ``flask --app caseflow restore PATH --yes``."""

from pathlib import Path

import click
from flask import Flask, current_app

from caseflow.backup import services
from caseflow.core.errors import DomainError


def _size(path: Path) -> str:
    size = path.stat().st_size
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=None,
    help="Into a directory: keep this many backups (default: BACKUP_KEEP).",
)
def backup_command(path, keep):
    """Back up the database to PATH (a new file), or into a directory.

    Without PATH, or with a directory, a timestamped file is written into it
    (default: BACKUP_DIR) and all but the newest --keep backups there are deleted.
    Encrypted when BACKUP_KEY is set.
    """
    try:
        if path is None or path.is_dir():
            directory = path or services.default_backup_directory()
            keep = keep or int(current_app.config["BACKUP_KEEP"])
            written = services.backup_to_directory(directory, keep)
        else:
            written = services.create_backup(path)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    encrypted = services.read_header(written)["encrypted"]
    click.echo(f"Backup written to {written} ({_size(written)}, {services.database_kind()}).")
    if not encrypted:
        click.echo(
            "Warning: BACKUP_KEY is not set, so this backup is NOT encrypted: it holds "
            "every person's data in the clear.",
            err=True,
        )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: restore into the configured database.")
def restore_command(path, yes):
    """Restore the backup PATH into the configured database, which must be empty."""
    if not yes:
        raise click.ClickException(
            "Restoring writes the backup into the database of SQLALCHEMY_DATABASE_URI "
            "(which must be empty). Check that setting, then run again with --yes."
        )
    try:
        header = services.restore_backup(path)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Restored {path} (made {header.get('created_at', '?')}, schema revision "
        f"{header.get('revision', '?')}). If this version of Caseflow is newer, run "
        "`flask --app caseflow db upgrade` next."
    )


def init_app(app: Flask) -> None:
    """Register ``backup`` and ``restore`` on ``app.cli``."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

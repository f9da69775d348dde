"""``flask --app caseflow privacy erase REFERENCE --reason TEXT --yes``."""

import click
from sqlalchemy import select

from caseflow.cases.models import Case
from caseflow.core.database import checkpoint_wal
from caseflow.core.errors import DomainError
from caseflow.extensions import db
from caseflow.privacy.erasure import erase_case


@click.command("erase")
@click.argument("reference")
@click.option("--reason", required=True, help="Why (shown on the case; no names).")
@click.option("--yes", is_flag=True, help="Confirm: the erasure cannot be undone.")
def erase_command(reference, reason, yes):
    """Erase a whole case's personal data (see docs/privacy.md). Audited as privacy.erase,
    with no user (the operator)."""
    if not yes:
        raise click.ClickException("Nothing erased: add --yes to confirm.")
    cases = list(db.session.scalars(select(Case).where(Case.reference == reference.strip())))
    if not cases:
        raise click.ClickException(f"No case with reference {reference}.")
    if len(cases) > 1:
        raise click.ClickException(f"Several centres have a case {reference}: nothing erased.")
    case = cases[0]
    try:
        erase_case(case, reason=reason, actor=None, via="cli")
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    checkpointed = checkpoint_wal()
    click.echo(f"Erased case {case.reference}.")
    if not checkpointed:
        click.echo("The WAL checkpoint was held back by a reader; run it again later.", err=True)

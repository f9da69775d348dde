"""``flask --app caseflow privacy ...``: the privacy commands (GDPR).

The group is defined here; each command is added to it with ``@privacy_cli.command``
(``export`` and ``erase``). ``init_app`` registers the group.
"""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from caseflow.cases.models import Case, Person
from caseflow.core.database import checkpoint_wal, reading
from caseflow.core.errors import DomainError
from caseflow.documents.pdf import render_pdf
from caseflow.extensions import db
from caseflow.privacy import export
from caseflow.privacy.erasure import erase_case

privacy_cli = AppGroup("privacy", help="Subject access and erasure (GDPR).")


def find_case(reference: str) -> Case:
    """The case with this reference (any centre: the operator sees them all)."""
    cases = list(db.session.scalars(select(Case).where(Case.reference == reference.strip())))
    if len(cases) != 1:
        raise click.ClickException(
            f"No case with reference {reference}."
            if not cases
            else f"Several centres have a case {reference}."
        )
    return cases[0]


@privacy_cli.command("export")
@click.argument("reference")
@click.argument("output", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--person", "person_id", type=int, default=None, help="Only this person's data.")
def export_command(reference, output, person_id):
    """Write everything held about a case (or one person in it) to OUTPUT as a ZIP:
    data.json, summary.pdf in the client's language and the attached files. Audited
    (no user: "cli")."""
    with reading():
        case = find_case(reference)
        if person_id is not None:
            person = db.session.get(Person, person_id)
            if person is None or person.case_id != case.id:
                raise click.ClickException(f"Person {person_id} is not in case {reference}.")
        case_id = case.id
        data = export.collect(case_id, person_id)
        files = export.attachment_files(data)
        db.session.commit()
    pdf = render_pdf(export.summary_html(data))
    with open(output, "wb") as handle:
        export.write_zip(data, pdf, handle, files)
    export.record_export(db.session.get(Case, case_id), None, person_id, via="cli")
    db.session.commit()
    counts = ", ".join(
        f"{len(v)} {k}" for k, v in data.items() if isinstance(v, list) and v and k != "persons"
    )
    click.echo(f"Wrote {output}: {len(data['persons'])} person(s), {counts}.")


@privacy_cli.command("erase")
@click.argument("reference")
@click.option("--reason", required=True, help="Why (shown on the case; no names).")
@click.option("--yes", is_flag=True, help="Confirm: the erasure cannot be undone.")
def erase_command(reference, reason, yes):
    """Erase a whole case's personal data (see docs/privacy.md). Audited as privacy.erase,
    with no user (the operator)."""
    if not yes:
        raise click.ClickException("Nothing erased: add --yes to confirm.")
    case = find_case(reference)
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


def init_app(app: Flask) -> None:
    app.cli.add_command(privacy_cli)

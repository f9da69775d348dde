"""The funder report as CSV, Excel and PDF, with small counts suppressed ("<5")."""

import csv
import io

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from caseflow.documents.pdf import render_pdf
from caseflow.reports.presentation import (
    KeyStepRow,
    Table,
    suppress,
    suppressed_median,
    suppressed_share,
)


def export_rows(tables: list[Table], steps: list[KeyStepRow]) -> list[list]:
    """Every exported figure as [section, item, value…], counts suppressed."""
    rows: list[list] = []
    for table in tables:
        for label, count in table.rows:
            rows.append([table.title, label, suppress(count)])
    for step in steps:
        rows.append(
            [_("Key steps"), step.label + " – " + _("applicable"), suppress(step.applicable)]
        )
        rows.append([_("Key steps"), step.label + " – " + _("done"), suppress(step.done)])
        rows.append([_("Key steps"), step.label + " – " + _("share done"), suppressed_share(step)])
        rows.append(
            [_("Key steps"), step.label + " – " + _("median days to done"), suppressed_median(step)]
        )
    return rows


def to_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    # A BOM so that Excel opens the UTF-8 file with accents intact.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: list[str], rows: list[list], note: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Report")[:31]
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([note])
    sheet.append([])
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.column_dimensions["A"].width = 38
    sheet.column_dimensions["B"].width = 48
    sheet.column_dimensions["C"].width = 14
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_pdf(context: dict) -> bytes:
    return render_pdf(render_template("reports/funder_pdf.html", **context))

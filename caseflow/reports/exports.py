"""The funder report as CSV, Excel and PDF, with small counts suppressed ("<5")."""

import csv
import io

from flask import render_template
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from caseflow.documents.pdf import render_pdf
from caseflow.reports.presentation import KeyStepRow, Table, protected_rows, protected_step


def export_rows(tables: list[Table], steps: list[KeyStepRow], shares=()) -> list[list]:
    """Every exported figure as [section, item, value], protected (see protected_rows).
    ``shares``: {table key: (item, protected value)}, a row after that table's rows."""
    rows: list[list] = []
    shares = dict(shares)
    for table in tables:
        for label, value in protected_rows(table):
            rows.append([table.title, label, value])
        if table.key in shares:
            rows.append([table.title, *shares[table.key]])
    for step in steps:
        applicable, done, share, median = protected_step(step)
        section = _("Key steps")
        rows.append([section, step.label + " – " + _("applicable"), applicable])
        rows.append([section, step.label + " – " + _("done"), done])
        rows.append([section, step.label + " – " + _("share done"), share])
        rows.append([section, step.label + " – " + _("median days to done"), median])
    return [[safe_cell(cell) for cell in row] for row in rows]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR) is made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: list[str], rows) -> bytes:
    """``rows``: any iterable of rows (a generator streams a large export)."""
    # A BOM so that Excel opens the UTF-8 file with accents intact (written first: no
    # second copy of a large file to put it in front).
    buffer = io.StringIO("\ufeff")
    buffer.seek(0, io.SEEK_END)
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


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
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    sheet.column_dimensions["A"].width = 38
    sheet.column_dimensions["B"].width = 48
    sheet.column_dimensions["C"].width = 14
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_pdf(context: dict) -> bytes:
    return render_pdf(render_template("reports/funder_pdf.html", **context))

"""An event's attendance list as CSV and Excel: names, for the organising centre only
(the route serves only the user's own centre's events). The funder report has counts."""

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from caseflow.events.door import DoorRow
from caseflow.events.models import WalkIn

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    """Text a spreadsheet would run as a formula is made inert (CSV only: an Excel
    cell is typed as text instead, where a ' would show)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def header() -> list[str]:
    return [
        _("Name"),
        _("Case"),
        _("Answer"),
        _("People registered"),
        _("Present"),
        _("People present"),
    ]


def rows(door_rows: list[DoorRow], walk_ins: list[WalkIn]) -> list[list]:
    answers = {
        "registered": _("Registered"),
        "waiting": _("Waiting list"),
        "invited": _("No answer"),
        "declined": _("Declined"),
    }
    out = []
    for row in door_rows:
        i = row.invitation
        out.append(
            [
                row.household,
                row.reference,
                answers.get(i.status.value, i.status.value),
                i.people or 0,
                _("yes") if i.attended_at else _("no"),
                i.attended_people or 0,
            ]
        )
    for walk_in in walk_ins:
        out.append([walk_in.name, "", _("Walk-in"), 0, _("yes"), walk_in.people])
    return out


def to_csv(data: list[list]) -> bytes:
    buffer = io.StringIO("\ufeff")
    buffer.seek(0, io.SEEK_END)
    writer = csv.writer(buffer)
    writer.writerow([_safe(cell) for cell in header()])
    writer.writerows([_safe(cell) for cell in row] for row in data)
    return buffer.getvalue().encode("utf-8")


def _append_text(sheet, row: list) -> None:
    """Append a row whose text cells are strings to Excel ("=..." stays text)."""
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def to_xlsx(title: str, data: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Attendance")[:31]
    _append_text(sheet, [title])  # the event's title: typed text, never a formula
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    _append_text(sheet, header())
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in data:
        _append_text(sheet, row)
    sheet.column_dimensions["A"].width = 36
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

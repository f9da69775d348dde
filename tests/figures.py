"""Figures that security tests measure, collected for ``make security-report``.

A test takes the ``security_figures`` fixture and calls
``security_figures.record("Unauthorised 2xx", 0, expected=0)``. Outside the report
nothing is written; under ``make security-report`` (CASEFLOW_SECURITY_FIGURES set to a
file) each call appends one JSON line, and ``tests/security_report.py`` prints the
table: values of one figure are summed (``how="sum"``) or the largest is kept
(``how="max"``, e.g. a timing ratio).
"""

import json
import os

FIGURES_ENV = "CASEFLOW_SECURITY_FIGURES"


class SecurityFigures:
    def record(self, figure: str, value, *, expected=None, how: str = "sum") -> None:
        path = os.environ.get(FIGURES_ENV)
        if not path:
            return
        line = {"figure": figure, "value": value, "expected": expected, "how": how}
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")

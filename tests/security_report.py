"""``make security-report``: run the security tests and print what they measured.

Each test reports its figures through the ``security_figures`` fixture
(tests/figures.py); this script runs those tests with a fresh figures file, then
prints one table. It exits non-zero when a test failed or a figure differs from
what it must be.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.figures import FIGURES_ENV

ROOT = Path(__file__).resolve().parent.parent
# The tests that measure the figures (the rest of the suite runs in `make test`).
SECURITY_TESTS = [
    "tests/test_access_matrix.py",
    "tests/auth",
    "tests/admin",
    "tests/audit",
    "tests/test_request_limits.py",
    "tests/test_form_input_rules.py",
    # Real gunicorn processes: the login limit shared on Redis, the __Host- cookie.
    "tests/reliability/test_production_http.py",
]


def collect(path: Path) -> dict[str, dict]:
    figures: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        figure = figures.setdefault(
            entry["figure"], {"value": None, "expected": entry["expected"], "how": entry["how"]}
        )
        value, previous = entry["value"], figure["value"]
        if previous is None:
            figure["value"] = value
        elif entry["how"] == "max":
            figure["value"] = max(previous, value)
        else:
            figure["value"] = previous + value
            if isinstance(entry["expected"], int) and isinstance(figure["expected"], int):
                # "answered 413: n of n tried" adds up over tests: so does what it must be.
                figure["expected"] += entry["expected"]
    return figures


def table(figures: dict[str, dict]) -> tuple[str, bool]:
    rows = [("Figure", "Measured", "Must be", "")]
    all_ok = True
    for name in sorted(figures):
        figure = figures[name]
        value, expected = figure["value"], figure["expected"]
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        if expected is None:
            verdict = ""
        elif isinstance(expected, str) and expected.startswith("<="):
            verdict = "ok" if value <= float(expected[2:]) else "FAIL"
        else:
            verdict = "ok" if value == expected else "FAIL"
        all_ok &= verdict != "FAIL"
        rows.append((name, shown, "" if expected is None else str(expected), verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines), all_ok


def main() -> int:
    paths = [p for p in SECURITY_TESTS if (ROOT / p).exists()]
    with tempfile.TemporaryDirectory() as tmp:
        figures_file = Path(tmp) / "figures.jsonl"
        figures_file.touch()
        env = dict(os.environ, **{FIGURES_ENV: str(figures_file)})
        tests = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", *paths, *sys.argv[1:]],
            cwd=ROOT,
            env=env,
        )
        report, figures_ok = table(collect(figures_file))
    print()
    print("Security report (" + ", ".join(paths) + ")")
    print(report)
    return 0 if tests.returncode == 0 and figures_ok else 1


if __name__ == "__main__":
    sys.exit(main())

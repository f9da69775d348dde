"""PDF speed, as ratios to baselines measured in the same run (machines here are noisy).

    .venv/bin/python bench/pdf_bench.py [--cases 100] [--repeat 15]

Prints:
- one-case summary render / minimal WeasyPrint page  (target <= 12x)
- bulk export of N summaries / N one-by-one renders  (target <= 0.6x), and peak RSS
"""

import argparse
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from common import bench_app, median_p95, timings  # noqa: E402
from weasyprint import HTML  # noqa: E402

from caseflow.auth.models import Role  # noqa: E402
from caseflow.auth.services import create_user  # noqa: E402
from caseflow.cases.models import HouseholdRole  # noqa: E402
from caseflow.cases.services import CaseData, PersonData, open_case  # noqa: E402
from caseflow.centres.services import default_centre  # noqa: E402
from caseflow.checklists.seeding import seed_catalogue  # noqa: E402
from caseflow.documents import pdf, services  # noqa: E402
from caseflow.extensions import db  # noqa: E402
from caseflow.followups.services import add_followup  # noqa: E402
from caseflow.notes.services import add_note  # noqa: E402


def make_cases(count: int):
    centre = default_centre()
    seed_catalogue(centre)
    lead = create_user(
        centre, "bench.lead@example.org", "Bench Lead", Role.TEAM_LEAD, "bench-lead-password-2026"
    )
    cases = []
    for n in range(count):
        persons = [
            PersonData("Anna", f"Bench{n}", HouseholdRole.MAIN_APPLICANT, "IN", date(1988, 1, 1)),
            PersonData("Omar", f"Bench{n}", HouseholdRole.PARTNER, "MA", date(1990, 2, 2)),
            PersonData("Lea", f"Bench{n}", HouseholdRole.CHILD, "IN", date(2016, 3, 3)),
            PersonData("Ivo", f"Bench{n}", HouseholdRole.CHILD, "IN", date(2021, 4, 4)),
        ]
        data = CaseData(
            household_name=f"Bench family {n}",
            case_type_id=1,
            arrival_date=date(2026, 6, 1),
            persons=persons,
        )
        case = open_case(centre, lead, data, lead.id)
        for k in range(4):
            add_note(case, lead, f"Note {k}: phoned the family about the town hall appointment.")
        add_followup(
            case,
            lead,
            title="Call back",
            details=None,
            due_date=date(2026, 6, 1) + timedelta(days=30),
            assignee_id=lead.id,
        )
        cases.append(case)
    db.session.commit()
    return lead, cases


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    app = bench_app()
    with app.app_context(), app.test_request_context():
        flask_migrate.upgrade()
        lead, cases = make_cases(args.cases)
        one = cases[0]
        minimal = "<html><body><p>Hello</p></body></html>"

        def minimal_page():
            HTML(string=minimal).write_pdf(font_config=pdf.font_config())

        base = timings(minimal_page, args.repeat)
        single = timings(lambda: services.case_summary_pdf(one, lead, "en"), args.repeat)
        b_med, b_p95 = median_p95(base)
        s_med, s_p95 = median_p95(single)
        pages = len(
            __import__("pypdf")
            .PdfReader(__import__("io").BytesIO(services.case_summary_pdf(one, lead, "en")))
            .pages
        )
        print(f"minimal page        median {b_med * 1000:7.1f} ms  p95 {b_p95 * 1000:7.1f} ms")
        print(
            f"one-case summary    median {s_med * 1000:7.1f} ms  p95 {s_p95 * 1000:7.1f} ms"
            f"  ({pages} pages)"
        )
        print(f"ratio one-case / minimal: {s_med / b_med:.1f}x  (target <= 12x)")

        start = time.perf_counter()
        for case in cases:
            services.case_summary_pdf(case, lead, "en")
        sequential = time.perf_counter() - start
        start = time.perf_counter()
        data = services.summaries_zip(cases, lead, "en", processes=2)
        bulk = time.perf_counter() - start
        rss = (
            max(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            )
            / 1024
        )
        print(f"{len(cases)} one-by-one renders: {sequential:6.2f} s")
        print(f"bulk export (2 processes): {bulk:6.2f} s, ZIP {len(data) / 1e6:.1f} MB")
        print(f"ratio bulk / one-by-one: {bulk / sequential:.2f}x  (target <= 0.6x)")
        print(f"peak RSS (largest process): {rss:.0f} MB  (target <= 400 MB)")


if __name__ == "__main__":
    main()

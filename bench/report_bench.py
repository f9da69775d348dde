"""Funder report speed on 50,000 cases, as a ratio to the bare aggregate query.

    .venv/bin/python bench/report_bench.py [--cases 50000] [--repeat 7]

Seeds with bulk inserts (50k cases, ~125k persons, 3 key-step items per case), then
times, in the same process: one bare GROUP BY over the served cases (the baseline),
the whole report (about 15 grouped queries), and the report page over the test
client (queries + charts + template).
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from common import bench_app, insert_in_chunks, login, median_max, timings  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from caseflow.auth.models import Role  # noqa: E402
from caseflow.auth.services import create_user  # noqa: E402
from caseflow.cases.models import Case, Person  # noqa: E402
from caseflow.centres.services import default_centre  # noqa: E402
from caseflow.checklists.models import ChecklistItem, TemplateItem  # noqa: E402
from caseflow.checklists.seeding import seed_catalogue  # noqa: E402
from caseflow.extensions import db  # noqa: E402
from caseflow.reports.funder import funder_report, served_clause  # noqa: E402
from caseflow.reports.periods import period_for  # noqa: E402

NATIONS = ["IN", "CN", "BR", "US", "TR", "UA", "EG", "PL", "ES", "IT", "JP", "NG", "MX", "IR"]
TOWNS = ["Hasselt", "Genk", "Diepenbeek", "Sint-Truiden", "Tongeren", "Lommel", "Beringen"]


def seed(count: int) -> tuple[int, str, str]:
    rng = random.Random(7)
    centre = default_centre()
    seed_catalogue(centre)
    lead = create_user(
        centre, "bench@example.org", "Bench Lead", Role.TEAM_LEAD, "bench-lead-password-2026"
    )
    db.session.commit()
    keys = ["municipal-registration-third-country", "health-fund-membership", "bank-account"]
    step_ids = db.session.scalars(select(TemplateItem.id).where(TemplateItem.key.in_(keys))).all()
    start = datetime(2024, 1, 1)
    cases, persons, items = [], [], []
    for n in range(1, count + 1):
        created = start + timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
        closed = created + timedelta(days=rng.randint(10, 300)) if rng.random() < 0.6 else None
        cases.append(
            {
                "id": n,
                "centre_id": centre.id,
                "reference": f"B-{n:06d}",
                "household_name": f"Bench {n}",
                "case_type_id": rng.randint(1, 6),
                "status": "closed" if closed else "open",
                "advisor_id": lead.id,
                "arrival_date": created.date(),
                "municipality": rng.choice(TOWNS),
                "sector": rng.choice(["ICT", "Research", "Logistics"]),
                "referral_channel": rng.choice(["website", "employer", "event"]),
                "client_language": "en",
                "consent_on": created.date(),
                "consent_recorded_by_id": lead.id,
                "created_at": created,
                "updated_at": created,
                "closed_at": closed,
                "closing_reason": "completed" if closed else None,
                "status_changed_at": created,
                "version": 1,
            }
        )
        for k in range(rng.choice([1, 2, 2, 3, 4])):
            persons.append(
                {
                    "case_id": n,
                    "position": k,
                    "first_name": "P",
                    "last_name": f"B{n}",
                    "household_role": "main_applicant" if k == 0 else "child",
                    "nationality": rng.choice(NATIONS),
                    "date_of_birth": date(rng.randint(1960, 2024), 1, 1),
                }
            )
        for step in step_ids:
            done = rng.random() < 0.7
            items.append(
                {
                    "case_id": n,
                    "template_item_id": step,
                    "state": "done" if done else "todo",
                    "completed_at": created + timedelta(days=rng.randint(1, 60)) if done else None,
                    "no_longer_applies": False,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )
    for table, rows in ((Case, cases), (Person, persons), (ChecklistItem, items)):
        insert_in_chunks(table, rows)
    db.session.commit()
    return lead.id, len(persons), len(items)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    app = bench_app(RATELIMIT_ENABLED=False)
    with app.app_context():
        flask_migrate.upgrade()
        started = time.perf_counter()
        lead_id, n_persons, n_items = seed(args.cases)
        print(
            f"seeded {args.cases} cases, {n_persons} persons, {n_items} checklist items "
            f"in {time.perf_counter() - started:.1f} s"
        )
        db.session.execute(text("ANALYZE"))
        period = period_for("year", date(2025, 6, 1))
        centre_id = db.session.scalar(select(Case.centre_id).limit(1))
        served = served_clause(centre_id, period)

        def bare():
            db.session.execute(
                select(Case.municipality, func.count()).where(served).group_by(Case.municipality)
            ).all()

        def report():
            funder_report(centre_id, period)

        client = login(app, "bench@example.org", "bench-lead-password-2026")

        def page():
            response = client.get("/reports/funder?period=year&on=2025-06-01")
            assert response.status_code == 200, response.status_code

        b_med, b_max = median_max(timings(bare, args.repeat))
        r_med, r_max = median_max(timings(report, args.repeat))
        p_med, p_max = median_max(timings(page, args.repeat))
        print(f"bare aggregate query  median {b_med * 1000:8.1f} ms  max {b_max * 1000:8.1f} ms")
        print(
            f"whole report          median {r_med * 1000:8.1f} ms  max {r_max * 1000:8.1f} ms"
            f"  ratio {r_med / b_med:.1f}x"
        )
        print(
            f"report page (HTTP)    median {p_med * 1000:8.1f} ms  max {p_max * 1000:8.1f} ms"
            f"  ratio {p_med / b_med:.1f}x"
        )


if __name__ == "__main__":
    main()

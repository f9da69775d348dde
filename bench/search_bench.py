"""Search speed on a region's worth of cases, as ratios to baselines of the same run.

    .venv/bin/python bench/search_bench.py [--cases 20000] [--repeat 15]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_search]

Seeds with bulk inserts (the triggers of migration 0013 index every row as it goes):
cases with synthetic names (accented ones too), 1-4 persons, an employer, an email and
two notes each. Then times, for a team lead who sees every case:

- the bare full-text query (ids of the matching cases, nothing else): the baseline of
  a selective term (a reference);
- the case list query of page 1 with that search (the ORM query the page runs);
- the case list page with no search (page 1): the baseline of a common term;
- the case list page searching a selective term, a common last name and a word in
  half of the notes.

A PostgreSQL URL's database is emptied first (DROP SCHEMA public CASCADE).
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from common import bench_app, insert_in_chunks, median_p95, timings  # noqa: E402
from sqlalchemy import select, text  # noqa: E402

from caseflow.auth.models import Role, User  # noqa: E402
from caseflow.auth.permissions import visible_cases_clause  # noqa: E402
from caseflow.auth.services import create_user  # noqa: E402
from caseflow.cases import search  # noqa: E402
from caseflow.cases.models import Case, Person  # noqa: E402
from caseflow.cases.queries import CaseFilters, case_list_query, search_clause  # noqa: E402
from caseflow.cases.services import ensure_default_case_types  # noqa: E402
from caseflow.centres.services import default_centre  # noqa: E402
from caseflow.extensions import db  # noqa: E402
from caseflow.notes.models import Note  # noqa: E402

FIRST = ["José", "Émile", "Priya", "Rohan", "Anna", "Wei", "Olga", "Zoë", "Kenji", "Amara"]
FIRST += ["Mateus", "Fatima", "Lukas", "Ines", "Omar", "Yui", "Chidi", "Sofía", "Mehmet", "Ana"]
LAST = [
    f"{stem}{suffix}"
    for stem in ("Kowal", "Nak", "Pat", "Silv", "Ök", "Lefè")
    for suffix in ("ski", "amura", "el", "a", "ten", "vre", "ic", "sson", "ez", "ova")
] + [f"Surname{n}" for n in range(2000)]
EMPLOYERS = ["Umicore", "Janssen Pharmaceutica", "Bekaert", "Imec", "Barco", "Proximus"]
EMPLOYERS += [f"Firm {n}" for n in range(300)]
PASSWORD = "bench-lead-password-2026"  # noqa: S105 (a throw-away database)
NOTES = [
    "Called about the flat in Genk; the landlord asks a guarantee.",
    "Municipal registration done, waiting for the residence card.",
    "Asked for the diploma recognition form.",
    "Health fund membership: sent the list of documents.",
]


def seed(count: int) -> tuple[int, int, int]:
    rng = random.Random(12)
    centre = default_centre()
    ensure_default_case_types(centre)
    centre.leads_need_second_factor = False  # the bench logs in with a password only
    lead = create_user(
        centre,
        "bench@example.org",
        "Bench Lead",
        Role.TEAM_LEAD,
        PASSWORD,
        temporary_password=False,
    )
    db.session.commit()
    type_id = db.session.execute(text("SELECT min(id) FROM case_types")).scalar_one()
    start = datetime(2024, 1, 1)
    cases, persons, notes = [], [], []
    for n in range(1, count + 1):
        created = start + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        # Four in ten households carry one of 60 common names, the rest rarer ones.
        last = rng.choice(LAST[:60]) if rng.random() < 0.4 else rng.choice(LAST[60:])
        cases.append(
            {
                "id": n,
                "centre_id": centre.id,
                "reference": f"LIM-{created.year}-{n:05d}",
                "household_name": f"{last} family",
                "case_type_id": type_id,
                "status": "open",
                "advisor_id": lead.id,
                "employer": rng.choice(EMPLOYERS),
                "contact_email": f"home{n}@example.net",
                "client_language": "en",
                "consent_on": created.date(),
                "consent_recorded_by_id": lead.id,
                "created_at": created,
                "updated_at": created,
                "status_changed_at": created,
                "version": 1,
            }
        )
        for k in range(rng.choice([1, 2, 2, 3, 4])):
            first = rng.choice(FIRST)
            persons.append(
                {
                    "case_id": n,
                    "position": k,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{first.lower()}.{n}.{k}@example.org" if k < 2 else None,
                    "household_role": "main_applicant" if k == 0 else "child",
                    "nationality": "BR",
                    "date_of_birth": date(rng.randint(1960, 2024), 1, 1),
                }
            )
        for _ in range(2):
            notes.append(
                {
                    "case_id": n,
                    "author_id": lead.id,
                    "body": rng.choice(NOTES),
                    "created_at": created,
                    "version": 1,
                }
            )
    for table, rows in ((Case, cases), (Person, persons), (Note, notes)):
        insert_in_chunks(table, rows, progress=True)
    db.session.commit()
    return lead.id, len(persons), len(notes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    config = {"WTF_CSRF_ENABLED": False}
    if args.database_url:
        config["SQLALCHEMY_DATABASE_URI"] = args.database_url
    app = bench_app(**config)
    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        started = time.perf_counter()
        lead_id, n_persons, n_notes = seed(args.cases)
        print(
            f"{dialect}: seeded {args.cases} cases, {n_persons} persons, {n_notes} notes "
            f"(indexed by the triggers) in {time.perf_counter() - started:.1f} s"
        )
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        lead = db.session.get(User, lead_id)
        per_page = app.config["CASES_PER_PAGE"]
        selective = db.session.scalar(select(Case.reference).where(Case.id == args.cases // 2))
        terms = {
            "selective (a reference)": selective,
            "selective (a name prefix)": "Surname142",
            "common (a last name)": "Kowalski",
            "very common (a note word)": "landlord",
        }

        def bare(term):
            ids = search.matching_case_ids(term)
            return lambda: db.session.execute(ids).all()

        def search_sql(term):
            # The SQL part of a searched page: visibility, search, sort, one page of ids.
            query = (
                select(Case.id)
                .where(visible_cases_clause(lead), search_clause(term))
                .order_by(Case.updated_at.desc(), Case.id.desc())
                .limit(per_page)
            )
            return lambda: db.session.execute(query).all()

        def list_query(term):
            query = case_list_query(lead, CaseFilters(q=term, status="all")).limit(per_page)
            return lambda: db.session.scalars(query).unique().all()

        client = app.test_client()
        response = client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
        assert response.status_code == 302, response.status_code

        def page(term):
            def get():
                response = client.get("/cases", query_string={"q": term, "status": "all"})
                assert response.status_code == 200, response.status_code

            return get

        def measure(fn):
            return median_p95(timings(fn, args.repeat))

        def row(label, figures, baseline=None, name=""):
            med, p95 = figures
            ratio = f"  {med / baseline[0]:6.2f}x {name}" if baseline else ""
            print(f"{label:<52} median {med * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms{ratio}")

        page_one = measure(page(""))
        row("case list page 1, no search (baseline B)", page_one)
        for label, term in terms.items():
            matches = len(db.session.execute(search.matching_case_ids(term)).all())
            print(f"-- {label}: {term!r}, {matches} matching cases")
            base = measure(bare(term))
            row("   bare full-text query (baseline A)", base)
            row(
                "   its SQL: visible, matching, sorted, one page",
                measure(search_sql(term)),
                base,
                "A",
            )
            row("   case list query, page 1 with the search", measure(list_query(term)), base, "A")
            row("   case list page with the search", measure(page(term)), page_one, "B")
        if dialect == "sqlite":
            # What an erasure adds: FTS5 merges its whole index to drop the erased words.
            def purge():
                # One document rewritten (as an erasure does), then the merge.
                db.session.execute(text("UPDATE cases SET employer = 'Erased' WHERE id = 1"))
                search.purge_deleted_terms()
                db.session.commit()

            row("erasure's FTS5 merge (optimize), once per erasure", measure(purge))


if __name__ == "__main__":
    main()

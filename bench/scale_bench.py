"""A whole region's scale (issue 12): every page as a ratio to a baseline in the same run.

    .venv/bin/python bench/scale_bench.py [--cases 100000] [--repeat 9]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--no-http] [--json bench/results/scale-sqlite.json]

SQLite (a temporary file) by default; with --database-url (or the environment's
CASEFLOW_TEST_DATABASE_URL) a fresh PostgreSQL database ``scale_bench_<pid>`` is
created on that server and dropped at the end.

Seeds with bulk inserts (SQLAlchemy Core, dict batches) a region of 3 centres (80%,
12% and 8% of the cases) with 60 advisors, ~2.5 persons per case, checklist items
(household steps: 3 per case; person steps: a random 10-20 of the catalogue's person
steps per person, ~15 on average: the catalogue's rules are not run, the per-person
count is realistic), 2 notes and 1 follow-up per case; plus a small fourth centre
with one advisor of 60 cases (the baseline of My work and the team overview).

Baselines, all measured in this run:
- "raw SQL + template": every SELECT the page ran, replayed on a raw DBAPI cursor
  (fetching all rows), plus the page's templates rendered again with the very
  context the view passed (captured through Flask's template_rendered signal);
- the deepest page and the common search: page 1 of the case list;
- search, selective: the SELECTs of that search page replayed raw (the bare query);
- My work and the team overview: the same pages for a centre/advisor with 60 cases
  (the overview as served while the worker runs: from the figures it refreshes every
  5 minutes, refreshed here first; its live count and the refresh are information);
- the funder report: the bare aggregate query (one GROUP BY over the cases served:
  the baseline of the "37x" in issue 12, bench/report_bench.py); the page as served
  while the worker runs (from the figures it stores for the standard periods,
  refreshed here first); as information, the page counted live ("Count now"), against
  that query and against its own SELECTs replayed raw, and one refresh of every
  centre's figures (timed once);
- CSV of 50,000 rows: the same raw query and csv.writer; the app's way is the
  reports' CSV writer (exports.to_csv with its formula guard). The app has no
  case-level CSV export; the funder report's CSV is the only one.
- the case list over HTTP: /healthz on the same gunicorn (2 workers).

"queries" counts the statements a page ran without BEGIN/COMMIT/ROLLBACK/SAVEPOINT
(as the tests' count_queries does), so the bench's counts match the tests'.
"""

import argparse
import csv
import http.client
import io
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate  # noqa: E402
from common import (  # noqa: E402
    CSRF_META,
    FAST_ARGON2,
    Progress,
    bench_app,
    median_p95,
    temporary_postgres_database,
    timings,
)
from common import login as common_login  # noqa: E402
from flask import template_rendered  # noqa: E402
from sqlalchemy import delete, event, func, insert, select, text  # noqa: E402

from caseflow.auth.models import Role  # noqa: E402
from caseflow.auth.services import create_user  # noqa: E402
from caseflow.cases.models import Case, CaseType, Person  # noqa: E402
from caseflow.centres.services import get_or_create_centre  # noqa: E402
from caseflow.checklists.models import (  # noqa: E402
    ChecklistItem,
    ChecklistTemplate,
    Scope,
    TemplateItem,
)
from caseflow.checklists.seeding import seed_catalogue  # noqa: E402
from caseflow.extensions import db  # noqa: E402
from caseflow.followups.models import FollowUp  # noqa: E402
from caseflow.notes.models import Note  # noqa: E402
from caseflow.reports.exports import safe_cell, to_csv  # noqa: E402
from caseflow.reports.funder import served_clause  # noqa: E402
from caseflow.reports.periods import period_for  # noqa: E402
from caseflow.team.figures import refresh_team_figures  # noqa: E402
from caseflow.team.models import TeamFigure  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-scale-password-2026"  # noqa: S105 (synthetic users)
NATIONS = ["IN", "CN", "BR", "US", "TR", "UA", "EG", "PL", "ES", "IT", "JP", "NG", "MX", "IR"]
NATIONS += ["NL", "FR", "DE", "PT", "RO", "GB", "CA", "ZA", "PK", "PH", "VN", "KR", "CO", "AR"]
TOWNS = ["Antwerpen", "Gent", "Leuven", "Hasselt", "Genk", "Brugge", "Mechelen", "Aalst"]
TOWNS += ["Kortrijk", "Sint-Niklaas", "Turnhout", "Geel", "Lommel", "Tongeren", "Ieper"]
SECTORS = ["ICT", "Research", "Logistics", "Health care", "Engineering", "Finance", None]
CHANNELS = ["website", "employer", "event", "municipality", None]
FIRST = ["Ana", "José", "Émile", "Wei", "Priya", "Olena", "Mehmet", "Lucía", "Kenji", "Ngozi"]
FIRST += ["Omar", "Sara", "Ivan", "Maria", "Chen", "Aisha", "Lukas", "Fatima", "Diego", "Yuki"]
SYLLABLES = ["ba", "ko", "ri", "san", "vel", "dor", "mi", "ta", "len", "zu", "ho", "pe", "gar"]
BENCH_START = datetime(2023, 1, 1)
SPAN_MINUTES = 3 * 365 * 24 * 60
COMMON_NAME = "Peeters"  # one case in 20: the "very common term"


def _surnames(rng: random.Random, count: int = 1500) -> list[str]:
    names = set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize())
    return sorted(names)


class Seeder:
    """Bulk inserts of a synthetic region, chunk by chunk (ids chosen here)."""

    CHUNK = 2000

    def __init__(self, cases: int):
        self.total = cases
        self.rng = random.Random(12)
        self.surnames = _surnames(self.rng)
        self.case_id = self.person_id = 0
        self.counts = {"cases": 0, "persons": 0, "items": 0, "notes": 0, "followups": 0}

    def setup(self) -> dict:
        """Centres, catalogue, users. Returns the people and ids the benchmark needs."""
        specs = [
            ("Expat Centre Antwerpen", "ANT", 0.80, 40),
            ("Expat Centre Gent", "GEN", 0.12, 12),
            ("Expat Centre Limburg", "LIM", 0.08, 8),
        ]
        self.centres = []
        for name, code, share, advisors in specs:
            centre = get_or_create_centre(name, code)
            seed_catalogue(centre)
            lead = create_user(
                centre,
                f"lead.{code.lower()}@bench.example",
                f"Lead {code}",
                Role.TEAM_LEAD,
                PASSWORD,
            )
            users = [
                create_user(
                    centre,
                    f"advisor{n}.{code.lower()}@bench.example",
                    f"Advisor {n} {code}",
                    Role.ADVISOR,
                    PASSWORD,
                )
                for n in range(1, advisors + 1)
            ]
            self.centres.append(self._centre_info(centre, code, share, lead, users))
        small = get_or_create_centre("Expat Centre Small", "SML")
        seed_catalogue(small)
        small_lead = create_user(
            small, "lead.sml@bench.example", "Lead SML", Role.TEAM_LEAD, PASSWORD
        )
        small_advisor = create_user(
            small, "advisor.sml@bench.example", "Advisor SML", Role.ADVISOR, PASSWORD
        )
        self.small = self._centre_info(small, "SML", 0, small_lead, [small_advisor])
        db.session.commit()
        return {
            "lead": self.centres[0]["lead"],
            "advisor": self.centres[0]["advisors"][0],
            "small_lead": small_lead.email,
            "small_advisor": small_advisor.email,
        }

    def _centre_info(self, centre, code, share, lead, users) -> dict:
        type_ids = db.session.scalars(
            select(CaseType.id).where(CaseType.centre_id == centre.id)
        ).all()
        items = db.session.execute(
            select(TemplateItem.id, TemplateItem.scope, TemplateItem.key)
            .join(ChecklistTemplate, ChecklistTemplate.id == TemplateItem.template_id)
            .where(ChecklistTemplate.centre_id == centre.id)
        ).all()
        return {
            "id": centre.id,
            "code": code,
            "share": share,
            "lead": lead.email,
            "lead_id": lead.id,
            "advisors": [u.email for u in users],
            "advisor_ids": [u.id for u in users],
            "type_ids": type_ids,
            "person_items": [i.id for i in items if i.scope == Scope.PERSON],
            "household_items": [i.id for i in items if i.scope != Scope.PERSON],
            "number": 0,
        }

    def run(self) -> None:
        progress = Progress(self.total, "seeding")
        # The benchmark advisor's 300 open cases and the small centre's 60 come first.
        plan = [(self.centres[0], 300, "bench")]
        plan.append((self.small, 60, "bench"))
        rest = self.total - 360
        for index, info in enumerate(self.centres):
            share = round(rest * info["share"]) if index else 0
            plan.append((info, share, "region"))
        plan[2] = (self.centres[0], rest - sum(n for _i, n, _k in plan[3:]), "region")
        self._family(self.centres[0])
        progress.update(1)
        for info, count, kind in plan:
            done = 0
            while done < count:
                n = min(self.CHUNK, count - done)
                self._chunk(info, n, kind)
                done += n
                progress.update(n)
        progress.close()
        self._fix_sequences()

    def _case_row(self, info: dict, advisor_id, status, created, closed, surname) -> dict:
        self.case_id += 1
        info["number"] += 1
        rng = self.rng
        return {
            "id": self.case_id,
            "centre_id": info["id"],
            "reference": f"{info['code']}-{created.year}-{info['number']:05d}",
            "household_name": surname,
            "case_type_id": rng.choice(info["type_ids"]),
            "status": status,
            "advisor_id": advisor_id,
            "arrival_date": created.date(),
            "municipality": rng.choice(TOWNS),
            "employer": f"{rng.choice(self.surnames)} {rng.choice(['NV', 'BV', 'Labs'])}",
            "sector": rng.choice(SECTORS),
            "referral_channel": rng.choice(CHANNELS),
            "contact_email": f"{surname.lower()}.{self.case_id}@mail.example",
            "client_language": rng.choice(["en", "en", "nl", "fr"]),
            "consent_on": created.date(),
            "consent_recorded_by_id": advisor_id or info["lead_id"],
            "created_at": created,
            "updated_at": closed or created + timedelta(days=rng.randint(0, 60)),
            "closed_at": closed,
            "closing_reason": "completed" if closed else None,
            "status_changed_at": closed or created,
            "version": 1,
        }

    def _household(self, case: dict, info: dict, size: int, rows: dict, steps_per_person=None):
        rng = self.rng
        created = case["created_at"]
        persons = []
        for k in range(size):
            self.person_id += 1
            role = "main_applicant" if k == 0 else "partner" if k == 1 else "child"
            persons.append(self.person_id)
            rows["persons"].append(
                {
                    "id": self.person_id,
                    "case_id": case["id"],
                    "position": k,
                    "first_name": rng.choice(FIRST),
                    "last_name": case["household_name"],
                    "household_role": role,
                    "nationality": rng.choice(NATIONS),
                    "date_of_birth": date(rng.randint(1965, 2000) if k < 2 else 2012, 1, 1)
                    + timedelta(days=rng.randint(0, 3000 if k >= 2 else 364)),
                    "email": f"p{self.person_id}@mail.example" if k < 2 else None,
                }
            )
        steps = [(None, t) for t in info["household_items"][:3]]
        for person in persons:
            count = steps_per_person or rng.randint(10, 20)
            pool = info["person_items"]
            picked = rng.sample(pool, min(count, len(pool)))
            if len(picked) < count:  # a small catalogue: repeat steps (other documents)
                picked += [rng.choice(pool) for _ in range(count - len(picked))]
            steps += [(person, t) for t in picked]
        for person, template_item in steps:
            roll = rng.random()
            state = "done" if roll < 0.55 else "not_applicable" if roll < 0.6 else "todo"
            completed = created + timedelta(days=rng.randint(1, 90)) if state == "done" else None
            rows["items"].append(
                {
                    "case_id": case["id"],
                    "person_id": person,
                    "template_item_id": template_item,
                    "state": state,
                    "computed_due_date": (created + timedelta(days=rng.randint(7, 120))).date(),
                    "completed_at": completed,
                    "no_longer_applies": False,
                    "created_at": created,
                    "updated_at": completed or created,
                    "version": 1,
                }
            )

    def _extras(self, case: dict, info: dict, rows: dict, notes: int, followups: int):
        rng = self.rng
        author = case["advisor_id"] or info["lead_id"]
        for k in range(notes):
            rows["notes"].append(
                {
                    "case_id": case["id"],
                    "author_id": author,
                    "body": f"Call with {case['household_name']} about the "
                    f"{rng.choice(['residence permit', 'health fund', 'school', 'housing'])}"
                    f" appointment in {case['municipality']} ({k + 1}).",
                    "created_at": case["created_at"] + timedelta(days=k),
                    "version": 1,
                }
            )
        for k in range(followups):
            rows["followups"].append(
                {
                    "case_id": case["id"],
                    "title": f"Check documents {k + 1}",
                    "due_date": (case["created_at"] + timedelta(days=rng.randint(5, 60))).date()
                    if case["status"] == "closed"
                    else date.today() + timedelta(days=rng.randint(-10, 30)),
                    "assignee_id": author,
                    "status": "done" if case["status"] == "closed" else "open",
                    "created_by_id": author,
                    "created_at": case["created_at"],
                    "version": 1,
                }
            )

    def _family(self, info: dict) -> None:
        """The case page's case: a family of 5 with 80 steps, of the benchmark advisor."""
        rows = {"cases": [], "persons": [], "items": [], "notes": [], "followups": []}
        created = datetime(2025, 9, 1, 10)
        case = self._case_row(info, info["advisor_ids"][0], "open", created, None, "Familyfive")
        rows["cases"].append(case)
        self._household(case, info, 5, rows, steps_per_person=16)
        rows["items"] = rows["items"][3:]  # exactly 80: person steps only
        self._extras(case, info, rows, notes=12, followups=3)
        self.family_id = case["id"]
        self._insert(rows)

    def _chunk(self, info: dict, count: int, kind: str) -> None:
        rng = self.rng
        rows = {"cases": [], "persons": [], "items": [], "notes": [], "followups": []}
        now = datetime.now(UTC).replace(tzinfo=None)
        for _ in range(count):
            if kind == "bench":  # the advisor's own, all open
                advisor, closed = info["advisor_ids"][0], None
                created = now - timedelta(days=rng.randint(1, 400))
                status = rng.choice(["open", "open", "waiting_on_client"])
            else:
                created = BENCH_START + timedelta(minutes=rng.randint(0, SPAN_MINUTES))
                if created > now:
                    created = now - timedelta(days=1)
                closed = created + timedelta(days=rng.randint(10, 300))
                if closed > now or rng.random() < 0.4:
                    closed = None
                status = (
                    "closed"
                    if closed
                    else rng.choice(["open", "open", "waiting_on_client", "intake"])
                )
                pool = info["advisor_ids"][1:] or info["advisor_ids"]
                advisor = None if status == "intake" and rng.random() < 0.5 else rng.choice(pool)
            surname = COMMON_NAME if rng.random() < 0.05 else rng.choice(self.surnames)
            case = self._case_row(info, advisor, status, created, closed, surname)
            rows["cases"].append(case)
            self._household(case, info, rng.choice([1, 2, 2, 3, 3, 4, 2, 3]), rows)
            self._extras(case, info, rows, notes=2, followups=1)
        self._insert(rows)

    def _insert(self, rows: dict) -> None:
        tables = {
            "cases": Case,
            "persons": Person,
            "items": ChecklistItem,
            "notes": Note,
            "followups": FollowUp,
        }
        copy = db.engine.dialect.name == "postgresql"
        for name, model in tables.items():
            batch = rows[name]
            if copy and batch:
                self._copy(model.__table__, batch)
            else:
                for start in range(0, len(batch), 10_000):
                    db.session.execute(insert(model), batch[start : start + 10_000])
            self.counts[name] += len(batch)
        db.session.commit()

    @staticmethod
    def _copy(table, batch: list[dict]) -> None:
        """PostgreSQL: COPY instead of INSERT (several times faster); the columns'
        Python-side scalar defaults filled in as an INSERT would."""
        defaults = {
            c.name: c.default.arg
            for c in table.columns
            if c.name not in batch[0] and c.default is not None and c.default.is_scalar
        }
        columns = list(batch[0]) + list(defaults)
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = db.session.connection().connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            extra = list(defaults.values())
            for row in batch:
                copy.write_row([*row.values(), *extra])
        cursor.close()

    def _fix_sequences(self) -> None:
        if db.engine.dialect.name == "postgresql":
            for table in ("cases", "persons"):
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "  # noqa: S608
                        f"FROM {table}"
                    )
                )
        db.session.commit()


class SeededRegion:
    """What the measuring needs from a seeding: saved in the database itself (table
    ``bench_seed``, not a model) so that ``--reuse`` can measure the same data again."""

    def __init__(self, cases, people, centre_id, case_id, family_id, counts, seconds):
        self.cases, self.people, self.centre_id = cases, people, centre_id
        self.case_id = case_id
        self.family_id, self.counts, self.seconds = family_id, counts, seconds

    def save(self) -> None:
        db.session.execute(text("CREATE TABLE bench_seed (value TEXT NOT NULL)"))
        db.session.execute(
            text("INSERT INTO bench_seed (value) VALUES (:v)"), {"v": json.dumps(vars(self))}
        )
        db.session.commit()

    @classmethod
    def load(cls):
        try:
            value = db.session.execute(text("SELECT value FROM bench_seed")).scalar()
        except Exception:  # noqa: BLE001 (no such table: not seeded yet)
            db.session.rollback()
            return None
        return cls(**json.loads(value)) if value else None


# ---------------------------------------------------------------- measuring


class Recorder:
    """The SQL statements and template renders of the requests made while it records."""

    def __init__(self, app, engine, repeat: int):
        self.app, self.repeat = app, repeat
        self.active = False
        self.statements: list[tuple[str, object]] = []
        self.render_times: list[list[float]] = []
        event.listen(engine, "before_cursor_execute", self._on_sql)
        template_rendered.connect(self._on_render, app)

    def _on_sql(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.statements.append((statement, parameters))

    def _on_render(self, sender, template, context, **extra):
        if not self.active:
            return
        self.active = False  # re-rendering runs no SQL of its own worth counting
        try:
            template.render(context)  # warm-up: loads any lazy attribute
            times = []
            for _ in range(self.repeat):
                start = time.perf_counter()
                template.render(context)
                times.append(time.perf_counter() - start)
            self.render_times.append(sorted(times))
        finally:
            self.active = True

    def record(self, fn):
        self.statements, self.render_times, self.active = [], [], True
        try:
            fn()
        finally:
            self.active = False
        return self.statements, self.render_times


def replay(engine, statements) -> None:
    """The SELECTs, on a raw DBAPI cursor, every row fetched."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        cursor.close()
    finally:
        connection.close()


def selects(statements):
    return [(s, p) for s, p in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


# Transaction control, not queries: left out of the count as the tests' count_queries
# does (tests/cases/test_query_counts.py), so the bench's "queries" match the tests'.
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def query_count(statements) -> int:
    """The statements that are queries (a SELECT, an INSERT...), not BEGIN or COMMIT."""
    return sum(1 for s, _ in statements if not s.lstrip().upper().startswith(TRANSACTION_CONTROL))


def login(app, email: str):
    return common_login(app, email, PASSWORD)


class Bench:
    def __init__(self, app, repeat: int):
        self.app, self.repeat = app, repeat
        with app.app_context():
            self.engine = db.engine
        self.recorder = Recorder(app, self.engine, repeat)
        self.results: list[dict] = []

    def time_get(self, client, url: str) -> list[float]:
        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return timings(get, self.repeat)

    def raw_and_template(self, client, url: str) -> tuple[list[float], int]:
        """Times of the page's SELECTs replayed raw plus its templates rendered again;
        and the number of queries the page ran (BEGIN/COMMIT not counted)."""
        statements, renders = self.recorder.record(lambda: client.get(url))
        statements, renders = self.recorder.record(lambda: client.get(url))  # warm
        raw = timings(lambda: replay(self.engine, selects(statements)), self.repeat)
        total = [r + sum(t[i] for t in renders) for i, r in enumerate(raw)]
        return sorted(total), query_count(statements)

    def row(self, name, times, base_times, target, baseline, *, higher=False, extra=None):
        med, p95 = median_p95(times)
        base_med, base_p95 = median_p95(base_times)
        ratio = med / base_med
        met = ratio >= target if higher else ratio <= target
        result = {
            "operation": name,
            "median_ms": round(med * 1000, 2),
            "p95_ms": round(p95 * 1000, 2),
            "baseline": baseline,
            "baseline_median_ms": round(base_med * 1000, 2),
            "baseline_p95_ms": round(base_p95 * 1000, 2),
            "ratio": round(ratio, 2),
            "target": f"{'>=' if higher else '<='} {target}x",
            "met": met,
        } | (extra or {})
        if extra and "met" in extra:
            result["met"] = met and extra["met"]
        if extra and extra.get("info"):
            result["met"] = None
        verdict = {True: "met", False: "NOT MET", None: "(info)"}[result["met"]]
        notes = "".join(
            f"  {key}={extra[key]}" for key in ("queries", "under_20ms") if key in (extra or {})
        )
        self.results.append(result)
        print(
            f"  {name:44s} {med * 1000:9.1f} ms (p95 {p95 * 1000:8.1f})"
            f"  vs {base_med * 1000:8.1f} ms"
            f"  {ratio:6.2f}x  {result['target']:8s} {verdict}{notes}",
            flush=True,
        )


def measure(app, region: SeededRegion, repeat: int, csv_rows: int) -> Bench:
    bench = Bench(app, repeat)
    people = region.people
    lead = login(app, people["lead"])
    advisor = login(app, people["advisor"])
    small_lead = login(app, people["small_lead"])
    small_advisor = login(app, people["small_advisor"])

    # Case list, page 1 and the deepest page.
    page1 = bench.time_get(lead, "/cases?status=all")
    base, _n = bench.raw_and_template(lead, "/cases?status=all")
    bench.row("case list, page 1", page1, base, 1.6, "raw SQL + same template")
    context = app.app_context()
    context.push()
    total = db.session.scalar(select(func.count(Case.id)).where(Case.centre_id == region.centre_id))
    last = -(-total // app.config["CASES_PER_PAGE"])
    # Keyset pages: the deepest is ?last=1 (read backwards from the end); ?page= is
    # no longer read (it gave page 1).
    deep = bench.time_get(lead, "/cases?status=all&last=1")
    bench.row(f"case list, deepest page ({last})", deep, page1, 1.3, "page 1")

    # Search: a reference (selective) and a very common surname.
    reference = db.session.scalar(select(Case.reference).where(Case.id == region.case_id // 2))
    db.session.remove()
    context.pop()
    url = f"/cases?status=all&q={reference}"
    selective = bench.time_get(lead, url)
    bare, _n = bench.raw_and_template(lead, url)
    raw_only = timings(lambda: replay(bench.engine, selects(bench.recorder.statements)), repeat)
    med = statistics.median(selective)
    bench.row(
        "search, selective (a reference)",
        selective,
        raw_only,
        2,
        "the bare search query",
        extra={"under_20ms": med < 0.020, "met": med < 0.020},
    )
    common = bench.time_get(lead, f"/cases?status=all&q={COMMON_NAME}")
    bench.row(f"search, very common ({COMMON_NAME})", common, page1, 1.5, "page 1")

    # The case page of a family of 5 with 80 steps.
    url = f"/cases/{region.family_id}"
    detail = bench.time_get(advisor, url)
    base, queries = bench.raw_and_template(advisor, url)
    bench.row(
        "case page, family of 5, 80 steps",
        detail,
        base,
        1.6,
        "raw SQL + same template",
        extra={"queries": queries, "met": queries <= 8},
    )

    # My work and the team overview against the same pages at 60 cases.
    bench.row(
        "My work, advisor with 300 cases",
        bench.time_get(advisor, "/?view=mine"),
        bench.time_get(small_advisor, "/?view=mine"),
        2,
        "same page, 60 cases",
    )
    # The team overview counted live (what it does when the worker's figures are
    # missing or stale), then from the figures the worker refreshes every 5 minutes
    # (caseflow/team/figures.py), as it is served while a worker runs.
    with app.app_context():
        db.session.execute(delete(TeamFigure))
        db.session.commit()
    live_overview = bench.time_get(lead, "/team")
    refresh_times = []
    for _ in range(3):
        with app.app_context():
            start = time.perf_counter()
            refresh_team_figures()
            db.session.commit()
            refresh_times.append(time.perf_counter() - start)
    small_overview = bench.time_get(small_lead, "/team")
    bench.row(
        "team overview, centre of 80%",
        bench.time_get(lead, "/team"),
        small_overview,
        2,
        "same page, 60 cases",
    )
    bench.row(
        "(info) team overview counted live",
        live_overview,
        small_overview,
        2,
        "same page, 60 cases (figures)",
        extra={"info": True},
    )
    bench.row(
        "(info) worker: refresh every centre's figures",
        sorted(refresh_times),
        live_overview,
        1,
        "one live team overview page",
        extra={"info": True},
    )

    # The funder report for a year: as served while the worker runs (from the figures it
    # stores every 15 minutes for this and last month, quarter and year: 2025 is last
    # year; caseflow/reports/figures.py), refreshed here first; counted live ("Count
    # now", or no worker) and the refresh are information.
    from caseflow.reports.figures import refresh_report_figures
    from caseflow.reports.models import ReportFigure

    period = period_for("year", date(2025, 6, 1))
    served = served_clause(region.centre_id, period)

    def bare_aggregate():
        db.session.execute(
            select(Case.municipality, func.count()).where(served).group_by(Case.municipality)
        ).all()

    url = "/reports/funder?period=year&on=2025-06-01"
    with app.app_context():
        db.session.execute(delete(ReportFigure))
        db.session.commit()
        start = time.perf_counter()
        refresh_report_figures(commit=db.session.commit)
        refresh_seconds = [time.perf_counter() - start]
    report = bench.time_get(lead, url)
    live_report = bench.time_get(lead, url + "&live=1")
    with app.app_context():
        bare = timings(bare_aggregate, repeat)
    bench.row(
        "funder report, a year",
        report,
        bare,
        10,
        "the bare aggregate query",
    )
    bench.row(
        "(info) funder report counted live",
        live_report,
        bare,
        10,
        "the bare aggregate query",
        extra={"info": True},
    )
    base, queries = bench.raw_and_template(lead, url + "&live=1")
    bench.row(
        "  (info) live funder report vs its own SQL",
        live_report,
        base,
        10,
        "its SELECTs raw + template",
        extra={"queries": queries, "info": True},
    )
    bench.row(
        "(info) worker: refresh all report figures",
        refresh_seconds,
        live_report,
        1,
        "one live funder report page (a year)",
        extra={"info": True},
    )

    # CSV of 50,000 rows.
    query = text(
        "SELECT reference, household_name, municipality, status, created_at FROM cases "
        "ORDER BY id LIMIT :n"
    )
    header = ["reference", "household", "municipality", "status", "opened"]

    def raw_csv():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(db.session.execute(query, {"n": csv_rows}).all())
        return buffer.getvalue().encode("utf-8")

    def app_csv():  # the reports' CSV writer and formula guard, rows streamed
        rows = db.session.execute(query, {"n": csv_rows})
        return to_csv(header, ([safe_cell(cell) for cell in row] for row in rows))

    with app.app_context():
        app_times, raw_times = timings(app_csv, repeat), timings(raw_csv, repeat)
    bench.row(f"CSV export, {csv_rows:,} rows", app_times, raw_times, 2, "raw query + csv.writer")
    return bench


# ---------------------------------------------------------------- over HTTP


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http_login(port: int, email: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    token = CSRF_META.search(response.read().decode()).group(1)
    first = [v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": "; ".join(first)}
    conn.request("POST", "/login", body, headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 302, response.status
    cookies = [v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
    return "; ".join(cookies)


def _throughput(port: int, path: str, cookie: str, seconds: float, threads: int = 4) -> float:
    count = [0] * threads
    stop = time.perf_counter() + seconds

    def work(index: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, (path, response.status)
            count[index] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(count) / (time.perf_counter() - started)


def measure_http(bench: Bench, database_url: str, email: str, seconds: float) -> None:
    port = _free_port()
    env = os.environ | {
        "CASEFLOW_SQLALCHEMY_DATABASE_URI": database_url,
        "CASEFLOW_SECRET_KEY": "bench" * 10,
        "CASEFLOW_TESTING": "true",
        "CASEFLOW_RATELIMIT_ENABLED": "false",
        "CASEFLOW_SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": "false",
        "CASEFLOW_ARGON2_PARAMETERS": json.dumps(FAST_ARGON2),
    }
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn)
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cookie = _http_login(port, email)
        _throughput(port, "/healthz", "", 1)  # warm both workers
        _throughput(port, "/cases?status=all", cookie, 1)
        health = _throughput(port, "/healthz", "", seconds)
        cases = _throughput(port, "/cases?status=all", cookie, seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ratio = cases / health
    result = {
        "operation": "case list over HTTP (throughput)",
        "requests_per_s": round(cases, 1),
        "baseline": "/healthz on the same gunicorn (2 workers, 4 client threads)",
        "baseline_requests_per_s": round(health, 1),
        "ratio": round(ratio, 3),
        "target": ">= 0.15x",
        "met": ratio >= 0.15,
    }
    bench.results.append(result)
    print(
        f"  {result['operation']:44s} {cases:9.1f} req/s vs {health:8.1f} req/s"
        f"  {ratio:6.3f}x  >= 0.15x  {'met' if result['met'] else 'NOT MET'}",
        flush=True,
    )


def seed(cases: int) -> SeededRegion:
    started = time.perf_counter()
    seeder = Seeder(cases)
    people = seeder.setup()
    seeder.run()
    seconds = time.perf_counter() - started
    region = SeededRegion(
        cases,
        people,
        seeder.centres[0]["id"],
        seeder.case_id,
        seeder.family_id,
        seeder.counts,
        seconds,
    )
    print(
        "seeded "
        + ", ".join(f"{n:,} {name}" for name, n in seeder.counts.items())
        + f" in {seconds:.0f} s",
        flush=True,
    )
    return region


def run(database_url: str | None, args) -> dict:
    app = bench_app(database_url, RATELIMIT_ENABLED=False)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        dialect = db.engine.dialect.name
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        region = SeededRegion.load() if args.reuse else None
        if region is None:
            region = seed(args.cases)
            if args.reuse:
                region.save()
        else:
            print(f"reusing the region seeded in {url}: {region.counts}", flush=True)
        db.session.commit()
        db.session.remove()
        if dialect == "postgresql":
            # As autovacuum leaves a database that has settled: statistics, and the
            # visibility map that lets index-only scans skip the table.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("VACUUM ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            db.session.remove()
    # Measured outside any app context: each request pushes and ends its own, as served.
    print(f"{dialect}: median (p95) vs baseline median, ratio, target")
    bench = measure(app, region, args.repeat, args.csv_rows)
    if not args.no_http:
        measure_http(bench, url, region.people["lead"], args.http_seconds)
    bench.engine.dispose()
    return {
        "database": dialect,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        "cases": region.cases,
        "seeded": region.counts,
        "seed_seconds": round(region.seconds),
        "repeat": args.repeat,
        "results": bench.results,
    }


def markdown(paths: list[str]) -> str:
    """The README's table from result files (one column pair per database)."""
    runs = [json.loads(Path(p).read_text()) for p in paths]
    head = "| operation | baseline | target | " + " | ".join(
        f"{r['database']} ({r['cases']:,} cases)" for r in runs
    )
    lines = [head + " |", "|---|---|---|" + "---|" * len(runs)]
    for index, first in enumerate(runs[0]["results"]):
        cells = []
        for run in runs:
            r = run["results"][index]
            if "requests_per_s" in r:
                figure = f"{r['requests_per_s']:.0f} vs {r['baseline_requests_per_s']:.0f} req/s"
            else:
                figure = f"{r['median_ms']:.1f} ms (p95 {r['p95_ms']:.1f})"
            if "queries" in r:
                figure += f", {r['queries']} queries"
            verdict = {True: "met", False: "**not met**", None: "info"}[r["met"]]
            cells.append(f"{figure}: **{r['ratio']}x** {verdict}")
        name = first["operation"].strip()
        target = first["target"] if first["met"] is not None else "(information)"
        lines.append(f"| {name} | {first['baseline']} | {target} | " + " | ".join(cells) + " |")
    machine = "; ".join(f"{r['database']}: {r['date']}, {r['machine']}" for r in runs)
    return "\n".join(lines) + f"\n\nMeasured {machine}.\n"


def main():
    if sys.argv[1:2] == ["--markdown"]:
        print(markdown(sys.argv[2:]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--csv-rows", type=int, default=50_000)
    parser.add_argument("--database-url", default=os.environ.get("CASEFLOW_TEST_DATABASE_URL"))
    parser.add_argument("--sqlite", action="store_true", help="ignore the environment's URL")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--http-seconds", type=float, default=5)
    parser.add_argument("--json", help="default bench/results/scale-<database>.json")
    parser.add_argument(
        "--reuse",
        metavar="URL",
        help="measure this database (sqlite:///path or postgresql+psycopg://...), seeding "
        "it first when no earlier --reuse run did; it is kept afterwards",
    )
    args = parser.parse_args()
    if args.cases < 1000:
        parser.error("--cases: at least 1000")
    server = None if args.sqlite else args.database_url
    if args.reuse:
        results = run(args.reuse, args)
    elif server:
        with temporary_postgres_database(server) as url:
            results = run(url, args)
    else:
        results = run(None, args)
    out = Path(args.json or ROOT / "bench" / "results" / f"scale-{results['database']}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    met = sum(1 for r in results["results"] if r["met"])
    counted = sum(1 for r in results["results"] if r["met"] is not None)
    print(f"{met} of {counted} targets met; written to {out}")


if __name__ == "__main__":
    main()

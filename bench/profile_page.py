"""Profile one page on a database seeded by ``scale_bench.py --reuse``: pyinstrument's
call tree of a few requests, and each SQL statement's time.

    .venv/bin/python bench/profile_page.py sqlite:////tmp/region.sqlite /team \\
        [--user lead] [--repeat 5] [--out bench/profiles/team-sqlite.txt]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import bench_app  # noqa: E402
from pyinstrument import Profiler  # noqa: E402
from scale_bench import SeededRegion, login  # noqa: E402
from sqlalchemy import event  # noqa: E402

from caseflow.extensions import db  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("path")
    parser.add_argument("--user", default="lead", help="lead, advisor, small_lead, ...")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", help="also write the SQL and the call tree's top here")
    parser.add_argument("--lines", type=int, default=70, help="of the call tree in --out")
    args = parser.parse_args()
    app = bench_app(args.database_url, RATELIMIT_ENABLED=False)
    with app.app_context():
        region = SeededRegion.load()
        engine = db.engine
    client = login(app, region.people[args.user])
    client.get(args.path)  # warm
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append((time.perf_counter() - conn.info["started"], statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    client.get(args.path)
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    sql = [
        f"{seconds * 1000:8.1f} ms  {' '.join(statement.split())[:160]}"
        for seconds, statement in statements
    ]
    print("\n".join(sql))
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.repeat):
        response = client.get(args.path)
        assert response.status_code == 200, response.status_code
    profiler.stop()
    tree = profiler.output_text(unicode=True, color=False, show_all=False)
    print(tree)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        header = f"# {args.path} as {args.user}, {args.repeat} requests, {engine.dialect.name}\n"
        top = "\n".join(tree.splitlines()[: args.lines])
        body = f"{header}\n## SQL of one request\n" + "\n".join(sql) + "\n\n## Call tree (top)\n"
        Path(args.out).write_text(body + top + "\n")


if __name__ == "__main__":
    main()

"""Time the year's statistics and the dashboard request over many cases.

.venv/bin/python bench/bench_dashboard.py [--cases 200000]
DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin .venv/bin/python bench/bench_dashboard.py

With HUIYIN_BENCH_KEEP=1 the PostgreSQL database is kept and reused (seeded only once).
It is a database of its own (huiyin_bench_dashboard), so that this benchmark and the
others can run side by side without dropping each other's data.
"""

import argparse
import os

import harness
from harness import best_of, timed

harness.BENCH_DB = "huiyin_bench_dashboard"
YEAR = 2026


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed-only", action="store_true")
    args = parser.parse_args()
    vendor = harness.setup_django()
    from django.conf import settings

    settings.DEBUG = False  # no debug cursor: production runs without it
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import setup_test_environment
    from seeding import seed_cases

    from cases.models import Case
    from orgs.models import Unit
    from reports.stats import year_stats

    print(f"database: {vendor}, cases: {args.cases}")
    if not Case.objects.exists():
        with timed("seed"):
            seed_cases(args.cases)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"cases in the database: {Case.objects.count()}")
    if args.seed_only:
        return

    stats = year_stats(YEAR)
    print(
        f"{YEAR}: total {stats['total']}, replied {stats['replied']}, "
        f"on time {stats['on_time_rate']}, units {len(stats['by_unit'])}"
    )
    results = {
        f"year_stats({YEAR})": best_of(lambda: year_stats(YEAR), args.repeat),
    }
    unit = Unit.objects.get(code=stats["by_unit"][0]["unit"])
    results[f"year_stats({YEAR}, unit)"] = best_of(lambda: year_stats(YEAR, unit), args.repeat)

    # The dashboard as a browser asks for it: the test client through every middleware,
    # with the debug cursor off (production runs without it).
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    client = Client()
    client.force_login(users.get(username="coordinator"))
    head = Client()
    head.force_login(users.get(username="head"))

    def get(c: Client, url: str) -> None:
        response = c.get(url)
        assert response.status_code == 200, response.status_code

    url = f"/dashboard/?year={YEAR}"
    get(client, url)  # warm up: templates compiled, connection open
    reset_queries()
    results["dashboard (coordinator)"] = best_of(lambda: get(client, url), args.repeat)
    results["dashboard (unit head)"] = best_of(lambda: get(head, url), args.repeat)
    report = f"/dashboard/report.docx?year={YEAR}"
    results["annual summary .docx"] = best_of(lambda: get(client, report), max(1, args.repeat // 2))

    print(f"\n{'best of ' + str(args.repeat):<40} {'ms':>9}")
    for label, seconds in results.items():
        print(f"{label:<40} {seconds * 1000:9.1f}")
    if os.environ.get("HUIYIN_BENCH_EXPLAIN") == "1":
        explain(vendor)


def explain(vendor: str) -> None:
    """The plans of the dashboard's heaviest queries (PostgreSQL only)."""
    if vendor != "postgresql":
        return
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.dashboard import dashboard_data

    with CaptureQueriesContext(connection) as captured:
        dashboard_data(YEAR, None)
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN ANALYZE " + query["sql"])
            rows = [r[0] for r in cursor.fetchall()]
            print("\n" + query["sql"][:300])
            print("\n".join(rows[-3:]))


if __name__ == "__main__":
    main()

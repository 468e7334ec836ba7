"""Time the year's statistics over many cases.

.venv/bin/python bench/bench_stats.py [--cases 200000]
DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin .venv/bin/python bench/bench_stats.py
"""

import argparse

from harness import best_of, setup_django, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=200_000)
    args = parser.parse_args()
    vendor = setup_django()
    from django.db import connection
    from seeding import seed_cases

    from reports.stats import year_stats

    print(f"database: {vendor}, cases: {args.cases}")
    from cases.models import Case

    if not Case.objects.exists():
        with timed("seed"):
            seed_cases(args.cases)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    stats = year_stats(2026)
    print(
        f"2026: total {stats['total']}, replied {stats['replied']}, on time {stats['on_time_rate']}"
    )
    print(f"{'year_stats(2026), best of 5':<48} {best_of(lambda: year_stats(2026)) * 1000:9.1f} ms")
    unit = stats["by_unit"][0]["unit"]
    from orgs.models import Unit

    u = Unit.objects.get(code=unit)
    print(
        f"{'year_stats(2026, unit), best of 5':<48} {best_of(lambda: year_stats(2026, u)) * 1000:9.1f} ms"
    )


if __name__ == "__main__":
    main()

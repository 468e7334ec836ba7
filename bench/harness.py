"""A throwaway database for a benchmark: a temporary SQLite file, or with DATABASE_URL
pointing at PostgreSQL a database `huiyin_bench` created for the run and dropped after.

Call `setup_django()` before importing any model."""

import atexit
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "huiyin_bench"


def setup_django() -> str:
    """Point Django at a fresh database, migrate it, and return the engine's name.

    HUIYIN_BENCH_KEEP=1 keeps the PostgreSQL database (and reuses it next time), for
    profiling the same data again without seeding it again."""
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", "")
    keep = os.environ.get("HUIYIN_BENCH_KEEP") == "1"
    if url.startswith("postgres") and keep:
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + BENCH_DB
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]
            ).fetchone()
            if not exists:
                conn.execute(f"CREATE DATABASE {BENCH_DB}")
    elif url.startswith("postgres"):
        import psycopg

        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

        atexit.register(drop)
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + BENCH_DB
    else:
        folder = tempfile.mkdtemp(prefix="huiyin-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    os.environ["HUIYIN_DEBUG"] = "1"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    return connection.vendor


@contextmanager
def timed(label: str, results: dict[str, float] | None = None):
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    if results is not None:
        results[label] = elapsed
    print(f"{label:<48} {elapsed * 1000:9.1f} ms")


def best_of(fn, repeat: int = 5) -> float:
    """The fastest of a few runs, in seconds: the figure least disturbed by the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def sample(fn, *, warmup: int = 3, repeat: int = 30) -> list[float]:
    """`repeat` timings of fn in seconds, after `warmup` untimed calls (caches, templates,
    connections): the method of issue 10's figures."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def median_p95(times: list[float]) -> tuple[float, float]:
    """The median and the 95th percentile (nearest rank) of some timings."""
    ordered = sorted(times)
    rank = max(0, -(-len(ordered) * 95 // 100) - 1)
    return statistics.median(ordered), ordered[rank]


def time_pages(
    rows: list[tuple[str, str, str]],
    who: dict[str, Any],
    *,
    warmup: int,
    repeat: int,
    target_ms: float,
    width: int = 26,
    sizes: bool = False,
) -> None:
    """Time each (role, label, url) as that user: print the median and p95 of `repeat`
    requests after `warmup`, the SQL statements of one request (and its size in KB with
    `sizes`), flagging a median over the target. A page that does not answer 200 stops
    the benchmark. Django must be set up (bench_pages.django_on_existing_database)."""
    from bench_pages import pad
    from django.db import connection
    from django.test import Client

    for role, label, url in rows:
        client = Client()
        client.force_login(who[role])

        def fetch(url: str = url, client: Client = client, role: str = role) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{role} {url}: {response.status_code}")
            return response

        count: list[int] = []

        def record(execute, sql, params, many, context, count=count):  # noqa: ANN001
            count.append(1)
            return execute(sql, params, many, context)

        fetch()
        with connection.execute_wrapper(record):
            size = len(fetch().content) // 1024
        median, p95 = median_p95(sample(fetch, warmup=warmup, repeat=repeat))
        flag = "" if median * 1000 <= target_ms else "  > target"
        kb = f" {size:>6}" if sizes else ""
        print(f"{role:<12} {pad(label, width)} {median * 1000:10.1f} {p95 * 1000:9.1f} {len(count):>8}{kb}{flag}")  # fmt: skip

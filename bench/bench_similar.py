"""Similar 议提案 over many past cases (issue 15: "the similarity search's time over
100,000 past cases"): the index's cold build, the query time (p50/p95 of 100 queries,
the index search alone and with the permission scope and the rows read, as the API and
the register page ask), and a query right after registering a new case (it must be found).

    DATABASE_URL=sqlite:////tmp/similar.sqlite3 .venv/bin/python bench/bench_similar.py --cases 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin_x .venv/bin/python bench/bench_similar.py

The database named by DATABASE_URL is migrated and its cases replaced by bench/load_cases.py
(--reuse keeps them when there are enough). The loader's contents are one sentence; each
is lengthened to a realistic paragraph (the index reads the first 160 characters).
"""

import argparse
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PARAGRAPH = (
    "近年来，我市在这方面做了大量工作，取得了一定成效，但仍存在投入不足、机制不健全、"
    "人员力量薄弱、群众获得感不强等问题，基层反映较为集中。为此建议：一是加大财政投入，"
    "二是完善工作机制，三是加强队伍建设，四是强化督查考核，切实解决群众急难愁盼问题。"
)
REWORDINGS = ["关于进一步{}的建议", "关于{}工作的提案", "建议加快{}", "关于做好{}有关问题的建议"]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="keep the cases if enough")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("DATABASE_URL names the database to fill (it is overwritten)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    from cases.models import Case

    if not (args.reuse and Case.objects.count() >= args.cases):
        import load_cases

        from cases.demo import load_demo

        settings.HUIYIN_DEMO = True
        load_demo()
        started = time.perf_counter()
        load_cases.load(args.cases)
        print(f"loaded {args.cases:,} cases in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE cases_case SET content = title || '。' || content || %s", [PARAGRAPH]
            )
    from django.contrib.auth import get_user_model

    from cases import actions
    from orgs.access import standing_of
    from orgs.models import Role
    from similar import index
    from similar.queries import similar_for

    users = get_user_model().objects.filter(is_active=True)
    coordinator = next(u for u in users if standing_of(u).has(Role.COORDINATOR))
    head = next(u for u in users if standing_of(u).head_of)
    vendor = connection.vendor
    total = Case.objects.filter(category__in=index.PROPOSAL_CATEGORIES).count()
    print(f"{vendor}: {total:,} 议提案")

    index.reset()
    started = time.perf_counter()
    index.search("预热", "")
    build = time.perf_counter() - started
    idx = index.index()
    print(f"cold build: {build:.2f} s, {len(idx.ids):,} rows, {idx.memory_bytes / 2**20:.0f} MB")

    import load_cases

    rng = random.Random(11)
    texts = [
        (rng.choice(REWORDINGS).format(rng.choice(load_cases.SUBJECTS)), rng.choice(PARAGRAPH[:60]))
        for _ in range(args.queries)
    ]
    for label, ask in (
        ("index.search", lambda t, c: index.search(t, c, limit=10)),
        ("similar_for (coordinator)", lambda t, c: similar_for(coordinator, t, c, limit=10)),
        ("similar_for (unit head)", lambda t, c: similar_for(head, t, c, limit=10)),
    ):
        times = []
        for title, content in texts:
            started = time.perf_counter()
            ask(title, content)
            times.append(time.perf_counter() - started)
        times.sort()
        p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95) - 1]
        print(f"{label}: p50 {ms(p50)}, p95 {ms(p95)}, max {ms(times[-1])}")

    new = actions.register_case(
        by=coordinator,
        category="cppcc_proposal",
        level="municipal",
        year=date.today().year,
        session="市政协十四届五次会议",
        number=f"B{time.time_ns()}",
        title="关于在地铁站和商场配置自动体外除颤器的提案",
        content="公共场所AED配置不足，心脏骤停抢救黄金四分钟内难以施救。",
        lead_proposer="吴委员",
        mode="lead",
        received_on=date.today(),
    )
    started = time.perf_counter()
    found = similar_for(coordinator, "关于公共场所配置AED除颤器的提案", "", limit=10)
    after = time.perf_counter() - started
    first = found[0].case.pk if found else None
    print(f"query right after registering: {ms(after)}; found first: {first == new.pk}")
    if first != new.pk:
        sys.exit("the case registered a moment ago was not found")


if __name__ == "__main__":
    main()

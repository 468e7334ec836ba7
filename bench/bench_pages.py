"""Server time of the pages people open all day, over many cases: the 待办 home page, the
台账 (first page and a filtered, sorted page) and a case page, as the coordinator and as a
unit head. Each figure is the best of 5 requests through Django's test client (the whole
request: middleware, queries, template), with the number of queries of one request.

.venv/bin/python bench/bench_pages.py [--cases 10000]
DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin .venv/bin/python bench/bench_pages.py

Goal: under 200 ms each (issue 3).
"""

import argparse
import datetime
import time

from harness import best_of, setup_django, timed

GOAL_MS = 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--queries", action="store_true", help="print each page's slowest queries (ms, SQL)"
    )
    args = parser.parse_args()
    vendor = setup_django()
    from django.conf import settings

    # The harness runs with HUIYIN_DEBUG=1; production does not, and Django's debug
    # cursor (which logs every query) would add to every figure.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    import time_machine
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from seeding import seed_cases

    from cases.models import Case

    print(f"database: {vendor}, cases: {args.cases}")
    if not Case.objects.exists():
        with timed("seed"):
            seed_cases(args.cases)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    users = get_user_model().objects
    coordinator, head = users.get(username="coordinator"), users.get(username="head")
    mine = Case.objects.filter(state="handling", lead_unit=head.memberships.get().unit)
    case = mine.order_by("id").first()
    pages = [
        ("coordinator", coordinator, "待办 /", "/"),
        ("coordinator", coordinator, "台账 first page", "/cases/"),
        (
            "coordinator",
            coordinator,
            "台账 filtered",
            "/cases/?state=handling&unit=unit3&key=0&due_within=30&sort=-deadline",
        ),
        (
            "coordinator",
            coordinator,
            "台账 sorted by 主办处室, page 50",
            "/cases/?sort=unit&page=50",
        ),
        ("coordinator", coordinator, "case page", f"/cases/{case.pk}/"),
        ("coordinator", coordinator, "代表委员", "/proposers/"),
        ("unit head", head, "待办 /", "/"),
        ("unit head", head, "台账 first page", "/cases/"),
        ("unit head", head, "台账 filtered", "/cases/?state=handling&sort=deadline&overdue=1"),
        ("unit head", head, "case page", f"/cases/{case.pk}/"),
    ]
    # The seeded deadlines fall in the spring and summer: a day in the handling season
    # gives every 待办 section something to show.
    with time_machine.travel(datetime.datetime(2026, 5, 20, 10, 0), tick=True):
        clients = {}
        print(
            f"{'who':<12} {'page':<34} {'ms (best of ' + str(args.repeat) + ')':>16} {'queries':>8}"
        )
        slow = []
        for who, user, label, url in pages:
            client = clients.get(who)
            if client is None:
                client = clients[who] = Client()
                client.force_login(user)

            def fetch(client=client, url=url):
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            fetch()  # warm: templates compiled, sessions read once
            captured = []

            def record(execute, sql, params, many, context, captured=captured):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    captured.append((time.perf_counter() - start, sql))

            with connection.execute_wrapper(record):
                fetch()
            ms = best_of(fetch, args.repeat) * 1000
            flag = "" if ms < GOAL_MS else "  ← over the goal"
            if flag:
                slow.append((who, label))
            print(f"{who:<12} {label:<34} {ms:16.1f} {len(captured):8d}{flag}")
            if args.queries:
                for seconds, sql in sorted(captured, reverse=True)[:4]:
                    print(f"{'':<12} {seconds * 1000:7.1f} ms  {sql[:400]}")
    if slow:
        raise SystemExit(f"over {GOAL_MS} ms: {slow}")


if __name__ == "__main__":
    main()

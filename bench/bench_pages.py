"""Server time of every page people open all day, per role, on a loaded database: the
median and the 95th percentile of 30 requests after 3 warm-ups (issue 10's method), with
the number of SQL statements of one request.

Pages: the 台账 (no filter; one unit + one state; one filter of each kind: overdue, year,
keyword), a case page, 我的待办 for the coordinator, a leader, a unit head, a handler and a
viewer, the dashboard for the coordinator and a unit head, `huiyin stats` for one year, and
the floor: the login form (a bare view: no query of its own beyond the session).

    # the database named by DATABASE_URL, as it is (fill it with bench/load_cases.py):
    .venv/bin/python bench/bench_pages.py
    # a throwaway database: the demo, then N cases from bench/load_cases.py
    .venv/bin/python bench/bench_pages.py --cases 10000
    # a running server, over real HTTP (logs in through /login/ with the demo password):
    .venv/bin/python bench/bench_pages.py --url http://127.0.0.1:8000

In-process (the default) each request goes through Django's test client: middleware,
queries, template, no network and no WSGI server. DEBUG is off, as in production.
"""

import argparse
import http.cookiejar
import os
import re
import sys
import time
import unicodedata
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, median_p95, sample, setup_django  # noqa: E402

DEMO_UNIT = "yizheng"  # the demo's 医政医管处: its head `yizheng`, its handler `yizheng_staff`


def django_on_existing_database() -> str:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    from django.db import connection

    return connection.vendor


def fill_throwaway(cases: int) -> None:
    from django.conf import settings

    from cases.demo import load_demo

    settings.HUIYIN_DEMO = True
    load_demo()
    import load_cases

    load_cases.load(cases, verbose=True)


def pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a Chinese character takes two columns."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return text + " " * max(0, width - len(text) - wide)


def people() -> dict[str, Any]:
    """One user of each role: the demo's accounts where they exist."""
    from django.contrib.auth import get_user_model

    from orgs.models import Role

    users = get_user_model().objects
    wanted = {
        "coordinator": ("coordinator", Role.COORDINATOR),
        "leader": ("leader", Role.LEADER),
        "unit head": (DEMO_UNIT, Role.HEAD),
        "handler": (f"{DEMO_UNIT}_staff", Role.HANDLER),
        "viewer": ("viewer", Role.VIEWER),
    }
    found = {}
    for who, (username, role) in wanted.items():
        user = users.filter(username=username).first()
        if user is None:
            user = users.filter(memberships__role=role, is_active=True).order_by("pk").first()
        if user is None:
            raise SystemExit(f"no {who} in the database: run `huiyin load_demo` first")
        found[who] = user
    return found


def pages(year: int, unit: str, case_id: int) -> list[tuple[str, str, str]]:
    from workflow.vocabulary import State

    return [
        ("anonymous", "floor: login form", "/login/"),
        ("coordinator", "台账, no filter", "/cases/"),
        ("coordinator", "台账, unit + state", f"/cases/?unit={unit}&state={State.HANDLING}"),
        ("coordinator", "台账, overdue", "/cases/?overdue=1"),
        ("coordinator", "台账, year", f"/cases/?year={year - 1}"),
        ("coordinator", "台账, keyword", "/cases/?q=" + urllib.parse.quote("家庭医生")),
        ("unit head", "台账, no filter", "/cases/"),
        ("unit head", "台账, state", f"/cases/?state={State.HANDLING}"),
        ("coordinator", "case page", f"/cases/{case_id}/"),
        ("unit head", "case page", f"/cases/{case_id}/"),
        ("coordinator", "我的待办", "/"),
        ("leader", "我的待办", "/"),
        ("unit head", "我的待办", "/"),
        ("handler", "我的待办", "/"),
        ("viewer", "我的待办", "/"),
        ("coordinator", "dashboard", f"/dashboard/?year={year}"),
        ("unit head", "dashboard", f"/dashboard/?year={year}"),
    ]


class HttpSession:
    """A logged-in browser, without the browser: cookies, the login form's CSRF token."""

    def __init__(self, base: str, username: str | None, password: str) -> None:
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        if username is None:
            return
        form = self.get("/login/").decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        if token is None:
            raise SystemExit("no CSRF token in the login form")
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request) as response:
            if response.url.rstrip("/").endswith("/login"):
                raise SystemExit(f"{username} could not log in at {self.base}")

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path) as response:
            if response.status != 200:
                raise SystemExit(f"{path}: {response.status}")
            return response.read()


def main() -> None:  # noqa: PLR0915 (one table of figures)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, help="a throwaway database with the demo + N cases")
    parser.add_argument("--url", help="time a running server over HTTP, e.g. http://127.0.0.1:8000")
    parser.add_argument("--password", default=None, help="the accounts' password with --url")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", help="only the pages whose label contains this")
    parser.add_argument("--queries", action="store_true", help="print each page's slowest queries")
    args = parser.parse_args()

    vendor = setup_django() if args.cases else django_on_existing_database()
    from django.conf import settings

    settings.DEBUG = False  # Django's debug cursor would log every query
    # WhiteNoise warns once that the static files were not collected: no page here needs them.
    warnings.filterwarnings("ignore", message="No directory at")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if args.cases:
        fill_throwaway(args.cases)
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max
    from django.test import Client

    from cases.demo import DEMO_PASSWORD
    from cases.models import Case
    from workflow.vocabulary import State

    total = Case.objects.count()
    year = Case.objects.aggregate(Max("year"))["year__max"]
    if not total or year is None:
        raise SystemExit("no cases: fill the database with bench/load_cases.py first")
    who = people()
    head_unit = who["unit head"].memberships.get(role="head").unit
    mine = Case.objects.filter(lead_unit=head_unit).order_by("-id")
    case = mine.filter(state=State.HANDLING).first() or mine.first() or Case.objects.last()
    assert case is not None
    load = os.getloadavg()[0]
    where = args.url or f"in-process, {vendor} {connection.settings_dict['NAME']}"
    print(f"{where}; {total:,} cases, year {year}; load average {load:.1f}")
    print(f"median and p95 of {args.repeat} after {args.warmup} warm-ups")
    print(f"{'who':<12} {'page':<22} {'median ms':>10} {'p95 ms':>9} {'queries':>8}")

    clients: dict[str, Callable[[str], Any]] = {}

    def fetcher(role: str) -> Callable[[str], Any]:
        if role in clients:
            return clients[role]
        user = who.get(role)
        if args.url:
            session = HttpSession(args.url, user.username if user else None,
                                  args.password or DEMO_PASSWORD)  # fmt: skip
            clients[role] = session.get
        else:
            client = Client()
            if user is not None:
                client.force_login(user)

            def get(path: str, client: Client = client) -> Any:
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"{role} {path}: {response.status_code}")
                return response

            clients[role] = get
        return clients[role]

    rows = pages(year, head_unit.code, case.pk)
    for role, label, url in rows:
        if args.only and args.only not in label:
            continue
        fetch = fetcher(role)
        queries = ""
        if not args.url:
            captured: list[tuple[float, str]] = []

            def record(execute, sql, params, many, context, captured=captured):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    captured.append((time.perf_counter() - start, sql))

            fetch(url)
            with connection.execute_wrapper(record):
                fetch(url)
            queries = str(len(captured))
        times = sample(
            lambda fetch=fetch, url=url: fetch(url), warmup=args.warmup, repeat=args.repeat
        )
        median, p95 = median_p95(times)
        print(f"{role:<12} {pad(label, 22)} {median * 1000:10.1f} {p95 * 1000:9.1f} {queries:>8}")
        if args.queries and not args.url:
            for seconds, sql in sorted(captured, reverse=True)[:4]:
                print(f"{'':<12} {seconds * 1000:7.1f} ms  {sql[:300]}")

    if not args.only or "stats" in args.only:

        def stats() -> None:
            call_command("stats", "--year", str(year), stdout=StringIO())

        median, p95 = median_p95(sample(stats, warmup=args.warmup, repeat=args.repeat))
        label = f"huiyin stats {year}"
        print(f"{'command':<12} {pad(label, 22)} {median * 1000:10.1f} {p95 * 1000:9.1f}")


if __name__ == "__main__":
    main()

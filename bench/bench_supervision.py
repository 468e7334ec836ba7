"""Server time of the 督查督办 pages on a loaded database (issue 13's scale: 50,000 supervision
items beside the other cases): the median and p95 of 30 requests after 3 warm-ups, with the
number of SQL statements of one request, as bench/bench_opinions.py measures the others.

    DATABASE_URL=postgres://…/db .venv/bin/python bench/load_supervision.py --items 50000
    DATABASE_URL=postgres://…/db .venv/bin/python bench/bench_supervision.py [--period 2026-Q3]

Pages: the board (督办一览, /supervision/, when it exists), the ratings and stars of the last
full quarter (page, .xlsx, bulletin .docx), the figures themselves
(supervision.ratings.period_figures) and `huiyin stats --category supervision --period …
--json`. Target: each ≤ 0.3 s. The URLs are mounted here if huiyin/urls.py does not mount
them yet (the same views).
"""

import argparse
import os
import sys
import types
import warnings
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pages import django_on_existing_database, pad, people  # noqa: E402
from harness import median_p95, sample, time_pages  # noqa: E402

TARGET_MS = 300


def _mount() -> bool:
    """Mount the supervision statistics (and the board, when it exists) under /supervision/
    if the site does not yet; whether the board is there."""
    from importlib.util import find_spec

    from django.conf import settings
    from django.urls import NoReverseMatch, clear_url_caches, include, path, reverse

    import huiyin.urls

    extra = []
    board = find_spec("supervision.web_urls") is not None
    for module, name in (("supervision.stats_urls", "supervision_stats:stats"),
                         ("supervision.web_urls", "supervision_web:board")):  # fmt: skip
        if module == "supervision.web_urls" and not board:
            continue
        try:
            reverse(name)
        except NoReverseMatch:
            extra.append(path("supervision/", include(module)))
    if extra:
        urls = types.ModuleType("bench_supervision_urls")
        urls.urlpatterns = [*extra, *huiyin.urls.urlpatterns]  # type: ignore[attr-defined]
        sys.modules["bench_supervision_urls"] = urls
        settings.ROOT_URLCONF = "bench_supervision_urls"
        clear_url_caches()
    return board


def main() -> None:  # noqa: PLR0915
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--period", help="2026-Q3, 2026-05 or 2026 (default: the last full quarter)"
    )
    args = parser.parse_args()
    vendor = django_on_existing_database()
    from django.conf import settings

    settings.DEBUG = False
    warnings.filterwarnings("ignore", message="No directory at")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cases.models import Case
    from huiyin.periods import last_full_quarter, period_of
    from supervision.models import Supervision
    from supervision.ratings import period_figures

    items = Case.objects.filter(category="supervision").count()
    if not items:
        raise SystemExit("no supervision items: run bench/load_supervision.py first")
    board = _mount()
    period = period_of(args.period) if args.period else last_full_quarter(timezone.localdate())
    completed = Supervision.objects.filter(
        checked_on__gte=period.start, checked_on__lte=period.end
    ).count()
    who = people()
    print(f"in-process, {vendor} {connection.settings_dict['NAME']}; {items:,} supervision items "
          f"({completed:,} checked in {period.code}), {Case.objects.count():,} cases; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"median and p95 of {args.repeat} after {args.warmup} warm-ups; target ≤ {TARGET_MS} ms")
    print(f"{'who':<12} {'page':<26} {'median ms':>10} {'p95 ms':>9} {'queries':>8}")
    q = f"?period={period.code}"
    rows = []
    if board:
        rows += [("coordinator", "督办一览", "/supervision/"),
                 ("unit head", "督办一览 本处室", "/supervision/")]  # fmt: skip
    else:
        print("(the board /supervision/ does not exist yet: skipped)")
    rows += [
        ("coordinator", f"评星 {period.code}", f"/supervision/stats/{q}"),
        ("leader", f"评星 {period.code}", f"/supervision/stats/{q}"),
        ("unit head", f"评星 本处室 {period.code}", f"/supervision/stats/{q}"),
        ("coordinator", "评星 全年", f"/supervision/stats/?period={period.start.year}"),
        ("coordinator", "评分 .xlsx", f"/supervision/stats.xlsx{q}"),
        ("coordinator", "通报 .docx", f"/supervision/bulletin.docx{q}"),
    ]
    time_pages(rows, who, warmup=args.warmup, repeat=args.repeat, target_ms=TARGET_MS)

    def figures() -> None:
        period_figures(period, user=None)

    def command() -> None:
        call_command("stats", "--category", "supervision", "--period", period.code, "--json",
                     stdout=StringIO())  # fmt: skip

    for label, work in ((f"period_figures {period.code}", figures),
                        (f"huiyin stats {period.code}", command)):  # fmt: skip
        median, p95 = median_p95(sample(work, warmup=args.warmup, repeat=args.repeat))
        flag = "" if median * 1000 <= TARGET_MS else "  > target"
        print(f"{'function':<12} {pad(label, 26)} {median * 1000:10.1f} {p95 * 1000:9.1f}{flag}")


if __name__ == "__main__":
    main()

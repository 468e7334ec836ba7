"""Server time of the 群众意见建议 pages on a loaded database (issue 12's scale: 100,000
opinions beside the 议提案): the median and p95 of 30 requests after 3 warm-ups, with the
number of SQL statements of one request, as bench/bench_pages.py measures the others.

    DATABASE_URL=postgres://…/db .venv/bin/python bench/load_opinions.py --opinions 100000
    DATABASE_URL=postgres://…/db .venv/bin/python bench/bench_opinions.py

Pages: the 台账 of opinions (no other filter; one state; one unit; a word of the text), an
opinion's page, 我的待办, and the statistics of the year and of the largest campaign (page
and `huiyin stats --category public_opinion --campaign ID --json`). Target: each ≤ 0.3 s.
"""

import argparse
import os
import sys
import warnings
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pages import django_on_existing_database, pad, people  # noqa: E402
from harness import median_p95, sample, time_pages  # noqa: E402

TARGET_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    vendor = django_on_existing_database()
    from django.conf import settings

    settings.DEBUG = False
    warnings.filterwarnings("ignore", message="No directory at")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from cases.models import Case
    from opinions.models import Campaign

    opinions = Case.objects.filter(category="public_opinion")
    total = opinions.count()
    if not total:
        raise SystemExit("no opinions: run bench/load_opinions.py first")
    who = people()
    unit = who["unit head"].memberships.get(role="head").unit
    case = opinions.filter(lead_unit=unit).order_by("-id").first() or opinions.last()
    campaign = Campaign.objects.annotate(n=Count("opinions")).order_by("-n").first()
    year = opinions.order_by("-id").values_list("year", flat=True).first()
    print(f"in-process, {vendor} {connection.settings_dict['NAME']}; {total:,} opinions, "
          f"{Case.objects.count():,} cases; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"median and p95 of {args.repeat} after {args.warmup} warm-ups; target ≤ {TARGET_MS} ms")
    print(f"{'who':<12} {'page':<26} {'median ms':>10} {'p95 ms':>9} {'queries':>8}")
    base = "/cases/?category=public_opinion"
    rows = [
        ("coordinator", "台账 群众意见", base),
        ("coordinator", "台账 群众意见 办理中", f"{base}&state=handling"),
        ("coordinator", "台账 群众意见 一个处室", f"{base}&unit={unit.code}"),
        ("coordinator", "台账 群众意见 关键词", f"{base}&q=挂号"),
        ("unit head", "台账 本处室群众意见", f"{base}&unit={unit.code}"),
        ("coordinator", "意见页", f"/cases/{case.pk}/"),
        ("unit head", "意见页", f"/cases/{case.pk}/"),
        ("coordinator", "我的待办", "/"),
        ("unit head", "我的待办", "/"),
        ("coordinator", "意见统计 本年", f"/opinions/stats/?start={year}-01-01&end={year}-12-31"),
    ]
    if campaign is not None:
        rows.append(
            ("coordinator", "意见统计 征集活动", f"/opinions/stats/?campaign={campaign.pk}")
        )
    time_pages(rows, who, warmup=args.warmup, repeat=args.repeat, target_ms=TARGET_MS)
    if campaign is not None:

        def stats() -> None:
            call_command("stats", "--category", "public_opinion", "--campaign", str(campaign.pk),
                         "--json", stdout=StringIO())  # fmt: skip

        median, p95 = median_p95(sample(stats, warmup=args.warmup, repeat=args.repeat))
        label = "huiyin stats 征集活动"
        print(f"{'command':<12} {pad(label, 26)} {median * 1000:10.1f} {p95 * 1000:9.1f}")


if __name__ == "__main__":
    main()

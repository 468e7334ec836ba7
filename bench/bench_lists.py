"""Server time of the list pages on a loaded database (bench/load_lists.py: one list of
2,000 items and 10,000 measures): the median and p95 of 30 requests after 3 warm-ups, with
the number of SQL statements of one request, as bench/bench_supervision.py measures.

    DATABASE_URL=postgres://…/db .venv/bin/python bench/load_lists.py
    DATABASE_URL=postgres://…/db .venv/bin/python bench/bench_lists.py

Pages: the 挂图作战 board of the list (100 items a page with their measures, and with the
measures collapsed), the board across lists, the list page, the 主体责任清单 of a unit; for
the coordinator and a unit head.
"""

import argparse
import os
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pages import django_on_existing_database, people  # noqa: E402
from harness import time_pages  # noqa: E402

TARGET_MS = 500


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
    from django.db import connection
    from load_lists import NAME

    from lists.models import Item, Measure, RectList
    from orgs.access import standing_of
    from orgs.models import Unit

    rect_list = RectList.objects.filter(name=NAME).order_by("-pk").first()
    if rect_list is None:
        raise SystemExit("no bench list: run bench/load_lists.py first")
    items = Item.objects.filter(rect_list=rect_list).count()
    measures = Measure.objects.filter(item__rect_list=rect_list).count()
    who = people()
    unit = Unit.objects.get(pk=min(standing_of(who["unit head"]).unit_ids))
    print(f"in-process, {vendor} {connection.settings_dict['NAME']}; list {rect_list.code}: "
          f"{items:,} items, {measures:,} measures; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"median and p95 of {args.repeat} after {args.warmup} warm-ups; target ≤ {TARGET_MS} ms")
    print(f"{'who':<12} {'page':<30} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'KB':>6}")
    pk = rect_list.pk
    rows = [
        ("coordinator", "挂图作战 (100 项+举措)", f"/lists/{pk}/board/"),
        ("coordinator", "挂图作战 收起举措", f"/lists/{pk}/board/?measures=0"),
        ("coordinator", "挂图作战 第20页", f"/lists/{pk}/board/?page=20"),
        ("coordinator", "挂图作战 筛选 逾期", f"/lists/{pk}/board/?light=overdue"),
        ("coordinator", "挂图作战 全部清单", "/lists/board/"),
        ("unit head", "挂图作战 (本处室)", f"/lists/{pk}/board/"),
        ("coordinator", "清单页 (100 项)", f"/lists/{pk}/"),
        ("unit head", "清单页 (本处室)", f"/lists/{pk}/"),
        ("coordinator", "清单一览", "/lists/"),
        ("coordinator", f"主体责任清单 {unit.name}", f"/lists/duty/{unit.code}/"),
        ("unit head", f"主体责任清单 {unit.name}", f"/lists/duty/{unit.code}/"),
    ]
    time_pages(
        rows, who, warmup=args.warmup, repeat=args.repeat, target_ms=TARGET_MS, width=30, sizes=True
    )


if __name__ == "__main__":
    main()

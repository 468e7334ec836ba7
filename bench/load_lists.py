"""Fill the DATABASE_URL database with one rectification list of N items and 5 measures an
item (default 2,000 and 10,000), beside what is there (an earlier bench list is replaced;
the demo's units and users stay).

    .venv/bin/python bench/load_lists.py [--items 2000] [--measures 5] [--seed 7]

Rows are written in bulk from the models (as bench/load_supervision.py does), not through
the actions: each item a case of category list_item with its Item row, its measures spread
over the departments with deadlines across the year, a lead assignment and a co-unit
assignment for every other unit owning a measure; then cases.involvement.rebuild() so that
unit scoping works. Some items are struck off, some await 销号, some measures have begun.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NAME = "压力测试清单（挂图作战）"
CATEGORIES = ["医疗服务质量", "公共卫生服务", "健康扶贫", "履职能力", "作风建设", "基层减负"]
LEADERS = ["李建国", "王副主任", "赵副主任", "钱副主任"]
TITLES = ["急救电话接听不及时", "基层药品短缺", "预约诊疗不便", "会议文件过多", "检验结果互认不够",
          "家庭医生签约服务不实", "中医馆服务能力不足", "院前急救反应时间长"]  # fmt: skip
BATCH = 1000


def load(n_items: int, per_item: int, *, seed: int = 7, today: date | None = None) -> int:  # noqa: PLR0915
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from cases.involvement import rebuild
    from cases.models import Assignment, Case
    from lists.models import Item, ListNumber, Measure, RectList
    from orgs.models import Role, Unit, UnitKind
    from workflow.vocabulary import State

    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = date(today.year, 1, 5)
    units = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("pk"))
    if len(units) < 2:
        raise SystemExit("no departments: run `huiyin load_demo` first")
    users = get_user_model().objects
    coordinator = (
        users.filter(memberships__role=Role.COORDINATOR, is_active=True).order_by("pk").first()
    )
    if coordinator is None:
        raise SystemExit("no coordinator: run `huiyin load_demo` first")
    now = timezone.now()
    with transaction.atomic():
        old = RectList.objects.filter(name=NAME)
        Case.objects.filter(list_item__rect_list__in=old).delete()
        old.delete()
        number, _ = ListNumber.objects.get_or_create(year=start.year)
        number.last += 1
        number.save(update_fields=["last"])
        rect_list = RectList.objects.create(
            code=f"QD{start.year}-{number.last:02d}", year=start.year, name=NAME, kind="problems",
            origin="人大常委会履职测评", reports_to="市人大常委会", starts_on=start,
            ends_on=date(start.year, 12, 31), owner=coordinator, created_by=coordinator,
        )  # fmt: skip
        for first in range(0, n_items, BATCH):
            cases, items, plans = [], [], []
            for k in range(first, min(n_items, first + BATCH)):
                lead = rng.choice(units)
                deadline = start + timedelta(days=rng.randrange(60, 360))
                roll = rng.random()
                state = (
                    State.CLOSED
                    if roll < 0.15
                    else State.REVIEWING
                    if roll < 0.2
                    else State.HANDLING
                )
                started = (
                    start + timedelta(days=rng.randrange(0, 60)) if rng.random() < 0.7 else None
                )
                if started and started > today:
                    started = None
                done = min(today, started + timedelta(days=rng.randrange(20, 200))) if started and state != State.HANDLING else None  # fmt: skip
                cases.append(
                    Case(
                        category="list_item", level="municipal", year=start.year,
                        number=f"{rect_list.code}-{k + 1:04d}", title=f"{rng.choice(TITLES)}（{k + 1}）",
                        content="具体问题见清单。", mode="lead", state=state, received_on=start,
                        assigned_on=start, last_action_on=done or start, deadline=deadline,
                        lead_unit=lead, led_by=rng.choice(LEADERS), created_at=now, updated_at=now,
                    )
                )  # fmt: skip
                progress = (
                    100
                    if state != State.HANDLING
                    else (rng.randrange(0, 100, 10) if started else 0)
                )
                indicator = k % 50 == 0
                items.append(
                    dict(
                        seq=k + 1, category=rng.choice(CATEGORIES), leader_name=cases[-1].led_by,
                        progress=progress, started_on=started,
                        completed_on=done, struck_off_on=done if state == State.CLOSED else None,
                        indicator="急救电话10秒接听率" if indicator else "", indicator_unit="%" if indicator else "",
                        baseline=61 if indicator else None, target=99 if indicator else None,
                        current=rng.randrange(61, 99) if indicator else None,
                    )
                )  # fmt: skip
                plans.append((lead, deadline, state, started, progress))
            Case.objects.bulk_create(cases, batch_size=BATCH)
            made = Item.objects.bulk_create(
                [Item(case=c, rect_list=rect_list, **i) for c, i in zip(cases, items, strict=True)],
                batch_size=BATCH,
            )
            measures, assignments = [], []
            for item, (lead, deadline, state, started, progress) in zip(made, plans, strict=True):
                assignments.append(
                    Assignment(case_id=item.pk, unit=lead, kind="lead", status="accepted",
                               assigned_on=start, accepted_on=start)
                )  # fmt: skip
                owners = {lead.pk}
                for s in range(1, per_item + 1):
                    unit = lead if s == 1 else rng.choice(units)
                    if unit.pk not in owners:
                        owners.add(unit.pk)
                        assignments.append(
                            Assignment(case_id=item.pk, unit=unit, kind="co", status="accepted",
                                       assigned_on=start, accepted_on=start)
                        )  # fmt: skip
                    status = "struck_off" if state == State.CLOSED else "submitted" if state == State.REVIEWING else (
                        "in_progress" if started else "not_started")  # fmt: skip
                    measures.append(
                        Measure(
                            item=item, seq=s, text=f"第{s}项具体举措：制定方案并组织落实", unit=unit,
                            deadline=min(deadline, start + timedelta(days=rng.randrange(30, 360))),
                            status=status, percent=100 if state != State.HANDLING else progress,
                            started_on=started,
                            struck_off_on=item.struck_off_on if status == "struck_off" else None,
                            submitted_on=item.completed_on if status == "submitted" else None,
                        )
                    )  # fmt: skip
            Measure.objects.bulk_create(measures, batch_size=BATCH)
            Assignment.objects.bulk_create(assignments, batch_size=BATCH)
            print(f"  {first + len(cases):,} items", flush=True)
    rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "cases_case",
                "lists_item",
                "lists_measure",
                "cases_assignment",
                "cases_caseunit",
            ):
                cursor.execute(f"ANALYZE {table}")
    return rect_list.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--measures", type=int, default=5, help="measures per item")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    started = time.perf_counter()
    pk = load(args.items, args.measures, seed=args.seed)
    print(f"list {pk}: {args.items:,} items, {args.items * args.measures:,} measures "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()

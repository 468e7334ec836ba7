"""Add N realistic supervision items (督办事项) beside the cases already in the database named
by DATABASE_URL (the 议提案 and the opinions stay; earlier supervision items are replaced).

    .venv/bin/python bench/load_supervision.py --items 50000 [--seed 7]

A year of items from the six sources (seed 003), graded 红 10 % / 黄 25 % / 蓝 40 % / 绿 25 %,
assigned to the commission's departments with the deadline of their colour (a fifth with a
stated one), a fifth with a milestone: 70 % closed (checked and rated), 4 % awaiting the
rating, 3 % 阶段性办结, 3 % awaiting the check, 13 % in hand, 3 % assigned, 2 % waiting to be
assigned, 2 % suspended. Completion dates spread around the deadline so that every timing
occurs (提前 / 按时 / 逾期 / 部分完成), computed on the official calendar as the check does.
Rows are written in bulk from the models (bulk_create in one transaction, not the actions,
as bench/load_opinions.py does), then the units' involvement is rebuilt and the tables
analysed.
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

SOURCES = [("superior_decision", 15), ("superior_instruction", 20), ("meeting", 20),
           ("leader_instruction", 25), ("office_supervision", 10), ("public_concern", 10)]  # fmt: skip
URGENCIES = [("red", 10), ("yellow", 25), ("blue", 40), ("green", 25)]
STATES = [("closed", 70), ("replied", 4), ("partial", 3), ("reviewing", 3), ("handling", 13),
          ("assigned", 3), ("registered", 2), ("suspended", 2)]  # fmt: skip
QUALITIES = [("excellent", 30), ("good", 45), ("fair", 20), ("poor", 5)]
CHECKED = ("replied", "partial", "closed")
COMPLETED = ("reviewing", *CHECKED)
TITLES = [
    "落实120急救站点布局建设", "推进分时段预约诊疗服务", "压缩委机关会议数量", "整治形式主义官僚主义突出问题",
    "推进检验检查集中预约", "改善患者就医感受", "推进医联体预留号源", "规范基层医疗机构管理",
    "加强基层卫生人才队伍建设", "推进互联网+督查", "落实基层减负年工作安排", "完善院前医疗急救通讯系统",
]  # fmt: skip
BATCH = 5000
EARLY_WORKDAYS = 3


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huiyin.settings")
    import django

    django.setup()
    started = time.perf_counter()
    count = load(args.items, seed=args.seed)
    print(f"{count:,} supervision items in {time.perf_counter() - started:.1f} s")


def _timing(span, completed: date, deadline: date, partial: bool) -> str:  # noqa: ANN001
    """supervision.light.timing_of on a preloaded calendar (no query per item)."""
    if partial:
        return "partial"
    if completed <= deadline:
        early = span.workdays_between(completed, deadline) >= EARLY_WORKDAYS
        return "early" if early else "on_time"
    return "late"


def _clear() -> None:
    from audit.chain import replace_events
    from audit.models import AuditEvent
    from cases.models import Case
    from supervision.models import ItemNumber, NoticeNumber, Supervision

    old = Case.objects.filter(category="supervision")
    replace_events(AuditEvent.objects.filter(case__in=old))
    Supervision.objects.filter(case__in=old).delete()
    old.delete()
    ItemNumber.objects.all().delete()
    NoticeNumber.objects.all().delete()


def load(n: int, *, seed: int = 7, today: date | None = None) -> int:  # noqa: PLR0915
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from audit.models import AuditEvent
    from cases.involvement import rebuild
    from cases.models import Assignment, Case
    from orgs.models import Role, Unit, UnitKind
    from supervision.models import ItemNumber, Milestone, NoticeNumber, ProgressReport, Supervision
    from supervision.rules import DEFAULT_RULES
    from workdays.calendar import WorkdaySpan

    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = today - timedelta(days=365)
    span = WorkdaySpan(start - timedelta(days=10), today + timedelta(days=120))
    units = list(Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by("pk"))
    if len(units) < 2:
        raise SystemExit("no departments: run `huiyin load_demo` first")
    users = get_user_model().objects
    leader = users.filter(memberships__role=Role.LEADER, is_active=True).order_by("pk").first()
    coordinator = (
        users.filter(memberships__role=Role.COORDINATOR, is_active=True).order_by("pk").first()
    )
    now = timezone.now()
    numbers: dict[int, int] = {}
    notices: dict[int, int] = {}
    written = 0
    with transaction.atomic():
        _clear()
        for first in range(0, n, BATCH):
            cases, items, extra = [], [], []
            for k in range(first, min(n, first + BATCH)):
                received = start + timedelta(days=rng.randrange(366))
                recent = (today - received).days < 10
                state = (
                    rng.choice(["registered", "assigned", "handling"])
                    if recent
                    else pick(rng, STATES)
                )
                urgency = pick(rng, URGENCIES)
                unit = rng.choice(units)
                year = received.year
                numbers[year] = numbers.get(year, 0) + 1
                assigned = None
                deadline = None
                rule: dict = {}
                if state != "registered":
                    assigned = min(today, received + timedelta(days=rng.choice([0, 0, 1, 2])))
                    if rng.random() < 0.2:
                        deadline = assigned + timedelta(days=rng.randrange(10, 60))
                        rule = {"explicit": deadline.isoformat()}
                    else:
                        deadline = span.compute(DEFAULT_RULES[urgency], assigned).date
                        rule = {"rule": DEFAULT_RULES[urgency], "from": assigned.isoformat()}
                completed = checked = rated = None
                timing = quality = ""
                if state in COMPLETED and assigned and deadline:
                    length = max(1, (deadline - assigned).days)
                    completed = assigned + timedelta(days=round(length * rng.uniform(0.3, 1.35)))
                    completed = min(completed, today)
                    if state in CHECKED:
                        checked = min(today, completed + timedelta(days=rng.randrange(0, 4)))
                        timing = _timing(span, completed, deadline, state == "partial")
                    if state == "closed" and checked:
                        rated = min(today, checked + timedelta(days=rng.randrange(0, 4)))
                        quality = pick(rng, QUALITIES)
                notice = None
                if assigned is not None:
                    notices[assigned.year] = notices.get(assigned.year, 0) + 1
                    notice = notices[assigned.year]
                progress = 100 if completed else (rng.randrange(0, 90, 10) if assigned else 0)
                title = rng.choice(TITLES)
                case = Case(
                    category="supervision", level="municipal", year=year,
                    number=f"DB{year}-{numbers[year]:04d}", title=f"{title}（{k}）",
                    content=f"督办事项：{title}。", mode="lead", state=state,
                    received_on=received, assigned_on=assigned, deadline=deadline,
                    deadline_rule=rule, explicit_deadline=deadline if "explicit" in rule else None,
                    last_action_on=rated or checked or completed or assigned or received,
                    lead_unit=unit if assigned else None, leader_in_charge=leader if assigned else None,
                    replied_on=completed, feedback_result=quality, is_key=urgency == "red",
                    created_at=now, updated_at=now,
                )  # fmt: skip
                cases.append(case)
                items.append(
                    dict(
                        source=pick(rng, SOURCES), urgency=urgency, notice_number=notice,
                        document_number=f"督〔{year}〕{numbers[year]}号" if rng.random() < 0.5 else "",
                        instruction="请抓紧落实，按期反馈。" if rng.random() < 0.4 else "",
                        progress_percent=progress, completed_on=completed,
                        completion_report="已按要求办结。" if completed else "",
                        partial=state == "partial", timing=timing, checked_on=checked,
                        quality=quality, rated_on=rated, rated_by=leader if rated else None,
                        suspended_on=received + timedelta(days=3) if state == "suspended" else None,
                    )
                )  # fmt: skip
                extra.append((assigned, unit, deadline, completed))
            Case.objects.bulk_create(cases, batch_size=1000)
            Supervision.objects.bulk_create(
                [Supervision(case=c, **i) for c, i in zip(cases, items, strict=True)],
                batch_size=1000,
            )
            assignments, milestones, reports = [], [], []
            for c, (assigned, unit, deadline, completed) in zip(cases, extra, strict=True):
                if assigned is None or deadline is None:
                    continue
                pending = c.state == "assigned"
                assignments.append(
                    Assignment(
                        case=c, unit=unit, kind="lead", assigned_on=assigned,
                        status="pending" if pending else "accepted",
                        accepted_on=None if pending else assigned,
                    )
                )  # fmt: skip
                if rng.random() < 0.1:
                    co = rng.choice([u for u in units if u.pk != unit.pk])
                    assignments.append(
                        Assignment(case=c, unit=co, kind="co", assigned_on=assigned,
                                   deadline=deadline, status="accepted", accepted_on=assigned)
                    )  # fmt: skip
                if rng.random() < 0.2 and (deadline - assigned).days > 2:
                    due = assigned + (deadline - assigned) / 2
                    reached = completed if completed else (due if rng.random() < 0.5 else None)
                    if reached is not None and reached > today:
                        reached = None
                    milestones.append(
                        Milestone(case=c, title="阶段性目标", due=due, reached_on=reached)
                    )
                if not pending and rng.random() < 0.3:
                    on = min(today, assigned + timedelta(days=1))
                    reports.append(
                        ProgressReport(case=c, on=on, text="已部署落实。", percent=30, by=None)
                    )
            Assignment.objects.bulk_create(assignments, batch_size=1000)
            Milestone.objects.bulk_create(milestones, batch_size=1000)
            ProgressReport.objects.bulk_create(reports, batch_size=1000)
            AuditEvent.objects.bulk_create(
                [
                    AuditEvent(case=c, action="register", on=c.received_on, to_state="registered",
                               actor=coordinator, details={"number": c.number})
                    for c in cases
                ],
                batch_size=1000,
            )  # fmt: skip
            written += len(cases)
            print(f"  {written:,} supervision items", flush=True)
        for year, last in numbers.items():
            ItemNumber.objects.update_or_create(year=year, defaults={"last": last})
        for year, last in notices.items():
            NoticeNumber.objects.update_or_create(year=year, defaults={"last": last})
    rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "cases_case",
                "supervision_supervision",
                "supervision_milestone",
                "cases_assignment",
            ):
                cursor.execute(f"ANALYZE {table}")
    return written


if __name__ == "__main__":
    main()

"""Time the ledger import: a realistic generated .xlsx, planned then applied.

.venv/bin/python bench/bench_import.py [--rows 20000]
DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin .venv/bin/python bench/bench_import.py

Runs on a throwaway database (harness.setup_django): a temporary SQLite file, or a
PostgreSQL database `huiyin_bench` created for the run and dropped after.
"""

import argparse
import io
import random
from datetime import date, timedelta

from harness import setup_django, timed

HEADER = [
    "序号",
    "类别",
    "级别",
    "交办机关",
    "年度",
    "届次",
    "编号",
    "标题",
    "领衔人",
    "联名人",
    "代表团/界别",
    "党派",
    "内容",
    "主题",
    "办理方式",
    "主办单位",
    "承办处室",
    "协办处室",
    "领办领导",
    "是否重点",
    "交办日期",
    "办理期限",
    "答复日期",
    "答复类别",
    "满意度",
    "状态",
]
TOPICS = [
    "基层卫生",
    "医疗服务",
    "中医药",
    "疾病防控",
    "托育服务",
    "医养结合",
    "数字化建设",
    "人才队伍",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力"
DEPARTMENTS = [f"第{i}处" for i in range(1, 13)]
OUTSIDE = ["市发改委", "市财政局", "市教育局", "市人社局", "市医保局", "市民政局"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)])


def _as_written(rng: random.Random, day: date):
    """Dates the way real ledgers hold them: Excel dates mostly, text sometimes."""
    style = rng.random()
    if style < 0.6:
        return day
    if style < 0.8:
        return f"{day.year}年{day.month}月{day.day}日"
    if style < 0.9:
        return f"{day.year}-{day.month}-{day.day}"
    return day.strftime("%Y.%m.%d")


def ledger(rows: int, seed: int = 11) -> bytes:
    from openpyxl import Workbook

    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("台账")
    sheet.append(["议提案办理台账（基准测试）"])
    sheet.append(HEADER)
    people = [_name(rng) for _ in range(3000)]
    # A person's delegation and party are the person's: the same on every row.
    attributes = {
        p: (
            rng.choice(["城关区代表团", "高新区代表团", "医药卫生界", ""]),
            rng.choice(["", "", "民盟", "九三学社", "农工党"]),
        )
        for p in people
    }
    for i in range(rows):
        year = 2025 if i % 2 else 2026
        npc = i % 3 != 0
        mode = rng.choice(["主办"] * 6 + ["承办", "分办", "会办"])
        state = rng.choice(["closed"] * 7 + ["replied", "handling", "assigned", "registered"])
        assigned = date(year, 2, 15) + timedelta(days=rng.randint(0, 40))
        if year == 2026 and state != "registered":
            assigned = min(assigned, date(2026, 9, 1))
        replied = assigned + timedelta(days=rng.randint(20, 110))
        lead_unit = rng.choice(DEPARTMENTS)
        co = rng.sample(
            [d for d in DEPARTMENTS if d != lead_unit] + OUTSIDE, rng.choice([0, 0, 1, 2])
        )
        is_co = mode == "会办"
        row = {
            "序号": i + 1,
            "类别": rng.choice(["人大代表建议", "代表建议"])
            if npc
            else rng.choice(["政协提案", "政协委员提案"]),
            "级别": rng.choice(["市级"] * 6 + ["省级", "县级"]),
            "交办机关": "",
            "年度": year if rng.random() < 0.7 else f"{year}年",
            "届次": "市十五届人大五次会议" if npc else "市十届政协五次会议",
            "编号": f"{year}{i:06d}",
            "标题": f"关于加强第{i}项卫生健康工作的{'建议' if npc else '提案'}",
            "领衔人": (lead := rng.choice(people)),
            "联名人": "、".join(rng.sample(people, rng.choice([0, 1, 2, 3, 4]))),
            "代表团/界别": attributes[lead][0],
            "党派": attributes[lead][1],
            "内容": "建议加大投入，完善机制。\n一是……二是……" if i % 4 == 0 else "",
            "主题": "、".join(rng.sample(TOPICS, rng.choice([1, 1, 2]))),
            "办理方式": mode,
            "主办单位": rng.choice(OUTSIDE) if is_co else "",
            "承办处室": "",
            "协办处室": "",
            "领办领导": "王副主任" if i % 40 == 0 else "",
            "是否重点": "是" if i % 20 == 0 else "",
            "交办日期": "",
            "办理期限": "",
            "答复日期": "",
            "答复类别": "",
            "满意度": "",
            "状态": "",
        }
        if state != "registered":
            row |= {
                "承办处室": lead_unit,
                "协办处室": "、".join(co),
                "交办日期": _as_written(rng, assigned),
            }
            if i % 10 == 0:
                row["办理期限"] = _as_written(rng, assigned + timedelta(days=60))
        if state in ("replied", "closed"):
            row["答复日期"] = _as_written(rng, replied)
            if not is_co:
                row["答复类别"] = rng.choice(["A", "A类", "a", "B", "B类", "C", "D"])
        if state == "closed" and not is_co:
            row["满意度"] = rng.choice(["满意"] * 8 + ["基本满意", "不满意"])
        if state == "handling":
            row["状态"] = "办理中"
        if state == "replied" and not is_co:
            row["状态"] = "已答复"
        sheet.append([row[h] for h in HEADER])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    vendor = setup_django()
    from django.conf import settings

    # The harness runs with HUIYIN_DEBUG=1; production does not, and Django's debug
    # cursor (which logs and quotes every query's parameters) would dominate the timing.
    settings.DEBUG = False
    from seeding import seed_people

    from cases.models import Assignment, Case, Feedback, Reply
    from orgs.models import Unit, UnitKind
    from transfer.planning import apply_import, plan_import

    print(f"database: {vendor}, rows: {args.rows}")
    _, _, people = seed_people()
    for name in OUTSIDE:
        Unit.objects.create(code=f"out-{OUTSIDE.index(name)}", name=name, kind=UnitKind.EXTERNAL)
    coordinator = people["coordinator"]
    with timed("generate .xlsx"):
        data = ledger(args.rows)
    print(f"{'file size':<48} {len(data) / 1024 / 1024:9.1f} MB")
    results: dict[str, float] = {}
    with timed("plan_import (read, clean, check)", results):
        plan = plan_import(data, "bench.xlsx", user=coordinator)
    assert not plan.has_errors, [str(e) for e in plan.errors[:5]]
    with timed("apply_import (bulk write, one transaction)", results):
        summary = apply_import(plan, user=coordinator, source_name="bench.xlsx")
    print(summary)
    print(
        f"cases {Case.objects.count()}, assignments {Assignment.objects.count()}, "
        f"replies {Reply.objects.count()}, feedbacks {Feedback.objects.count()}"
    )
    with timed("plan_import again (all unchanged)", results):
        again = plan_import(data, "bench.xlsx", user=coordinator)
    assert again.count("unchanged") == args.rows
    total = (
        results["plan_import (read, clean, check)"]
        + results["apply_import (bulk write, one transaction)"]
    )
    print(f"{'plan':<48} {args.rows / results['plan_import (read, clean, check)']:9.0f} rows/s")
    print(
        f"{'apply':<48} {args.rows / results['apply_import (bulk write, one transaction)']:9.0f} rows/s"
    )
    print(f"{'plan + apply':<48} {args.rows / total:9.0f} rows/s ({total:.1f} s)")


if __name__ == "__main__":
    main()

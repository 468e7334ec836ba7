"""The 督查督办 ratings as .xlsx: the page's figures (supervision.ratings), one sheet per
table — 总体, 各单位评分, 评星, 按来源, 按紧急程度, 按状态 — each rate as its percentage with
the counts beside it, each unit's sub-scores with the working of its composite, and the
weights and the rules on the sheet, so that the workbook can be checked by hand."""

import io
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from letters.setup import commission_name
from opinions.export import _Table as Table  # the statistics' sheet layout, shared
from supervision.ratings import (
    QUALITIES,
    QUALITY_LABELS,
    TIMING_LABELS,
    TIMINGS,
)
from supervision.weights import PART_LABELS, PARTS


def _rate(value: dict[str, Any] | None) -> float | str:
    return "" if not value or value["rate"] is None else value["rate"]


def _fraction(value: dict[str, Any]) -> str:
    return f"{value['numerator']}/{value['denominator']}"


def _score(value: float | None) -> float | str:
    return "" if value is None else value


def _heading(f: dict[str, Any], what: str) -> str:
    return f"{commission_name()}督查督办{what}（{f['label']}）"


def _overall(sheet: Worksheet, f: dict[str, Any]) -> None:
    table = Table(
        sheet, _heading(f, "统计"), [("项目", 36), ("数值", 12), ("分子/分母", 12), ("说明", 60)]
    )
    as_of = f["as_of"]
    for label, value, note in (
        ("新登记督办事项", f["received"], "登记（收到）日期在期间内的，按目前的办理状态计"),
        ("其中尚未交办", f["unassigned"], ""),
        ("经核查办结", f["completed"], "办结报告在期间内经核查通过的（含阶段性办结）"),
        ("已销号", f["closed"], "经核查办结、分管领导已评价的"),
        ("待质量评价或阶段性办结", f["awaiting_rating"], ""),
        (f"逾期未办结（截至{as_of}）", f["overdue_open"], "待交办、已交办、办理中且已过办理期限的"),
    ):
        table.add([label, value, "", note])
    for timing in TIMINGS:
        table.add([f"完成时效：{TIMING_LABELS[timing]}", f["timing"][timing], "", ""])
    for quality in QUALITIES:
        table.add([f"办理质量：{QUALITY_LABELS[quality]}", f["quality"][quality], "", ""])
    table.add(["办理质量：待评价", f["quality"]["unrated"], "", ""])
    table.add(
        ["按时办结率", _rate(f["rates"]["on_time"]), _fraction(f["rates"]["on_time"]),
         "（提前完成 + 按时完成）÷ 经核查办结"],
        rates=(1,), bold=True,
    )  # fmt: skip
    table.add(
        ["提前办结率", _rate(f["rates"]["early"]), _fraction(f["rates"]["early"]),
         "提前完成 ÷ 经核查办结"],
        rates=(1,), bold=True,
    )  # fmt: skip
    table.add(
        ["平均质量得分", _score(f["average_quality"]), "", "优秀100、良好80、一般60、差0的平均"],
        bold=True,
    )
    table.note(
        "统计口径：办结、时效、质量为期间内经核查办结的督办事项，按今天的办理状态计数；比率为空表示分母为0。"
    )


UNIT_COLUMNS = [
    ("承办单位", 20),
    ("新登记", 8),
    ("办结", 7),
    ("销号", 7),
    *[(TIMING_LABELS[c], 9) for c in TIMINGS],
    *[(QUALITY_LABELS[c], 7) for c in QUALITIES],
    ("待评价", 7),
    ("按时办结率", 11),
    ("逾期未办结", 10),
    *[(f"{PART_LABELS[p]}得分", 10) for p in PARTS],
    ("综合得分", 10),
    ("综合得分计算", 34),
    ("获评", 24),
]


def _units(sheet: Worksheet, f: dict[str, Any]) -> None:
    table = Table(sheet, _heading(f, "各承办单位评分"), UNIT_COLUMNS)
    for u in f["by_unit"]:
        s = u["scores"]
        table.add(
            [
                u["name"], u["received"], u["completed"], u["closed"],
                *[u["timing"][c] for c in TIMINGS],
                *[u["quality"][c] for c in QUALITIES],
                u["quality"]["unrated"],
                _rate(u["rates"]["on_time"]),
                u["overdue_open"],
                *[_score(s[p]) for p in PARTS],
                s["composite"],
                s["working"],
                "、".join(u["stars"]),
            ],
            rates=(14,),
        )  # fmt: skip
    rules = f["scoring"]["rules"]
    table.note("；".join(rules[k] for k in ("quantity", "quality", "efficiency", "composite")))
    table.note(rules["rounding"] + "。综合得分计算列依次为数量、质量、效率得分乘以各自权重。")


def _stars(sheet: Worksheet, f: dict[str, Any]) -> None:
    table = Table(
        sheet,
        _heading(f, "评星结果"),
        [("星", 12), ("获评单位", 40), ("评选条件", 44), ("说明", 36)],
    )
    for star in f["stars"]:
        winners = "、".join(f"{w['name']}（{w['phrase']}）" for w in star["winners"]) or "空缺"
        table.add([star["label"], winners, star["rule"], star["note"]], bold=bool(star["winners"]))
    w = f["scoring"]["weights"]
    table.note(
        f"{f['scoring']['formula']}；评星最低件数{w['min_items']}件；"
        f"权重来源：{w['origin_label']}。并列的单位均授予。"
    )


def _kinds(sheet: Worksheet, f: dict[str, Any], key: str, what: str) -> None:
    table = Table(
        sheet,
        _heading(f, f"按{what}统计"),
        [(what, 34), ("新登记", 9), ("办结", 9), *[(TIMING_LABELS[c], 9) for c in TIMINGS],
         ("按时办结率", 11), ("按时/办结", 10), ("逾期未办结", 10)],
    )  # fmt: skip
    for r in f[key]:
        table.add(
            [r["label"], r["received"], r["completed"], *[r["timing"][c] for c in TIMINGS],
             _rate(r["on_time"]), _fraction(r["on_time"]), r["overdue_open"]],
            rates=(7,),
        )  # fmt: skip


def _states(sheet: Worksheet, f: dict[str, Any]) -> None:
    table = Table(sheet, _heading(f, "新登记事项的办理状态"), [("办理状态", 20), ("件数", 10)])
    for r in f["by_state"]:
        table.add([r["label"], r["received"]])
    table.add(["合计", f["received"]], bold=True)


def figures_workbook(figures: dict[str, Any]) -> bytes:
    """The workbook of supervision.ratings.supervision_figures' object."""
    workbook = Workbook()
    first = cast(Worksheet, workbook.active)
    first.title = "总体"
    _overall(first, figures)
    _units(workbook.create_sheet("各单位评分"), figures)
    _stars(workbook.create_sheet("评星"), figures)
    _kinds(workbook.create_sheet("按来源"), figures, "by_source", "来源")
    _kinds(workbook.create_sheet("按紧急程度"), figures, "by_urgency", "紧急程度")
    _states(workbook.create_sheet("按状态"), figures)
    workbook.properties.title = _heading(figures, "统计")
    workbook.properties.creator = commission_name()
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def workbook_filename(figures: dict[str, Any]) -> str:
    return f"督查督办统计_{figures['period']}.xlsx"

"""How the list items' actions read on the 办理轨迹 (workflow.tables.Wording)."""

from collections.abc import Mapping
from typing import Any

from web.timeline import iso_date

Row = tuple[str, str]


def measure(d: dict[str, Any], names: Mapping[str, str]) -> list[Row]:
    """The measure an event is about, and what the report said."""
    out: list[Row] = []
    if d.get("measure_seq"):
        out.append(("具体举措", f"第{d['measure_seq']}条"))
    if d.get("text"):
        out.append(("内容" if "unit" in d else "进展情况", str(d["text"])))
    if d.get("unit"):
        out.append(("责任处室", names.get(str(d["unit"]), str(d["unit"]))))
    if d.get("deadline"):
        out.append(("完成时限", iso_date(d["deadline"])))
    if d.get("percent") is not None:
        out.append(("完成进度", f"{d['percent']}%"))
    if d.get("value"):
        out.append(("指标当前值", str(d["value"])))
    if d.get("progress") is not None:
        out.append(("事项进度", f"{d['progress']}%"))
    return out


def changes(d: dict[str, Any], names: Mapping[str, str]) -> list[Row]:
    out = measure({k: v for k, v in d.items() if k == "measure_seq"}, names)
    labels = {"text": "内容", "unit": "责任处室", "deadline": "完成时限", "handler": "经办人",
              "weight": "权重", "title": "事项", "content": "具体内容", "leader_name": "责任领导",
              "category": "类别"}  # fmt: skip
    for name, pair in (d.get("changes") or {}).items():
        if isinstance(pair, list) and len(pair) == 2:
            old, new = (names.get(str(v), str(v)) if v not in (None, "") else "—" for v in pair)
            out.append((labels.get(name, name), f"{old} → {new}"))
    return out


def listed(d: dict[str, Any], names: Mapping[str, str]) -> list[Row]:
    return [("清单事项", str(d.get("item_number", "")))] if d.get("item_number") else []

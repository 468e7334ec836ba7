"""How the 群众意见建议 actions read on the 办理轨迹 (workflow.tables.Wording)."""

from collections.abc import Mapping
from typing import Any

from opinions.models import Area, Result

Rows = list[tuple[str, str]]


def forwarded(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    if not d.get("lead_unit"):
        return []
    out = [("承办单位", names.get(d["lead_unit"], d["lead_unit"]))]
    if d.get("co_units"):
        out.append(("协办单位", "、".join(names.get(c, c) for c in d["co_units"])))
    if d.get("late"):
        out.append(("转办", "超时（应于收到当日转办）"))
    return out


def answered(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    out = []
    if d.get("outcome") in Result.values:
        out.append(("办理结果", str(Result(d["outcome"]).label)))
    if d.get("late"):
        out.append(("答复", "超过答复期限"))
    return out


def called_back(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    if d.get("reached") is False:
        return [("回访", "未联系上")]
    return [("评价方式", "反映人通过查询链接评价")] if d.get("by_requester") else []


def area(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    if d.get("area") not in Area.values:
        return []
    return [("领域", str(Area(d["area"]).label))]


def merged(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    return [("并入", str(d.get("into_number", "")))] if d.get("into_number") else []

"""The drafted sentences of a list's reports, from lists.stats' figures: the 整改情况报告's
summary (also shown on the report page), and the bulletin's. The office edits them in the
.docx; here they only have to be right."""

from __future__ import annotations

from datetime import date
from typing import Any

from huiyin.formats import cn_date
from lists.stats import percent


def summary_paragraph(f: dict[str, Any], what: str, on: date) -> str:
    """截至2026年11月30日，清单共列问题35项、具体举措72条，已完成整改30项，整改完成率85.7%，
    按期整改率93.3%，已销号28项，销号率80.0%；尚有5项正在整改中，其中逾期2项。"""
    head = f"截至{cn_date(on)}，清单共列{what}{f['items']}项"
    if f["measures"]:
        head += f"、具体举措{f['measures']}条"
    if not f["items"]:
        return f"截至{cn_date(on)}，清单尚未列入{what}。"
    parts = [f"已完成整改{f['items_finished']}项，整改完成率{percent(f['completion_rate'])}"]
    if f["items_finished"]:
        parts.append(f"按期整改率{percent(f['on_time_rate'])}")
    parts.append(f"已销号{f['items_struck_off']}项，销号率{percent(f['strike_off_rate'])}")
    text = head + "，" + "，".join(parts)
    if f["items_in_progress"]:
        text += f"；尚有{f['items_in_progress']}项正在整改中"
        text += f"，其中逾期{f['items_overdue']}项" if f["items_overdue"] else "，均在整改时限内"
    else:
        text += f"；所列{what}均已完成整改"
    text += "。"
    if f["measures"]:
        text += f"具体举措已销号{f['measures_struck_off']}条"
        if f["measures_submitted"]:
            text += f"、待审核销号{f['measures_submitted']}条"
        if f["measures_overdue"]:
            text += f"，逾期未完成{f['measures_overdue']}条"
        text += "。"
    if f["items_submitted"]:
        text += f"已完成整改的{what}中，{f['items_submitted']}项已申请销号、待审核。"
    return text


def overdue_units_sentence(f: dict[str, Any], what: str) -> str:
    """逾期事项涉及：医政医管处2项、基层卫生健康处1项。"""
    units = [u for u in f["by_unit"].values() if u["overdue"]]
    if not units:
        return ""
    listed = "、".join(f"{u['name']}{u['overdue']}项" for u in units)
    return f"逾期{what}的牵头处室：{listed}。"

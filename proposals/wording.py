"""How the 议提案 actions read on the 办理轨迹 (web/timeline.py renders the common rows:
decision, gates, dates, ratings, reason and comment)."""

from collections.abc import Mapping
from typing import Any

from cases.models import (
    CommitmentStatus,
    CommunicationMethod,
    CommunicationStage,
    OutcomeKind,
)
from cases.payloads import EditPayload
from web.timeline import choice_label, iso_date

Rows = list[tuple[str, str]]


def units(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    if not d.get("lead_unit"):
        return []
    out = [("主办处室", names.get(d["lead_unit"], d["lead_unit"]))]
    if d.get("co_units"):
        out.append(("协办处室", "、".join(names.get(c, c) for c in d["co_units"])))
    return out


def unit(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    return [("单位", names.get(d["unit"], d["unit"]))] if d.get("unit") else []


def communication(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    if not d.get("method"):
        return []
    stage = choice_label(CommunicationStage, d.get("stage"))
    how = f"{stage} · {choice_label(CommunicationMethod, d['method'])}"
    return [("沟通", how)]


def reply_class(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    return [("答复类别", f"{d['reply_class']}类")] if d.get("reply_class") else []


def deadline(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    if not d.get("deadline"):
        return []
    provisional = "（暂定）" if d.get("deadline_provisional") else ""
    return [("答复期限", iso_date(d["deadline"]) + provisional)]


def outcome(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    return [(choice_label(OutcomeKind, d.get("kind")), d["title"])] if d.get("title") else []


def commitment(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    """The promise named, its status before → after (the note and a 部分兑现 / 未兑现's
    reason follow as the timeline's last rows)."""
    if not isinstance(d.get("status"), list):
        return []
    old, new = (d["status"] + ["", ""])[:2]
    rows: Rows = [("承诺事项", str(d["what"]))] if d.get("what") else []
    rows.append(
        (
            "承诺事项状态",
            f"{choice_label(CommitmentStatus, old)} → {choice_label(CommitmentStatus, new)}",
        )
    )
    return rows


def edited(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    if not isinstance(d.get("diff"), dict):
        return []
    fields = EditPayload.model_fields
    titles = [(fields[k].title or k) if k in fields else k for k in d["diff"]]
    return [("修改内容", "、".join(titles))]


def handler(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    """签收 and 指定承办人: the unit, and the handler (old → new when it changed)."""
    out = unit(d, names)
    new = d.get("handler_name") or d.get("handler")
    if not new:
        return out
    old = d.get("old_handler_name") or d.get("old_handler")
    if old and old != new:
        out.append(("承办人", f"{old} → {new}"))
    else:
        out.append(("承办人", str(new)))
    return out


def urge(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    """催办: the notice's number, whom it urged, the new target date and the note."""
    out: Rows = []
    if d.get("notice"):
        out.append(("催办通知单", str(d["notice"])))
    if isinstance(d.get("recipient_names"), list):
        out.append(("催办对象", "、".join(str(n) for n in d["recipient_names"])))
    if d.get("target_on"):
        new = iso_date(d["target_on"])
        old = d.get("old_target_on")
        out.append(
            ("处室初稿期限", f"{iso_date(old)} → {new}" if old and old != d["target_on"] else new)
        )
    if d.get("urge_note"):
        out.append(("催办意见", str(d["urge_note"])))
    return out


def feedback(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    """登记评价: the new deadline of a 不满意 round. A proposer's own rating through their
    link names them as the actor (web.timeline.actor_label), not in a row here."""
    return deadline(d, names)

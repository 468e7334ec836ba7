"""The 办理轨迹: a case's audit events in words a person reads."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit.models import AuditEvent
from cases.models import (
    CommitmentStatus,
    CommunicationMethod,
    CommunicationStage,
    FeedbackRating,
    OutcomeKind,
)
from cases.payloads import EditPayload
from huiyin.formats import cn_date
from orgs.models import Unit
from workflow.tables import Workflow

# Events that are not transitions of the workflow table.
EXTRA_LABELS = {
    "register": "登记",
    "recompute_deadlines": "重算期限",
    "import": "导入",
    "attach": "添加附件",
    "remove_attachment": "删除附件",
}
GATE_LABELS = {
    "format": "答复格式",
    "policy": "政策法规",
    "content": "答复内容",
    "resolution": "解决问题",
}


@dataclass
class TimelineEntry:
    on: date
    actor: str
    label: str
    action: str
    from_label: str
    to_label: str
    details: list[tuple[str, str]] = field(default_factory=list)

    @property
    def moved(self) -> bool:
        return self.from_label != self.to_label


def action_label(workflow: Workflow, action: str) -> str:
    transition = workflow.transitions.get(action)
    if transition is not None:
        return transition.label
    return EXTRA_LABELS.get(action, action)


def _iso_date(value: Any) -> str:
    try:
        return cn_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices.choices).get(value, value))


def _details(event: AuditEvent, unit_names: dict[str, str]) -> list[tuple[str, str]]:
    d: dict[str, Any] = event.details or {}
    out: list[tuple[str, str]] = []
    if event.action in ("assign",) and d.get("lead_unit"):
        out.append(("主办处室", unit_names.get(d["lead_unit"], d["lead_unit"])))
        if d.get("co_units"):
            out.append(("协办处室", "、".join(unit_names.get(c, c) for c in d["co_units"])))
    if event.action in ("accept", "submit_opinion") and d.get("unit"):
        out.append(("单位", unit_names.get(d["unit"], d["unit"])))
    if event.action == "communicate" and d.get("method"):
        out.append(
            (
                "沟通",
                f"{_label(CommunicationStage, d.get('stage'))} · "
                f"{_label(CommunicationMethod, d['method'])}",
            )
        )
    if event.action == "submit_reply" and d.get("reply_class"):
        out.append(("答复类别", f"{d['reply_class']}类"))
    if "approved" in d:
        yes = "同意延期" if event.action == "decide_extension" else "同意"
        out.append(("结论", yes if d["approved"] else "不同意，退回修改"))
    said_by_gates = ""
    if isinstance(d.get("gates"), dict) and d["gates"]:
        failed = [GATE_LABELS.get(g, g) for g, ok in d["gates"].items() if not ok]
        out.append(("四关审核", "未通过：" + "、".join(failed) if failed else "均通过"))
    if isinstance(d.get("gate_comments"), dict):
        remarks = d["gate_comments"]
        for gate, text in remarks.items():
            out.append((f"{GATE_LABELS.get(gate, gate)}意见", str(text)))
        # A send-back whose comment is made of the failed gates' remarks says it once.
        failed_keys = [g for g, ok in (d.get("gates") or {}).items() if not ok]
        said_by_gates = "；".join(
            f"{GATE_LABELS.get(g, g)}：{remarks[g]}" for g in failed_keys if g in remarks
        )
    if d.get("until"):
        out.append(("延期至", _iso_date(d["until"])))
    if d.get("result"):
        out.append(("办理结果评价", _label(FeedbackRating, d["result"])))
    if d.get("attitude"):
        out.append(("办理态度评价", _label(FeedbackRating, d["attitude"])))
    if d.get("deadline") and event.action in ("assign", "record_feedback", "reopen"):
        provisional = "（暂定）" if d.get("deadline_provisional") else ""
        out.append(("答复期限", _iso_date(d["deadline"]) + provisional))
    if event.action == "add_outcome" and d.get("title"):
        out.append((_label(OutcomeKind, d.get("kind")), d["title"]))
    if event.action == "update_commitment" and isinstance(d.get("status"), list):
        old, new = (d["status"] + ["", ""])[:2]
        out.append(
            ("承诺事项状态", f"{_label(CommitmentStatus, old)} → {_label(CommitmentStatus, new)}")
        )
    if event.action == "edit" and isinstance(d.get("diff"), dict):
        titles = [
            (EditPayload.model_fields[k].title or k) if k in EditPayload.model_fields else k
            for k in d["diff"]
        ]
        out.append(("修改内容", "、".join(titles)))
    if d.get("without_feedback"):
        out.append(("说明", "征询意见期满未收到评价，直接办结"))
    if event.action == "import" and d.get("source"):
        row = f" 第{d['row']}行" if d.get("row") else ""
        out.append(("来源", f"{d['source']}{row}"))
    for key, label in (("reason", "理由"), ("comment", "意见"), ("note", "进展")):
        if d.get(key) and not (key == "comment" and d[key] == said_by_gates):
            out.append((label, str(d[key])))
    return out


def timeline(events: Iterable[AuditEvent], workflow: Workflow) -> list[TimelineEntry]:
    """Entries in the order they happened (the events' ids)."""
    events = list(events)
    codes: set[str] = set()
    for e in events:
        d = e.details or {}
        for key in ("lead_unit", "unit"):
            if isinstance(d.get(key), str):
                codes.add(d[key])
        if isinstance(d.get("co_units"), list):
            codes.update(c for c in d["co_units"] if isinstance(c, str))
    unit_names = (
        dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    )
    return [
        TimelineEntry(
            on=e.on,
            actor=(e.actor.get_full_name() or e.actor.username) if e.actor else "系统",
            label=action_label(workflow, e.action),
            action=e.action,
            from_label=workflow.state_label(e.from_state) if e.from_state else "",
            to_label=workflow.state_label(e.to_state) if e.to_state else "",
            details=_details(e, unit_names),
        )
        for e in events
    ]

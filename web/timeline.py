"""The 办理轨迹: a case's audit events in words a person reads."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from audit.models import AuditEvent
from cases.models import FeedbackRating
from huiyin.formats import cn_date
from orgs.models import Unit
from workflow.tables import Wording, Workflow
from workflow.vocabulary import Event


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


# Events kept in the audit trail but not shown on a case's 办理轨迹: each opening of a
# proposer's link (portal: its links panel counts them and shows the last).
NOT_ON_TIMELINE = frozenset({Event.OPEN_LINK.value})

# How events that are no spec action read (their app registers them: portal.wording).
_EVENT_WORDING: dict[str, Wording] = {}


def register_event_wording(action: str, wording: Wording) -> None:
    _EVENT_WORDING[action] = wording


def actor_label(event: AuditEvent) -> str:
    """Who did it: the user; a proposer through their link (no account); else the name the
    event kept, or 系统."""
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.username
    d = event.details if isinstance(event.details, dict) else {}
    if d.get("proposer_name") and (d.get("via") == "link" or "link" in d):
        return f"代表委员 {d['proposer_name']}（通过征询链接）"
    return event.actor_name or "系统"


def action_label(workflow: Workflow, action: str) -> str:
    spec = workflow.transitions.get(action)
    if spec is not None:
        return spec.label
    return str(dict(Event.choices).get(action, action))


def iso_date(value: Any) -> str:
    """An ISO date from an event's details as 2026年6月22日 (anything else as it is)."""
    try:
        return cn_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _details(
    event: AuditEvent, workflow: Workflow, unit_names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The event's details in words: the action's own rows (its spec's Wording), then the
    common ones (decision, gates, dates, ratings), then reason, comment and note."""
    d: dict[str, Any] = event.details or {}
    spec = workflow.transitions.get(event.action)
    words = spec.wording if spec is not None else _EVENT_WORDING.get(event.action, Wording())
    out: list[tuple[str, str]] = list(words.head(d, unit_names)) if words.head else []
    if "approved" in d:
        out.append(("结论", words.yes if d["approved"] else words.no))
    said_by_gates = ""
    gates = d.get("gates") if isinstance(d.get("gates"), dict) else {}
    if gates:
        failed = [words.labels.get(g, g) for g, ok in gates.items() if not ok]
        out.append(("四关审核", "未通过：" + "、".join(failed) if failed else "均通过"))
    if isinstance(d.get("gate_comments"), dict):
        remarks = d["gate_comments"]
        for gate, text in remarks.items():
            out.append((f"{words.labels.get(gate, gate)}意见", str(text)))
        # A send-back whose comment is made of the failed gates' remarks says it once.
        failed_keys = [g for g, ok in (gates or {}).items() if not ok]
        said_by_gates = "；".join(
            f"{words.labels.get(g, g)}：{remarks[g]}" for g in failed_keys if g in remarks
        )
    if d.get("until"):
        out.append(("延期至", iso_date(d["until"])))
    if d.get("result"):
        out.append(("办理结果评价", choice_label(FeedbackRating, d["result"])))
    if d.get("attitude"):
        out.append(("办理态度评价", choice_label(FeedbackRating, d["attitude"])))
    if words.tail:
        out.extend(words.tail(d, unit_names))
    if d.get("without_feedback"):
        out.append(("说明", "征询意见期满未收到评价，直接办结"))
    if event.action == Event.IMPORT and d.get("source"):
        row = f" 第{d['row']}行" if d.get("row") else ""
        out.append(("来源", f"{d['source']}{row}"))
    for key, label in (("reason", "理由"), ("comment", "意见"), ("note", "进展")):
        if d.get(key) and not (key == "comment" and d[key] == said_by_gates):
            out.append((label, str(d[key])))
    return out


def choice_label(choices: Any, value: Any) -> str:
    """A stored choice's label (its code when unknown); the categories' wording uses it too."""
    return str(dict(choices.choices).get(value, value))


def timeline(
    events: Iterable[AuditEvent],
    workflow: Workflow,
    *,
    known_units: Mapping[str, str] | None = None,
) -> list[TimelineEntry]:
    """Entries in the order they happened (the events' ids). `known_units` (code → name),
    the units the caller has read already, are not looked up again."""
    events = [e for e in events if e.action not in NOT_ON_TIMELINE]
    codes: set[str] = set()
    for e in events:
        d = e.details or {}
        for key in ("lead_unit", "unit"):
            if isinstance(d.get(key), str):
                codes.add(d[key])
        if isinstance(d.get("co_units"), list):
            codes.update(c for c in d["co_units"] if isinstance(c, str))
    unit_names = dict(known_units or {})
    missing = codes - unit_names.keys()
    if missing:
        unit_names.update(Unit.objects.filter(code__in=missing).values_list("code", "name"))
    return [
        TimelineEntry(
            on=e.on,
            # An account deleted since keeps the name it had (audit.models.AuditEvent).
            actor=actor_label(e),
            label=action_label(workflow, e.action),
            action=e.action,
            from_label=workflow.state_label(e.from_state) if e.from_state else "",
            to_label=workflow.state_label(e.to_state) if e.to_state else "",
            details=_details(e, workflow, unit_names),
        )
        for e in events
    ]

"""How this app's events read on the 办理轨迹 (web/timeline.py): for whom a link was issued
or revoked, what a proposer said of a communication record, and that a joint proposer's
rating does not count. The actor of a proposer's own act is named by web.timeline
(actor_label: "代表委员 <name>（通过征询链接）"); an opening of the link is not shown there
at all (NOT_ON_TIMELINE), only counted on the links panel and kept in the audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.models import CheckKind
from web.timeline import iso_date, register_event_wording
from workflow.tables import Wording
from workflow.vocabulary import Event

Rows = list[tuple[str, str]]


def _whom(d: dict[str, Any]) -> Rows:
    return [("代表委员", str(d["proposer_name"]))] if d.get("proposer_name") else []


def issued(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    rows = _whom(d)
    if d.get("expires_on"):
        rows.append(("有效期至", iso_date(d["expires_on"])))
    if d.get("replaced"):
        rows.append(("说明", "原有效链接同时作废"))
    return rows


def revoked(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    return _whom(d)


def checked(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    rows: Rows = []
    if d.get("communication_on"):
        rows.append(("沟通记录", iso_date(d["communication_on"])))
    verdict = dict(CheckKind.choices).get(str(d.get("check", "")), "")
    if verdict:
        rows.append(("确认", verdict))
    return rows


def joint_rating(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    rows: Rows = [("轮次", f"第{d['round']}轮答复")] if d.get("round") else []
    return rows


def joint_rating_tail(d: dict[str, Any], names: Mapping[str, str]) -> Rows:
    return [("统计", "不计入，供参考")]


def register() -> None:
    register_event_wording(Event.ISSUE_LINK.value, Wording(head=issued))
    register_event_wording(Event.REVOKE_LINK.value, Wording(head=revoked))
    register_event_wording(Event.CONFIRM_COMMUNICATION.value, Wording(head=checked))
    register_event_wording(
        Event.PROPOSER_RATING.value, Wording(head=joint_rating, tail=joint_rating_tail)
    )

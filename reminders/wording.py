"""What a reminder says: the subject, the plain Chinese text and the HTML of a mail about
one case, and of the daily digest. The in-app notification shows the subject and the
text; the e-mail carries both parts (notify.channels.EmailChannel)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from huiyin.formats import cn_date
from huiyin.types import User
from notify.channels import absolute_url
from orgs.models import Unit
from workflow.tables import Clock, OpenDeadline, Step

# A digest lists this many cases of a unit, then says how many more there are and links
# to the ledger (the coordinator's digest of everything overdue may name thousands).
DIGEST_UNIT_LIMIT = 20
# What a recipient is asked to do, by the role they are reminded in (reminders.people).
ASKS = {
    "handler": "请抓紧办理",
    "head": "请督促承办人抓紧办理",
    "leader": "请督促办理",
    "coordinator": "请跟踪督办",
}
LATE_ASK = "请尽快办理，并说明逾期原因"


def days_phrase(position: int) -> str:
    """剩余5个工作日 / 今天到期 / 已超期3个工作日, for a deadline `position` working days
    behind (reminders.ladder.position)."""
    if position < 0:
        return f"剩余{-position}个工作日"
    if position == 0:
        return "今天到期"
    return f"已超期{position}个工作日"


@cache
def _case_path() -> str:
    # Resolved once: a morning run links tens of thousands of cases, and reverse() costs
    # as much as rendering the mail.
    return reverse("case-detail", kwargs={"pk": 123456789}).replace("123456789", "{pk}")


def case_link(case_id: int) -> str:
    return _case_path().format(pk=case_id)


@dataclass(frozen=True)
class Item:
    """A deadline a step is due for this morning, at its position."""

    clock: Clock
    step: Step
    row: OpenDeadline
    position: int

    @property
    def phrase(self) -> str:
        return days_phrase(self.position)

    @property
    def link(self) -> str:
        return case_link(self.row.case_id)

    def line(self) -> dict[str, object]:
        """The item as the templates show it."""
        return {
            "number": self.row.number,
            "title": self.row.title,
            "clock": self.clock.label,
            "deadline": cn_date(self.row.deadline),
            "phrase": self.phrase,
            "late": self.position > 0,
            "step": self.step.label,
            "colour": self.step.colour,
            "url": absolute_url(self.link),
        }


@dataclass(frozen=True)
class Wording:
    subject: str
    text: str
    html: str


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _render(template: str, context: dict[str, object]) -> tuple[str, str]:
    context = {**context, "commission": settings.HUIYIN_COMMISSION_NAME}
    return (
        render_to_string(f"{template}.txt", context).strip() + "\n",
        render_to_string(f"{template}.html", context).strip(),
    )


def reminder(item: Item, recipient: User, role: str, unit: Unit | None) -> Wording:
    """The mail about one case."""
    line = item.line()
    ask = LATE_ASK if item.position > 0 and role in ("handler", "head") else ASKS[role]
    text, html = _render(
        item.step.template,
        {"name": _name(recipient), "item": line, "unit": unit.name if unit else "", "ask": ask},
    )
    subject = f"【催办提醒】{item.row.number} {item.row.title}：{item.clock.label}{item.phrase}"
    return Wording(subject, text, html)


@dataclass
class UnitGroup:
    name: str
    code: str
    lines: list[dict[str, object]]
    more: int  # cases of the unit beyond those listed

    @property
    def ledger(self) -> str:
        query = f"?unit={self.code}&overdue=1" if self.code else "?overdue=1"
        return absolute_url(reverse("case-list") + query)


def group_by_unit(items: Sequence[Item], units: dict[int, Unit]) -> list[UnitGroup]:
    """The items by the unit that answers for them (the units in their order, cases without
    one last), the most overdue first within a unit."""
    by_unit: dict[int | None, list[Item]] = {}
    for item in items:
        by_unit.setdefault(item.row.unit_id, []).append(item)

    def unit_order(unit_id: int | None) -> tuple[int, int, str]:
        unit = units.get(unit_id) if unit_id is not None else None
        return (1, 0, "") if unit is None else (0, unit.sort_order, unit.code)

    groups = []
    for unit_id in sorted(by_unit, key=unit_order):
        unit = units.get(unit_id) if unit_id is not None else None
        ordered = sorted(
            by_unit[unit_id], key=lambda i: (-i.position, i.row.deadline, i.row.number)
        )
        groups.append(
            UnitGroup(
                name=unit.name if unit else "未交办",
                code=unit.code if unit else "",
                lines=[i.line() for i in ordered[:DIGEST_UNIT_LIMIT]],
                more=max(0, len(ordered) - DIGEST_UNIT_LIMIT),
            )
        )
    return groups


def digest(
    items: Sequence[Item], recipient: User, units: dict[int, Unit], day: datetime.date
) -> Wording:
    """The recipient's one mail of the day: every case a digest step (or, in the quiet
    digest mode, any step) is due for, grouped by unit."""
    count = len({i.row.case_id for i in items})
    late = len({i.row.case_id for i in items if i.position > 0})
    text, html = _render(
        "reminders/email/digest",
        {
            "name": _name(recipient),
            "day": cn_date(day),
            "count": count,
            "late": late,
            "groups": group_by_unit(items, units),
        },
    )
    parts = [f"共{count}件"] + ([f"其中逾期{late}件"] if late else [])
    subject = f"【催办汇总】{cn_date(day)}：{'，'.join(parts)}"
    return Wording(subject, text, html)

"""A list with items and measures for the lists' tests (through the actions)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from lists import actions
from lists.actions import Indicator, ItemIn, MeasureIn
from reminders.tests.conftest import frozen

START = date(2026, 3, 2)  # a Monday

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "佐证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_list(cast: Any, *, on: date = START, **kw: Any) -> Any:
    with frozen(on):
        return actions.create_list(
            by=cast.coordinator, name=kw.pop("name", "履职测评问题清单"), starts_on=on,
            reports_to="市人大常委会", origin="人大常委会履职测评", **kw,
        )  # fmt: skip


def make_item(cast: Any, rect_list: Any, *, on: date = START, measures: Any = None, **kw: Any):
    if measures is None:
        measures = [
            MeasureIn("制定急救调度改造方案", cast.yizheng, date(2026, 4, 30), weight=1),
            MeasureIn("增加调度席位和人员", cast.jiceng, date(2026, 6, 30), weight=3),
        ]
    spec = ItemIn(
        title=kw.pop("title", "急救电话接听不及时"),
        lead_unit=kw.pop("lead_unit", cast.yizheng),
        deadline=kw.pop("deadline", date(2026, 6, 30)),
        category=kw.pop("category", "医疗服务质量"),
        leader_name=kw.pop("leader_name", "李主任"),
        leader=kw.pop("leader", cast.leader),
        indicator=kw.pop(
            "indicator",
            Indicator("急救电话10秒接听率", "%", baseline=61, target=99, direction="up"),
        ),
        measures=measures,
        **kw,
    )
    with frozen(on):
        return actions.add_item(rect_list, spec, by=cast.coordinator, on=on)

"""清单化管理: rectification lists (整改清单) and project ledgers (项目清单).

A `RectList` holds items; each item is a case (cases.Case, category `list_item`: its
title, description, 牵头处室 as the lead unit, 协办处室 as co-unit assignments, 完成时限 as
the deadline, and its state 整改中 → 待销号 → 已销号) with an `Item`
row beside it for what only an item has: its list, number in the list, category, the
problem's source, the quantitative target, and the progress rolled up from its measures.
A `Measure` (具体举措) is a row of its item: its owner unit, handler, deadline, weight and
status; it is acted on through its item's actions (lists/spec.py), under the item's row
lock, and its reports and evidence are on the item's trail. Written only by lists.actions.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

USER = settings.AUTH_USER_MODEL


class ListKind(models.TextChoices):
    PROBLEMS = "problems", "问题清单"
    PROJECTS = "projects", "项目清单"


class RectList(models.Model):
    """A named list: 履职测评问题清单 2026, 形式主义官僚主义专项整治, 党建工作台账 …"""

    code = models.CharField("清单编号", max_length=20, unique=True)  # QD2026-01
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("清单名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=ListKind.choices)
    origin = models.CharField("来源", max_length=200, blank=True)  # 人大常委会履职测评 …
    reports_to = models.CharField("报告对象", max_length=100, blank=True)  # 市人大常委会
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    description = models.TextField("说明", blank=True)
    # The reviewer of 销号: the owner, or one of the delegates.
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="owned_lists", verbose_name="负责人"
    )
    delegates: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        USER, blank=True, related_name="delegated_lists", verbose_name="销号审核人"
    )
    created_by = models.ForeignKey(
        USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="建立人"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "清单"
        verbose_name_plural = "清单"
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name


class ListNumber(models.Model):
    """The last list number given per year (QD2026-03), taken under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Direction(models.TextChoices):
    UP = "up", "越高越好"
    DOWN = "down", "越低越好"


class Item(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="list_item"
    )
    rect_list = models.ForeignKey(
        RectList, on_delete=models.CASCADE, related_name="items", verbose_name="清单"
    )
    seq = models.PositiveIntegerField("序号")
    category = models.CharField("类别", max_length=100, blank=True)
    source = models.TextField("问题来源", blank=True)
    leader_name = models.CharField("责任领导", max_length=100, blank=True)
    # The 协办处室 named for the item (each also holds a live co-unit assignment, as does
    # every measure's owner unit: lists.actions._hold).
    co_units: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        "orgs.Unit", blank=True, related_name="+", verbose_name="协办处室"
    )
    leader = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="责任领导（用户）",
    )  # fmt: skip
    # The quantitative target: 急救电话10秒接听率 61% → 99.19%.
    indicator = models.CharField("指标", max_length=100, blank=True)
    indicator_unit = models.CharField("计量单位", max_length=20, blank=True)
    baseline = models.DecimalField("基线值", max_digits=14, decimal_places=4, null=True, blank=True)
    target = models.DecimalField("目标值", max_digits=14, decimal_places=4, null=True, blank=True)
    current = models.DecimalField("当前值", max_digits=14, decimal_places=4, null=True, blank=True)
    direction = models.CharField(
        "方向", max_length=4, choices=Direction.choices, default=Direction.UP
    )
    # Rolled up from the measures (lists.progress), in the action's transaction.
    progress = models.PositiveSmallIntegerField("完成进度", default=0)
    started_on = models.DateField("实际开始", null=True, blank=True)
    completed_on = models.DateField("申请销号日期", null=True, blank=True)
    struck_off_on = models.DateField("销号日期", null=True, blank=True)
    # The case an item was raised from (a 不满意 proposal, an opinion pattern, a 督办件).
    linked_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT,
        related_name="list_items", verbose_name="来源办件",
    )  # fmt: skip

    class Meta:
        verbose_name = "清单事项"
        verbose_name_plural = "清单事项"
        ordering = ["rect_list", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["rect_list", "seq"], name="item_seq_unique"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="item_progress_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.rect_list_id}-{self.seq}"


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未开始"
    IN_PROGRESS = "in_progress", "推进中"
    SUBMITTED = "submitted", "待销号"
    STRUCK_OFF = "struck_off", "已销号"


OPEN_MEASURE = (MeasureStatus.NOT_STARTED, MeasureStatus.IN_PROGRESS)


class Measure(models.Model):
    """具体举措: what is done, by which unit and whom, by when; struck off against evidence."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="measures")
    seq = models.PositiveSmallIntegerField("序号")
    text = models.TextField("具体举措")
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="责任处室"
    )
    handler = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="经办人",
    )  # fmt: skip
    deadline = models.DateField("完成时限")
    weight = models.PositiveSmallIntegerField("权重", default=1)
    status = models.CharField(
        "状态", max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField("完成进度", default=0)
    started_on = models.DateField("实际开始", null=True, blank=True)
    submitted_on = models.DateField("申请销号日期", null=True, blank=True)
    struck_off_on = models.DateField("销号日期", null=True, blank=True)
    refused_reason = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = "具体举措"
        verbose_name_plural = "具体举措"
        ordering = ["item", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["item", "seq"], name="measure_seq_unique"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="measure_percent_le_100"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="measure_weight_positive"),
        ]
        indexes = [
            # A unit's open measures, nearest deadline first (主体责任清单, 待办, reminders).
            models.Index(
                fields=["unit", "deadline"],
                condition=Q(status__in=["not_started", "in_progress"]),
                name="measure_open_by_unit",
            ),
            models.Index(
                fields=["deadline"],
                condition=Q(status__in=["not_started", "in_progress"]),
                name="measure_open_by_deadline",
            ),
            models.Index(
                fields=["item"], condition=Q(status="submitted"), name="measure_submitted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}.{self.seq}"


class Progress(models.Model):
    """进展反馈 of a measure (or of the item as a whole): text, percent, the indicator."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reports")
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    on = models.DateField("反馈日期")
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("完成进度", null=True, blank=True)
    value = models.DecimalField(
        "指标当前值", max_digits=14, decimal_places=4, null=True, blank=True
    )
    by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "进展反馈"
        verbose_name_plural = "进展反馈"
        ordering = ["item", "on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.text[:20]}"


class Evidence(models.Model):
    """佐证材料: an attachment of the item's case, for one measure or the item as a whole."""

    attachment = models.OneToOneField(
        "attachments.Attachment", on_delete=models.CASCADE, primary_key=True,
        related_name="evidence",
    )  # fmt: skip
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    def __str__(self) -> str:
        return str(self.attachment_id)

"""What happens to a case while it is handled: assignments, talks, replies, ratings."""

from django.conf import settings
from django.db import models

from cases.models.case import Case
from cases.models.choices import (
    AssignmentKind,
    AssignmentStatus,
    CommitmentStatus,
    CommunicationMethod,
    CommunicationStage,
    FeedbackRating,
    OutcomeKind,
    ReplyClass,
    ReplyStatus,
)

USER = settings.AUTH_USER_MODEL


class Assignment(models.Model):
    """One unit's part in a case (五定: unit, handler, deadline)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField("类型", max_length=10, choices=AssignmentKind.choices)
    status = models.CharField(
        "状态", max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    assigned_on = models.DateField("交办日期")
    deadline = models.DateField("期限")
    deadline_provisional = models.BooleanField(default=False)
    deadline_rule = models.JSONField(default=dict, blank=True)
    handler = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="承办人",
    )
    accepted_on = models.DateField("签收日期", null=True, blank=True)
    returned_on = models.DateField("退回日期", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    opinion = models.TextField("会办意见", blank=True)
    opinion_on = models.DateField("意见日期", null=True, blank=True)

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["case", "kind", "id"]
        indexes = [models.Index(fields=["unit", "status"])]
        constraints = [
            # At most one live lead unit per case.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(kind="lead", status__in=["pending", "accepted"]),
                name="assignment_one_live_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()}"


class Communication(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="communications")
    round = models.PositiveSmallIntegerField("轮次")
    stage = models.CharField("阶段", max_length=10, choices=CommunicationStage.choices)
    method = models.CharField("方式", max_length=20, choices=CommunicationMethod.choices)
    on = models.DateField("日期")
    participants = models.CharField("参加人员", max_length=300, blank=True)
    summary = models.TextField("情况")
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "沟通记录"
        verbose_name_plural = "沟通记录"
        ordering = ["case", "on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_method_display()}"


class Reply(models.Model):
    """A reply draft of one round; sent-back drafts stay as history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    round = models.PositiveSmallIntegerField("轮次")
    text = models.TextField("答复内容")
    reply_class = models.CharField("答复类别", max_length=1, choices=ReplyClass.choices, blank=True)
    contact = models.CharField("联系人", max_length=50)
    phone = models.CharField("联系电话", max_length=40)
    status = models.CharField("状态", max_length=20, choices=ReplyStatus.choices)
    submitted_on = models.DateField("提交日期")
    submitted_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    review = models.JSONField("审核意见", default=dict, blank=True)
    signed_on = models.DateField("签发日期", null=True, blank=True)
    signed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["case", "round", "id"]

    def __str__(self) -> str:
        return f"第{self.round}轮答复（{self.get_status_display()}）"


class Commitment(models.Model):
    """What a B/C reply promised, tracked to fulfilment after the case closes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="commitments")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="commitments")
    what = models.CharField("承诺事项", max_length=300)
    due = models.DateField("承诺完成时间")
    status = models.CharField(
        "状态", max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    note = models.TextField("进展", blank=True)
    updated_on = models.DateField("更新日期", null=True, blank=True)

    class Meta:
        verbose_name = "承诺事项"
        verbose_name_plural = "承诺事项"
        ordering = ["case", "due", "id"]

    def __str__(self) -> str:
        return self.what


class Feedback(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedbacks")
    round = models.PositiveSmallIntegerField("轮次")
    result = models.CharField("办理结果评价", max_length=30, choices=FeedbackRating.choices)
    attitude = models.CharField(
        "办理态度评价", max_length=30, choices=FeedbackRating.choices, blank=True
    )
    comment = models.TextField("意见", blank=True)
    on = models.DateField("评价日期")
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["case", "round", "id"]

    def __str__(self) -> str:
        return f"第{self.round}轮评价：{self.get_result_display()}"


class Outcome(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField("类型", max_length=20, choices=OutcomeKind.choices)
    title = models.CharField("名称", max_length=300)
    on = models.DateField("日期")

    class Meta:
        verbose_name = "成果转化"
        verbose_name_plural = "成果转化"
        ordering = ["case", "on", "id"]

    def __str__(self) -> str:
        return self.title


class ExtensionRequest(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extension_requests")
    until = models.DateField("延期至")
    reason = models.TextField("理由")
    requested_on = models.DateField("申请日期")
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField("批准", null=True)
    comment = models.TextField("审批意见", blank=True)
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["case", "id"]
        # The leader's 待审批延期: the few requests not yet decided.
        indexes = [
            models.Index(
                fields=["case"], condition=models.Q(approved__isnull=True), name="extension_pending"
            )
        ]

    def __str__(self) -> str:
        return f"延期至{self.until}"

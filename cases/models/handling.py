"""What happens to a case while it is handled: assignments, talks, replies, ratings."""

from datetime import date
from typing import Any

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

# An assignment the unit still holds (cases.permissions.LIVE_ASSIGNMENT).
LIVE = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED)


class Assignment(models.Model):
    """One unit's part in a case (五定: unit, handler, deadline).

    A co-unit's opinion deadline is its own (`deadline`). The lead unit's is the case's
    reply deadline, stored once on the case: a lead assignment's `deadline` is empty, and
    `due` / `due_provisional` read whichever applies."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField("类型", max_length=10, choices=AssignmentKind.choices)
    status = models.CharField(
        "状态", max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    assigned_on = models.DateField("交办日期")
    # A co-unit's opinion deadline; empty for the lead unit (see the class's docstring).
    deadline = models.DateField("会办意见期限", null=True, blank=True)
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
        indexes = [
            models.Index(fields=["unit", "status"]),
            # A unit's live parts (whom a case is visible to, a unit's 待办): the case ids
            # are read from the index alone.
            models.Index(
                fields=["unit", "kind", "case"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="assignment_live",
            ),
            # A unit's co parts still waiting for its opinion, by their deadline (待提交会办
            # 意见): a few per unit, whatever the unit's history.
            models.Index(
                fields=["unit", "deadline", "case"],
                condition=models.Q(kind="co", status__in=["pending", "accepted"], opinion=""),
                name="assignment_opinion_due",
            ),
            # The returned assignments by case, latest first (待交办 leaves out, 被退回
            # lists, the cases a unit handed back): a handful, not a scan of every unit's.
            models.Index(
                fields=["case", "-returned_on", "-id"],
                condition=models.Q(status="returned"),
                name="assignment_returned",
            ),
        ]
        constraints = [
            # At most one live lead unit per case.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(kind="lead", status__in=["pending", "accepted"]),
                name="assignment_one_live_lead",
            ),
            # A unit holds at most one live part in a case (lead or co, never both):
            # its opinion has one place.
            models.UniqueConstraint(
                fields=["case", "unit"],
                condition=models.Q(status__in=["pending", "accepted"]),
                name="assignment_one_live_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_kind_display()}"

    @property
    def due(self) -> date | None:
        """When this unit's part is due: the case's reply deadline for the live lead
        assignment, a co-unit's own opinion deadline; none for an ended lead assignment
        (the case's deadline is no longer its)."""
        if self.kind == AssignmentKind.LEAD:
            return self.case.deadline if self.status in LIVE else None
        return self.deadline

    @property
    def due_provisional(self) -> bool:
        if self.kind == AssignmentKind.LEAD:
            return self.status in LIVE and self.case.deadline_provisional
        return self.deadline_provisional


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


# A reply draft on its way to being signed.
IN_PROGRESS = (ReplyStatus.UNIT_APPROVING, ReplyStatus.REVIEWING, ReplyStatus.SIGNING)


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
    # 发文字号 given at 签发 (letters.actions.take_number), e.g. 武卫函〔2026〕17号; empty
    # for a draft, and for a historical reply imported without one.
    doc_number = models.CharField("文号", max_length=60, blank=True)

    # Set for the case page (web.case_page): the review's gates as shown; not stored.
    review_steps: "list[dict[str, Any]]"

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["case", "round", "id"]
        constraints = [
            # One draft on its way at a time (a sent-back one is history) …
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=IN_PROGRESS),
                name="reply_one_in_progress",
            ),
            # … and one signed reply per round: the next round starts after it.
            models.UniqueConstraint(
                fields=["case", "round"],
                condition=models.Q(status=ReplyStatus.SIGNED),
                name="reply_signed_once_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.round}轮答复（{self.get_status_display()}）"


# A promise still to be kept: its deadline runs and the reminders follow it (回头看).
COMMITMENT_OPEN = (CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)


class Commitment(models.Model):
    """What a B/C reply promised, tracked to fulfilment after the case closes (回头看):
    its owner unit (the lead unit when the reply was made), its progress notes
    (`CommitmentNote`) and its fulfilment with the reason when not (fully) kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="commitments")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="commitments")
    unit = models.ForeignKey(
        "orgs.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name="责任处室",
    )
    what = models.CharField("承诺事项", max_length=300)
    due = models.DateField("承诺完成时间")
    status = models.CharField(
        "状态", max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    note = models.TextField("进展", blank=True)  # the latest progress note
    updated_on = models.DateField("更新日期", null=True, blank=True)
    # 部分兑现 / 未兑现: why; 兑现 and the two others: on which day it was judged.
    reason = models.TextField("未兑现原因", blank=True)
    settled_on = models.DateField("兑现认定日期", null=True, blank=True)

    class Meta:
        verbose_name = "承诺事项"
        verbose_name_plural = "承诺事项"
        ordering = ["case", "due", "id"]
        indexes = [
            # The promises still open, by due date (the reminders' clock, 回头看's overdue).
            models.Index(
                fields=["due", "id"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="commitment_open_due",
            ),
            models.Index(fields=["unit", "status"], name="commitment_unit_status"),
        ]

    def __str__(self) -> str:
        return self.what


class CommitmentNote(models.Model):
    """One progress note or fulfilment judgement of a promise: its history, oldest first."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="notes")
    on = models.DateField("日期")
    status = models.CharField("状态", max_length=20, choices=CommitmentStatus.choices)
    note = models.TextField("进展", blank=True)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "承诺进展"
        verbose_name_plural = "承诺进展"
        ordering = ["commitment", "on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_status_display()}"


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
    # Rated by the proposer through their link (portal): who; empty when the office
    # recorded it (recorded_by).
    proposer = models.ForeignKey(
        "cases.Proposer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="评价人",
    )

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["case", "round", "id"]
        # A round is rated once: the rating closes it or starts the next one.
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="feedback_once_per_round")
        ]

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
        # At most one request waiting for the leader per case; its index also finds the
        # leader's 待审批延期, the few requests not yet decided.
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(approved__isnull=True),
                name="extension_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"延期至{self.until}"

"""督查督办: what a supervision item (督办件) carries beside its case (cases.Case, category
`supervision`): its source and urgency, the instruction it comes from, its milestones (the
序时进度 baseline), progress reports, the completion report with its timing, and the
leader's quality rating. Written only by supervision.actions."""

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class Source(models.TextChoices):
    """Seed 003's six sources, in its order."""

    SUPERIOR_DECISION = "superior_decision", "上级重大决策部署和重要文件"
    SUPERIOR_INSTRUCTION = "superior_instruction", "上级领导批示、交办事项及建议提案"
    MEETING = "meeting", "重要会议议定事项"
    LEADER_INSTRUCTION = "leader_instruction", "委主要领导批示、交办事项"
    OFFICE_SUPERVISION = "office_supervision", "市委办、市政府办督查督办事项"
    PUBLIC_CONCERN = "public_concern", "人民群众关心的热点问题"


class Urgency(models.TextChoices):
    RED = "red", "红色（特急）"
    YELLOW = "yellow", "黄色（紧急）"
    BLUE = "blue", "蓝色（一般）"
    GREEN = "green", "绿色（常规）"


class Light(models.TextChoices):
    """The live status light: computed from the clock and the milestones (supervision.light)."""

    NONE = "none", "正常"
    BLUE = "blue", "临近期限"
    YELLOW = "yellow", "进度滞后"
    RED = "red", "已逾期"


class Timing(models.TextChoices):
    EARLY = "early", "提前完成"
    ON_TIME = "on_time", "按时完成"
    LATE = "late", "逾期完成"
    PARTIAL = "partial", "部分完成"


class Quality(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"


class Supervision(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="supervision"
    )
    source = models.CharField("来源", max_length=30, choices=Source.choices)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    document_number = models.CharField("文号", max_length=60, blank=True)
    document_date = models.DateField("来文日期", null=True, blank=True)
    instruction = models.TextField("领导批示", blank=True)
    # A 议提案 or a public opinion put under supervision (列入督办).
    linked_case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervisions",
        verbose_name="督办的办件",
    )
    # 督办单 number of its year (督〔2026〕7号), given at 交办.
    notice_number = models.PositiveIntegerField("督办单编号", null=True, blank=True)
    progress_percent = models.PositiveSmallIntegerField("进度", default=0)
    completion_report = models.TextField("办结报告", blank=True)
    completed_on = models.DateField("办结日期", null=True, blank=True)
    partial = models.BooleanField("阶段性办结", default=False)
    timing = models.CharField("完成时效", max_length=10, choices=Timing.choices, blank=True)
    checked_on = models.DateField("核查日期", null=True, blank=True)
    quality = models.CharField("办理质量", max_length=10, choices=Quality.choices, blank=True)
    quality_comment = models.TextField("质量评价意见", blank=True)
    rated_on = models.DateField("评价日期", null=True, blank=True)
    rated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    suspended_on = models.DateField("中止日期", null=True, blank=True)

    class Meta:
        verbose_name = "督办事项"
        verbose_name_plural = "督办事项"
        indexes = [
            models.Index(fields=["source", "-case"], name="supervision_source"),
            models.Index(fields=["urgency", "-case"], name="supervision_urgency"),
            models.Index(fields=["completed_on"], name="supervision_completed"),
            # The ratings of a period: the items the office checked in it.
            models.Index(fields=["checked_on"], name="supervision_checked"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="supervision_percent_le_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_urgency_display()}"


class Milestone(models.Model):
    """阶段性目标: the 序时进度 baseline; reached when a progress report says so."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("阶段性目标", max_length=200)
    due = models.DateField("完成时限")
    reached_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "阶段性目标"
        verbose_name_plural = "阶段性目标"
        ordering = ["case", "due", "id"]
        indexes = [
            models.Index(
                fields=["due", "case"],
                condition=models.Q(reached_on__isnull=True),
                name="milestone_open",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """进展反馈: what the unit reports, dated, with its percent or a milestone reached."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="progress")
    on = models.DateField("反馈日期")
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("完成进度", null=True, blank=True)
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "进展反馈"
        verbose_name_plural = "进展反馈"
        ordering = ["case", "on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.text[:20]}"


class NoticeNumber(models.Model):
    """The last 督办单 number given per year, taken under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ItemNumber(models.Model):
    """The last item number given per year (DB2026-0001), taken under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class StarWeightSetting(models.Model):
    """The stars' weights as the administrator set them in the console (one row; none: the
    settings' HUIYIN_STAR_WEIGHTS or the defaults, supervision.weights)."""

    quantity = models.DecimalField("数量权重", max_digits=5, decimal_places=4)
    quality = models.DecimalField("质量权重", max_digits=5, decimal_places=4)
    efficiency = models.DecimalField("效率权重", max_digits=5, decimal_places=4)
    min_items = models.PositiveSmallIntegerField("评星最低件数", default=3)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "督办评星权重"
        verbose_name_plural = "督办评星权重"

    def __str__(self) -> str:
        return f"{self.quantity}/{self.quality}/{self.efficiency}"

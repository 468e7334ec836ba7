"""群众意见建议: what a public opinion carries beside its case (cases.Case, category
`public_opinion`), and the campaigns (征集活动) opinions may belong to.

The case holds what every category shares (state, received_on, deadline, lead unit,
replied_on, feedback_result); `Opinion` holds the rest, one row per case, written only by
the actions in opinions.actions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from huiyin.sealed import BlindIndexField, SealedCharField
from opinions.areas import AREA_CHOICES

USER = settings.AUTH_USER_MODEL


class Channel(models.TextChoices):
    WEB = "web", "网站"
    PHONE = "phone", "电话"
    EMAIL = "email", "电子邮件"
    WECHAT = "wechat", "微信"
    APP = "app", "移动应用"
    BOOK = "book", "意见簿"
    FORWARDED = "forwarded", "转来批次"
    VISIT = "visit", "来访"


class Area(models.TextChoices):
    TALENT = AREA_CHOICES[0]
    PRIMARY = AREA_CHOICES[1]
    DIGITAL = AREA_CHOICES[2]
    SERVICE = AREA_CHOICES[3]
    MANAGEMENT = AREA_CHOICES[4]
    ENFORCEMENT = AREA_CHOICES[5]
    OTHER = AREA_CHOICES[6]


class Result(models.TextChoices):
    """The answer's class (seed 002: 2 solvable now, 1 not solvable for now, 14 needing time)."""

    SOLVABLE = "solvable", "有条件解决"
    NEEDS_TIME = "needs_time", "需要时间解决"
    NOT_SOLVABLE = "not_solvable", "暂时没有条件解决"
    UNFOUNDED = "unfounded", "不属实或无需办理"


class Campaign(models.Model):
    """征集活动 (e.g. 解放思想大讨论): a period and channels; for suggestion books, how many
    were issued and returned (seed 002: 400 issued, 353 returned)."""

    name = models.CharField("名称", max_length=100, unique=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    channels = models.JSONField("渠道", default=list, blank=True)
    books_issued = models.PositiveIntegerField("发放意见簿", null=True, blank=True)
    books_returned = models.PositiveIntegerField("收回意见簿", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "征集活动"
        verbose_name_plural = "征集活动"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(books_returned__isnull=True)
                | Q(books_issued__isnull=True)
                | Q(books_returned__lte=models.F("books_issued")),
                name="campaign_books_returned_le_issued",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Opinion(models.Model):
    """One public opinion's own facts: the channel and the person, the area, the forwarding
    target, the answer and its class, a merge. Its rating is the case's `Feedback`."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="opinion"
    )
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField("收到时间")
    requester = models.CharField("反映人", max_length=50, blank=True)  # empty: anonymous
    # SM4 at rest (huiyin.sealed); the phone is found through its blind index only.
    phone = SealedCharField("联系电话", plain_max_length=20, blank=True)
    phone_index = BlindIndexField("电话索引", source="phone")
    email = SealedCharField("电子邮箱", plain_max_length=100, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opinions",
        verbose_name="征集活动",
    )
    # The classifier's suggestion (always one of the seven codes) and, once staff confirm
    # or change it, the area; a confirmed area is training data (opinions.areas).
    suggested_area = models.CharField("建议领域", max_length=20, choices=Area.choices)
    area = models.CharField("领域", max_length=20, choices=Area.choices, blank=True)
    area_confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 签批转办: the same working day as received (the next one for a rest day).
    forward_target = models.DateField("转办目标日期")
    forwarded_on = models.DateField("转办日期", null=True, blank=True)
    result = models.CharField("办理结果", max_length=20, choices=Result.choices, blank=True)
    answer = models.TextField("答复内容", blank=True)
    fix = models.TextField("解决措施/计划", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    # A "needs time" answer stays tracked until done.
    fix_due = models.DateField("计划完成日期", null=True, blank=True)
    fix_done_on = models.DateField("完成日期", null=True, blank=True)
    merged_into = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_opinions",
        verbose_name="并入",
    )
    # The tracking code the person keeps (查询码); the private link signs it.
    code = models.CharField("查询码", max_length=16, unique=True)
    # The network address the public page saw (for abuse review and the rate limit, which
    # compares addresses and IPv6 /64 networks in the database); empty for staff entry. Not
    # sealed: a client IP, as the security trail keeps it, not the person's postal address.
    client_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "群众意见"
        verbose_name_plural = "群众意见"
        indexes = [
            models.Index(fields=["channel", "-case"], name="opinion_channel"),
            models.Index(fields=["area", "-case"], name="opinion_area"),
            models.Index(fields=["campaign", "-case"], name="opinion_campaign"),
            models.Index(
                fields=["phone_index"], condition=~Q(phone_index=""), name="opinion_phone_index"
            ),
            models.Index(fields=["received_at"], name="opinion_received_at"),
            models.Index(
                fields=["fix_due"],
                condition=Q(result="needs_time", fix_done_on__isnull=True),
                name="opinion_fix_open",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def area_or_suggested(self) -> str:
        return self.area or self.suggested_area


class OpinionNumber(models.Model):
    """The last number given per year (编号 YJ2026-000123), taken under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"

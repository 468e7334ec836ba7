"""The proposer's signed link to a case, and the ratings proposers gave through it."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Case, Communication, FeedbackRating, Proposer

USER = settings.AUTH_USER_MODEL


class ProposerLink(models.Model):
    """One proposer's way into one case, with no account: a random token handed out once
    (as a URL or a QR code), of which only the SHA-256 is kept. It expires (`expires_on`,
    the last day it works) and can be revoked; issuing a new one revokes the old."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proposer_access")
    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, related_name="+", verbose_name="代表委员"
    )
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    created_by = models.ForeignKey(
        USER, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="生成人"
    )
    created_on = models.DateField("生成日期")
    expires_on = models.DateField("有效期至")
    revoked_on = models.DateField("作废日期", null=True, blank=True)
    revoked_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uses = models.PositiveIntegerField("使用次数", default=0)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "征询链接"
        verbose_name_plural = "征询链接"
        ordering = ["case", "-id"]
        constraints = [
            # One live (not revoked) link per proposer and case.
            models.UniqueConstraint(
                fields=["case", "proposer"],
                condition=Q(revoked_on__isnull=True),
                name="proposer_link_one_live",
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposer} · {self.case_id}"

    def live_on(self, day: date) -> bool:
        return self.revoked_on is None and day <= self.expires_on


class ProposerRating(models.Model):
    """A proposer's rating through their link, counted or not: the counted one is also the
    round's `cases.Feedback` (what statistics read); a joint proposer's stays here."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="proposer_ratings")
    round = models.PositiveSmallIntegerField("轮次")
    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, related_name="+", verbose_name="评价人"
    )
    result = models.CharField("办理结果评价", max_length=30, choices=FeedbackRating.choices)
    attitude = models.CharField("办理态度评价", max_length=30, choices=FeedbackRating.choices)
    comment = models.TextField("意见", blank=True)
    on = models.DateField("评价日期")
    counted = models.BooleanField("计入统计", default=False)

    class Meta:
        verbose_name = "代表委员评价"
        verbose_name_plural = "代表委员评价"
        ordering = ["case", "round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "round", "proposer"], name="proposer_rating_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposer} 第{self.round}轮：{self.get_result_display()}"


class CheckKind(models.TextChoices):
    CONFIRMED = "confirmed", "已确认"
    CORRECTED = "corrected", "有出入"


class CommunicationCheck(models.Model):
    """One proposer's word on one communication record, through their link: confirmed
    ("办理单位已与我沟通") or corrected, with what is not right. Each proposer of a case has
    their own (a joint proposer may not have been at the talk); said again, it is replaced.
    The proposer sees only their own; the staff see everyone's on the case page."""

    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="proposer_checks"
    )
    proposer = models.ForeignKey(
        Proposer, on_delete=models.PROTECT, related_name="+", verbose_name="代表委员"
    )
    # "check" would hide Model.check(): the field is the proposer's verdict.
    verdict = models.CharField("确认", max_length=20, choices=CheckKind.choices)
    note = models.TextField("说明", blank=True)
    on = models.DateField("确认日期")

    class Meta:
        verbose_name = "沟通确认"
        verbose_name_plural = "沟通确认"
        ordering = ["communication", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["communication", "proposer"], name="communication_check_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposer} · {self.get_verdict_display()}"

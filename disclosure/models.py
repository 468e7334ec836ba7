"""公开: the disclosure decision on a signed reply (国办发〔2014〕46号) and what was
published. A case has at most one live decision; a new one withdraws the previous."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Case, Reply

USER = settings.AUTH_USER_MODEL


class DisclosureMode(models.TextChoices):
    FULL = "full", "全文公开"
    SUMMARY = "summary", "摘要公开"
    NONE = "none", "不公开"


PUBLISHED_MODES = (DisclosureMode.FULL, DisclosureMode.SUMMARY)


class Disclosure(models.Model):
    """One decision on one signed reply. `published_*` hold the text exactly as the public
    page shows it, masked when it was decided (the reply's own text is never shown)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="disclosures")
    mode = models.CharField("公开方式", max_length=10, choices=DisclosureMode.choices)
    summary = models.TextField("摘要", blank=True)
    reason = models.TextField("不公开理由", blank=True)
    published_title = models.CharField("公开标题", max_length=300, blank=True)
    published_text = models.TextField("公开内容", blank=True)
    masked_count = models.PositiveIntegerField("遮蔽处数", default=0)
    # Copied from the case and the reply for the public list's filters and order.
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("类别", max_length=30)
    replied_on = models.DateField("答复日期")
    decided_on = models.DateField("决定日期")
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField("撤回日期", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdraw_reason = models.TextField("撤回理由", blank=True)

    class Meta:
        verbose_name = "答复公开"
        verbose_name_plural = "答复公开"
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(withdrawn_on__isnull=True),
                name="disclosure_one_live_per_case",
            ),
            models.CheckConstraint(
                condition=Q(mode__in=[m.value for m in DisclosureMode]),
                name="disclosure_mode_known",
            ),
        ]
        indexes = [
            # The public list: live, published, newest reply first.
            models.Index(
                fields=["-replied_on", "-id"],
                condition=Q(withdrawn_on__isnull=True) & ~Q(mode=DisclosureMode.NONE),
                name="disclosure_public_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}：{self.get_mode_display()}"

    @property
    def live(self) -> bool:
        return self.withdrawn_on is None

    @property
    def summarised(self) -> bool:
        """摘要公开: the public sees the summary, not the reply."""
        return self.mode == DisclosureMode.SUMMARY

    @property
    def published(self) -> bool:
        return self.live and self.mode in PUBLISHED_MODES

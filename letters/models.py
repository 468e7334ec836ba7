"""The issuing organisation and its 发文登记: who signs the letters, and their numbers.

One `Organisation` row (the commission: its name on the letterhead and the signature, the
抄送 bodies, the contact defaults); one `LetterSeries` per kind of letter (its 发文机关代字);
one `LetterCounter` per kind and year (the last number given, locked while a number is
taken); one `LetterNumber` per number given (the register: a number is never given twice).
Changed only through `letters.actions`.
"""

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL

NAME_MAX = 60
CODE_MAX = 20
CONTACT_MAX = 50  # as Reply.contact
PHONE_MAX = 40  # as Reply.phone
DOC_NUMBER_MAX = 60  # as Reply.doc_number


class LetterKind(models.TextChoices):
    """The kinds of letter numbered in a sequence of their own. A new kind is one line
    here (and a 代字 in the console)."""

    REPLY = "reply", "答复函"  # the reply to a proposer, and the 会办意见 to a lead agency


class NoticeKind(models.TextChoices):
    """Internal notices numbered in a sequence of their own, whose 代字 is not set in the
    console but in letters.wording (NOTICE_CODES)."""

    URGE = "urge", "催办通知单"


# What a LetterCounter counts.
COUNTED_KINDS = [*LetterKind.choices, *NoticeKind.choices]


class Organisation(models.Model):
    """The commission that issues the letters (one row, pk 1)."""

    name = models.CharField("机关名称", max_length=NAME_MAX)
    # {category or "co": [body, …]}: the 抄送 line of a letter of that category
    # ("co": the 会办意见 to an outside lead agency).
    copy_to = models.JSONField("抄送机关", default=dict, blank=True)
    contact = models.CharField("默认联系人", max_length=CONTACT_MAX, blank=True)
    phone = models.CharField("默认联系电话", max_length=PHONE_MAX, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "发文机关"
        verbose_name_plural = "发文机关"

    def __str__(self) -> str:
        return self.name


class LetterSeries(models.Model):
    """The 发文机关代字 of one kind of letter, e.g. 武卫函."""

    kind = models.CharField("文种", max_length=20, choices=LetterKind.choices, unique=True)
    code = models.CharField("发文机关代字", max_length=CODE_MAX)

    class Meta:
        verbose_name = "发文字号"
        verbose_name_plural = "发文字号"
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.code}"


class LetterCounter(models.Model):
    """The last number given to a kind of letter in a year; its row is locked
    (select_for_update) while the next number is taken, in the signing's transaction."""

    kind = models.CharField("文种", max_length=20, choices=COUNTED_KINDS)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "发文序号"
        verbose_name_plural = "发文序号"
        ordering = ["kind", "year"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="letter_counter_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}：{self.last}"


class LetterNumber(models.Model):
    """发文登记: one row per number given. The number stays taken if its reply goes."""

    kind = models.CharField("文种", max_length=20, choices=LetterKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    code = models.CharField("发文机关代字", max_length=CODE_MAX, blank=True)
    text = models.CharField("文号", max_length=DOC_NUMBER_MAX, blank=True)
    reply = models.OneToOneField(
        "cases.Reply",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letter_number",
    )
    issued_on = models.DateField("签发日期")
    issued_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "发文登记"
        verbose_name_plural = "发文登记"
        ordering = ["kind", "year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"], name="letter_number_unique_per_year"
            )
        ]

    def __str__(self) -> str:
        return self.text or f"{self.get_kind_display()} {self.year} 第{self.number}号"


class UrgeNotice(models.Model):
    """催办通知单: one per 催办 (cases.actions.urge), numbered per year from the counter of
    NoticeKind.URGE (卫健催〔2026〕3号). It keeps what it said when it was sent — the reply
    deadline then, the new target, the people urged — so that a reprint reads the same."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="urge_notices")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    text = models.CharField("文号", max_length=DOC_NUMBER_MAX)
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="被催办处室"
    )
    # [{"username", "name", "role": "handler" | "head"}]: whom it went to.
    recipients = models.JSONField("催办对象", default=list)
    # The unit head's unit when a head urged their handler; empty when the office did.
    sender_unit = models.CharField("催办处室", max_length=100, blank=True)
    deadline = models.DateField("答复期限", null=True, blank=True)
    target_on = models.DateField("目标日期", null=True, blank=True)
    note = models.TextField("催办意见")
    issued_on = models.DateField("催办日期")
    issued_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issuer_name = models.CharField("催办人", max_length=150, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "催办通知单"
        verbose_name_plural = "催办通知单"
        ordering = ["year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="urge_notice_unique_per_year")
        ]

    def __str__(self) -> str:
        return self.text

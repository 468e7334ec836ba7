import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def stored_name(instance: "Attachment", filename: str) -> str:
    """A random name in the storage: the original one lives only in the database, so
    nothing a user typed ever becomes a path, and the stored file has no extension a
    web server could act on."""
    return f"attachments/{timezone.localdate():%Y}/{uuid.uuid4().hex}"


class AttachmentTarget(models.TextChoices):
    CASE = "case", "办件"
    REPLY = "reply", "答复"
    COMMUNICATION = "communication", "沟通记录"
    OPINION = "opinion", "会办意见"


class Attachment(models.Model):
    """A file attached to a case, or to one of its replies, communications or co-unit
    opinions (an Assignment's 会办意见)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="attachments", verbose_name="办件"
    )
    target = models.CharField(
        "关联", max_length=20, choices=AttachmentTarget.choices, default=AttachmentTarget.CASE
    )
    reply = models.ForeignKey(
        "cases.Reply", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    communication = models.ForeignKey(
        "cases.Communication",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    assignment = models.ForeignKey(
        "cases.Assignment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name="会办意见",
    )
    file = models.FileField("文件", upload_to=stored_name, max_length=200)
    filename = models.CharField("原文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    content_type = models.CharField("内容类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    # Empty: a photo the person sent with a public opinion (opinions' public page).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    # Set for the case page by attachments.queries.attachments_of; not stored.
    target_label: str
    can_remove: bool

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["case", "id"]
        constraints = [
            models.CheckConstraint(
                name="attachment_target_matches",
                condition=(
                    models.Q(
                        target="case",
                        reply__isnull=True,
                        communication__isnull=True,
                        assignment__isnull=True,
                    )
                    | models.Q(
                        target="reply",
                        reply__isnull=False,
                        communication__isnull=True,
                        assignment__isnull=True,
                    )
                    | models.Q(
                        target="communication",
                        reply__isnull=True,
                        communication__isnull=False,
                        assignment__isnull=True,
                    )
                    | models.Q(
                        target="opinion",
                        reply__isnull=True,
                        communication__isnull=True,
                        assignment__isnull=False,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return self.filename

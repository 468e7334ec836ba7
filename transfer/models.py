import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def upload_name(instance: "ImportJob", filename: str) -> str:
    """A random name in the storage; the name the user gave is kept in `filename`."""
    return f"imports/{timezone.localdate():%Y}/{uuid.uuid4().hex}"


class ImportJob(models.Model):
    """One uploaded ledger on its way in: checked (the preview), confirmed, imported.

    The file stays in Django's storage, so the confirmation plans it again instead of
    trusting anything the browser sends back. Status changes are compare-and-set
    (`transfer.jobs.claim`), so a job runs once however many workers look at it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待检查"
        CHECKING = "checking", "检查中"
        CHECKED = "checked", "待确认"
        QUEUED = "queued", "等待导入"
        RUNNING = "running", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "失败"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="导入人"
    )
    file = models.FileField("文件", upload_to=upload_name, max_length=200, blank=True)
    filename = models.CharField("原文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    create_units = models.BooleanField("自动创建未知单位", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("待写入件数", default=0)
    done = models.PositiveIntegerField("已写入件数", default=0)
    preview = models.JSONField("检查结果", default=dict, blank=True)
    summary = models.JSONField("导入结果", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("本阶段开始", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def busy(self) -> bool:
        return self.status in (
            self.Status.PENDING,
            self.Status.CHECKING,
            self.Status.QUEUED,
            self.Status.RUNNING,
        )


class ExportPreference(models.Model):
    """A user's default columns for the ledger export (导出列), in their order. Written
    only by transfer.actions.save_export_columns (audited)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_preference",
        verbose_name="用户",
    )
    columns = models.JSONField("导出列", default=list)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "导出列设置"
        verbose_name_plural = "导出列设置"

    def __str__(self) -> str:
        return f"{self.user}：{len(self.columns)}列"

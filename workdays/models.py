from django.conf import settings
from django.db import models
from django.utils import timezone


class Source(models.TextChoices):
    NOTICE = "notice", "国务院通知"
    FILE = "file", "文件导入"
    ADMIN = "admin", "管理员"


class CalendarOverride(models.Model):
    """One day whose working status is set by hand; it wins over chinesecalendar.

    `created_by` / `created_at` describe the current value: changing a day records the
    new author; the history is in the audit log.
    """

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("工作日")
    note = models.CharField("说明", max_length=200, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.ADMIN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="设置人",
    )
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "日历调整"
        verbose_name_plural = "日历调整"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'班' if self.is_workday else '休'}"


class ConfirmedYear(models.Model):
    """A year whose official calendar was imported, beyond what chinesecalendar knows."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.FILE)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="确认人",
    )
    confirmed_at = models.DateTimeField("确认时间", default=timezone.now)

    class Meta:
        verbose_name = "已确认年份"
        verbose_name_plural = "已确认年份"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年"

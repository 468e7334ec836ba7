"""Deadline rules set by an administrator (DESIGN.md §3: each configurable per category and
level). A row wins over settings.HUIYIN_DEADLINE_RULES and the defaults; see
cases.deadline_rules.rule_for."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models.choices import Category

ALL_LEVELS = "*"


class DeadlineRuleSetting(models.Model):
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    # A level of cases.models.Level, or "*" for every level without its own row.
    level = models.CharField("级别", max_length=20)
    name = models.CharField("规则", max_length=30)
    rule = models.CharField("期限", max_length=30)  # as workdays.calendar.compute reads it
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="设置人",
    )
    updated_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "期限规则设置"
        verbose_name_plural = "期限规则设置"
        ordering = ["category", "name", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "level", "name"], name="deadline_rule_setting_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.level}/{self.name}: {self.rule}"

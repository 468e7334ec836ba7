from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One row per action that changed something: who, when, what, from which state to which.

    Case actions fill `case`; actions on other objects (calendar, units, users) name
    their object in `subject`. Rows are only ever inserted.
    """

    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    subject = models.CharField("对象", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField("操作", max_length=40)
    on = models.DateField("办理日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    from_state = models.CharField("原状态", max_length=30, blank=True)
    to_state = models.CharField("新状态", max_length=30, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "id"]), models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.on} {self.action} {self.from_state}→{self.to_state}"

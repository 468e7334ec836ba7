from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

CASE_LABEL_LENGTH = 200
ACTOR_NAME_LENGTH = 150


def _describe(event: "AuditEvent") -> None:
    """Copy the names of what the event refers to into the row itself, so that the event
    still says which case and whom once the case or the user is gone (SET_NULL)."""
    case, actor = event.case, event.actor
    if case is not None and not event.case_label:
        event.case_label = f"{case.year}年 {case.number} {case.title}"[:CASE_LABEL_LENGTH]
    if actor is not None and not event.actor_name:
        event.actor_name = actor.get_username()[:ACTOR_NAME_LENGTH]


class AuditEventManager(models.Manager["AuditEvent"]):
    def bulk_create(self, objs: Iterable["AuditEvent"], *args: Any, **kwargs: Any) -> Any:
        """Insert events linked into the chain (audit.chain), ids taken under its lock."""
        from audit.chain import chain_new

        objs = list(objs)
        if not objs:
            return objs
        for event in objs:
            _describe(event)
            if event.at is None:
                event.at = timezone.now()
        with transaction.atomic(savepoint=False):
            chain_new(objs)
            return super().bulk_create(objs, *args, **kwargs)


class EventKind(models.TextChoices):
    # A write: an action on a case or on the organisation (units, users, settings). Only
    # these appear on a case's 办理轨迹.
    ACTION = "action", "操作"
    # The security trail: logins, logouts, failures, lockouts, second factor, tokens,
    # exports, downloads, reveals of personal data, refusals (audit.trail).
    SECURITY = "security", "安全"


class EventResult(models.TextChoices):
    OK = "ok", "成功"
    FAILED = "failed", "失败"
    REFUSED = "refused", "拒绝"


class AuditEvent(models.Model):
    """One row per action that changed something: who, when, what, from which state to which.

    Case actions fill `case`; actions on other objects (calendar, units, users) name
    their object in `subject`. Rows are only ever inserted, and outlive what they
    describe: `case` and `actor` are plain ids with no constraint in the database, so
    deleting a case or a user neither cascades to nor rewrites its events; `case_label` and
    `actor_name` say what and who it was. `chain` is the HMAC-SM3 of every other column and
    the previous event's chain (audit.chain); on PostgreSQL a trigger refuses UPDATE and
    DELETE of these rows.
    """

    kind = models.CharField(
        "类别", max_length=10, choices=EventKind.choices, default=EventKind.ACTION
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="events",
    )
    case_label = models.CharField("办件", max_length=CASE_LABEL_LENGTH, blank=True)
    subject = models.CharField("对象", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=ACTOR_NAME_LENGTH, blank=True)
    action = models.CharField("操作", max_length=40)
    on = models.DateField("办理日期")
    # Set before the insert (not auto_now_add) so that the chain covers the stored value.
    at = models.DateTimeField("记录时间", default=timezone.now, editable=False)
    from_state = models.CharField("原状态", max_length=30, blank=True)
    to_state = models.CharField("新状态", max_length=30, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    # The security trail's: the client's address and whether it succeeded.
    address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    result = models.CharField(
        "结果", max_length=10, choices=EventResult.choices, default=EventResult.OK
    )
    chain = models.CharField("校验链", max_length=64, blank=True, editable=False)

    objects = AuditEventManager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["id"]
        indexes = [
            models.Index(fields=["case", "id"]),
            models.Index(fields=["action", "at"]),
            models.Index(fields=["kind", "-id"], name="audit_kind_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.action} {self.from_state}→{self.to_state}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert the event, linked into the chain. An event is never changed once written."""
        from audit.chain import chain_new

        if not self._state.adding:
            raise ValueError("审计记录写入后不可修改")
        _describe(self)
        with transaction.atomic(savepoint=False):
            chain_new([self])
            kwargs["force_insert"] = True
            super().save(*args, **kwargs)


class AuditArchive(models.Model):
    """An archive of the oldest events (huiyin audit archive): the events up to `up_to_id`
    were written to `file_name` (signed) and removed; the chain of what remains starts
    from `last_chain`, the last archived event's."""

    up_to_id = models.BigIntegerField("归档至记录")
    last_chain = models.CharField("最后校验值", max_length=64)
    before = models.DateField("归档此日之前")
    count = models.PositiveIntegerField("记录数")
    file_name = models.CharField("文件", max_length=500)
    sha = models.CharField("文件SM3", max_length=64)
    at = models.DateTimeField("归档时间", default=timezone.now)
    # HMAC-SM3 (audit key) of up_to_id, last_chain, count, sha and the previous anchor's
    # signature (audit.integrity): a row inserted by hand is refused, not started from.
    signature = models.CharField("签名", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "审计归档"
        verbose_name_plural = "审计归档"
        ordering = ["up_to_id"]

    def __str__(self) -> str:
        return f"{self.before} {self.file_name}"

"""Notifications: the outbox of everything sent outside a page (`Message`), what the bell
shows (`Notification`), and each user's choice of channels (`Preference`).

DESIGN.md §8: a message is a row with a unique key written in the same transaction as the
decision to send it; the worker delivers it after commit (notify.outbox).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from workflow.vocabulary import Action

KEY_LENGTH = 200
SUBJECT_LENGTH = 200
LINK_LENGTH = 200


# The kinds of notification the code sends, with the label the list's filter shows. A new
# kind is one line here (an unlisted kind is still delivered and shown, just not offered
# as a filter).
KIND_LABELS = {
    "reminder": "到期提醒",
    "digest": "每日汇总",
    Action.URGE: "催办通知",  # the formal 催办 (cases/actions/urge.py)
}


class Status(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Message(models.Model):
    """One outgoing message on one channel: (key, channel) is sent at most once.

    `next_attempt_at` is when a worker may take it next: a worker that claims it moves it
    into the future (a lease), a failure moves it by the back-off (notify.outbox)."""

    key = models.CharField("键", max_length=KEY_LENGTH)
    channel = models.CharField("渠道", max_length=20)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notify_messages",
        verbose_name="收件人",
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="办件",
    )
    kind = models.CharField("类别", max_length=30)
    subject = models.CharField("标题", max_length=SUBJECT_LENGTH)
    text = models.TextField("正文")
    html = models.TextField("HTML 正文", blank=True)
    link = models.CharField("链接", max_length=LINK_LENGTH, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], name="notify_message_key_channel")
        ]
        indexes = [
            # The worker's question: which pending messages are due now.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="notify_message_due",
            ),
            # The admin's page of failed messages, newest first.
            models.Index(
                fields=["-id"], condition=Q(status="failed"), name="notify_message_failed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient_id}: {self.subject}"

    @property
    def channel_label(self) -> str:
        from notify.channels import channel  # the channels import the models

        found = channel(self.channel)
        return found.label if found is not None else self.channel


class Notification(models.Model):
    """What the bell counts: one per in-app message delivered (`message` is unique, so a
    delivery repeated after a crash finds the row it made the first time)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="收件人",
        db_index=False,  # the indexes below start with it
    )
    message = models.OneToOneField(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification",
        verbose_name="消息",
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="办件",
    )
    kind = models.CharField("类别", max_length=30)
    title = models.CharField("标题", max_length=SUBJECT_LENGTH)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=LINK_LENGTH, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        indexes = [
            # The bell (one user's unread, counted up to a cap) and the unread list: only
            # the unread rows, however many a user has read over the years.
            models.Index(
                fields=["recipient", "-id"],
                condition=Q(read_at__isnull=True),
                name="notify_unread",
            ),
            # The list of all of one user's notifications, newest first.
            models.Index(fields=["recipient", "-id"], name="notify_recipient_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, "通知")


class Preference(models.Model):
    """A user's own choice (/account/notifications/); a user without a row has the
    defaults (`notify.preferences.preference_for`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notify_preference",
        verbose_name="用户",
    )
    email = models.BooleanField("邮件通知", default=True)
    digest = models.BooleanField("免打扰汇总", default=False)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email} digest={self.digest}"

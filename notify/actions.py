"""The writes of notify that people make: reading their notifications, choosing their
channels, and (administrators) sending failed messages again.

Marking read is the reader's own bookkeeping, like a read flag in a mail client: it is not
audited (an event per click would bury the audit trail). A change of preferences and a
retry are audited.
"""

from django.db import transaction
from django.utils import timezone

from audit.record import record_event
from huiyin.errors import DomainError, Forbidden, NotFound
from huiyin.types import User
from notify.models import Message, Notification, Preference, Status
from notify.outbox import enqueue_delivery
from orgs.access import standing_of
from orgs.models import Role


class NotifyError(DomainError):
    code = "notify"


class NotificationNotFound(NotifyError, NotFound):
    code = "notification_not_found"


class MessageNotFound(NotifyError, NotFound):
    code = "message_not_found"


class OutboxForbidden(NotifyError, Forbidden):
    code = "outbox_forbidden"


@transaction.atomic
def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (someone else's is "not found")."""
    found = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if found is None:
        raise NotificationNotFound("没有这条通知")
    if found.read_at is None:
        found.read_at = timezone.now()
        Notification.objects.filter(pk=found.pk, read_at__isnull=True).update(read_at=found.read_at)
    return found


@transaction.atomic
def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def set_preference(user: User, *, email: bool, digest: bool) -> Preference:
    """The user's own choice of e-mail and the quiet digest; audited when it changes."""
    preference, _ = Preference.objects.select_for_update().get_or_create(user=user)
    changes = {
        name: [getattr(preference, name), value]
        for name, value in (("email", email), ("digest", digest))
        if getattr(preference, name) != value
    }
    if changes:
        for name, (_, value) in changes.items():
            setattr(preference, name, value)
        preference.save(update_fields=list(changes))
        record_event(
            actor=user,
            action="notify_preference_changed",
            subject=f"用户 {user.username}",
            details={"changes": changes},
        )
    return preference


def _check_admin(user: User) -> None:
    if not standing_of(user).has(Role.ADMIN):
        raise OutboxForbidden("只有系统管理员可以重发消息")


@transaction.atomic
def retry_failed(*, by: User, message_ids: list[int] | None = None) -> int:
    """Give failed messages a fresh set of attempts, now (all failed ones when no ids are
    named). Returns how many; the delivery starts after commit."""
    _check_admin(by)
    failed = Message.objects.filter(status=Status.FAILED)
    if message_ids is not None:
        failed = failed.filter(pk__in=message_ids)
    ids = list(failed.select_for_update().values_list("pk", flat=True))
    if message_ids and not ids:
        if not Message.objects.filter(pk__in=message_ids).exists():
            raise MessageNotFound("没有这条消息")
        raise NotifyError("这条消息已不是发送失败的状态，无需重发", code="not_failed")
    if not ids:
        return 0
    Message.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    record_event(
        actor=by,
        action="notify_retry",
        subject=f"重发 {len(ids)} 条消息",
        details={"messages": ids[:100], "count": len(ids)},
    )
    transaction.on_commit(lambda: enqueue_delivery(ids))
    return len(ids)

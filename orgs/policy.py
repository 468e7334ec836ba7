"""The account policy of 等保三级 (issue 16): a password lives HUIYIN_PASSWORD_MAX_AGE_DAYS,
an account unused for HUIYIN_INACTIVE_DAYS is disabled. Under HUIYIN_DEMO the demo's own
accounts are exempt from both (the contract).

A password's age counts from Account.password_changed_at (the user's own choice, on the
change-password page); an account that never chose one counts from its creation
(date_joined): an administrator's choice must be changed at the next login anyway, and a
password set some other way (the demo, a ledger import, `createsuperuser`) is as old as
the account. Inactivity counts from the latest of the last login, the creation and the
administrator's last reactivation (Account.reactivated_at): a new account never logged
in counts from its creation, a reactivated one gets a full period to log in.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.trail import SecurityAction, record_security_event
from huiyin.types import AnyUser, User
from orgs.access import forget_standing
from orgs.models import Account

# The 我的待办 page warns this many days before a password expires.
EXPIRY_WARNING_DAYS = 7
DAY = datetime.timedelta(days=1)


def password_expires_at(
    user: AnyUser, changed_at: datetime.datetime | None
) -> datetime.datetime | None:
    """When the user's password expires (None: never, HUIYIN_PASSWORD_MAX_AGE_DAYS = 0)."""
    days = settings.HUIYIN_PASSWORD_MAX_AGE_DAYS
    if days <= 0 or not isinstance(user, User):
        return None
    return (changed_at or user.date_joined) + days * DAY


def password_expired(
    user: AnyUser, changed_at: datetime.datetime | None, now: datetime.datetime | None = None
) -> bool:
    expires = password_expires_at(user, changed_at)
    return expires is not None and (now or timezone.now()) >= expires


def last_activity(user: User, reactivated_at: datetime.datetime | None) -> datetime.datetime:
    moments = [m for m in (user.last_login, user.date_joined, reactivated_at) if m is not None]
    return max(moments)


def inactive_cutoff(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Accounts with no activity since this moment are past the limit (None: no limit)."""
    days = settings.HUIYIN_INACTIVE_DAYS
    if days <= 0:
        return None
    return (now or timezone.now()) - days * DAY


def is_exempt(demo_password: str) -> bool:
    """A demo account under HUIYIN_DEMO (its Account.demo_password is set)."""
    return bool(settings.HUIYIN_DEMO and demo_password)


def past_inactivity_limit(user: User, now: datetime.datetime | None = None) -> bool:
    cutoff = inactive_cutoff(now)
    if cutoff is None or not user.is_active:
        return False
    row = Account.objects.filter(user=user).values("reactivated_at", "demo_password").first()
    if row is not None and is_exempt(row["demo_password"]):
        return False
    return last_activity(user, row["reactivated_at"] if row else None) < cutoff


@transaction.atomic
def disable_inactive_account(
    user: User,
    *,
    request: HttpRequest | None = None,
    source: str = "login",
    now: datetime.datetime | None = None,
) -> bool:
    """Disable `user` when past the inactivity limit (one ACCOUNT_DISABLED event); whether
    it was disabled. `source`: "login" (refused at login) or "schedule" (the daily run)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not past_inactivity_limit(user, now):
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    forget_standing(user)
    from orgs.accounts import revoke_tokens

    revoked = revoke_tokens(user)
    details: dict[str, object] = {
        "user": user.pk,
        "username": user.username,
        "reason": "inactive",
        "inactive_days": settings.HUIYIN_INACTIVE_DAYS,
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "source": source,
        "is_active": [True, False],
    }
    if revoked:
        details["tokens_revoked"] = revoked
    record_security_event(
        request,
        action=SecurityAction.ACCOUNT_DISABLED,
        actor=None if source != "login" else user,
        subject=f"用户 {user.username}",
        details=details,
    )
    return True


def disable_inactive(now: datetime.datetime | None = None) -> list[str]:
    """Disable every active account past the inactivity limit (`huiyin disable-inactive`);
    their usernames. Each is its own transaction and event."""
    cutoff = inactive_cutoff(now)
    if cutoff is None:
        return []
    candidates = (
        User.objects.filter(is_active=True, date_joined__lt=cutoff)
        .exclude(last_login__gte=cutoff)
        .exclude(account__reactivated_at__gte=cutoff)
        .order_by("username")
    )
    if settings.HUIYIN_DEMO:
        candidates = candidates.exclude(account__demo_password__gt="")
    return [
        user.username
        for user in candidates
        if disable_inactive_account(user, source="schedule", now=now)
    ]

"""Account state beyond Django's user row: the password change an administrator's choice
or the password's age imposes, the demo's accounts, API tokens that die with a password. Reads and small
helpers; the audited writes that use them are in orgs.actions."""

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from huiyin.types import AnyUser, User
from orgs.models import Account


def account_of(user: User) -> Account:
    account, _ = Account.objects.get_or_create(user=user)
    return account


def is_demo_account(user: AnyUser) -> bool:
    """An account load_demo made (whatever its password is now)."""
    if not user.pk:
        return False
    return Account.objects.filter(user_id=user.pk).exclude(demo_password="").exists()


def must_change_password(user: AnyUser) -> bool:
    """Whether the user must choose a new password before anything else: an administrator
    chose it, or it is older than HUIYIN_PASSWORD_MAX_AGE_DAYS (orgs.policy). Under the
    demo its own accounts never must."""
    return password_state(user)[0]


def password_change_reason(user: AnyUser) -> str:
    """Why the user must change the password: "expired", "set" (by an administrator) or ""."""
    must, expires = password_state(user)
    if not must:
        return ""
    return "expired" if expires is not None and timezone.now() >= expires else "set"


def password_state(user: AnyUser) -> tuple[bool, datetime.datetime | None]:
    """(must change it now, when it expires or None): one query."""
    from orgs.policy import is_exempt, password_expired, password_expires_at

    if not user.pk:
        return False, None
    found = Account.objects.filter(user_id=user.pk).values(
        "must_change_password", "demo_password", "password_changed_at"
    )
    row = next(iter(found), None)
    if row is not None and is_exempt(row["demo_password"]):
        return False, None
    changed_at = row["password_changed_at"] if row else None
    expires = password_expires_at(user, changed_at)
    if row is not None and row["must_change_password"]:
        return True, expires
    return password_expired(user, changed_at), expires


# The session of a user who must change the password first (huiyin/middleware.py), and the
# day a password expires within EXPIRY_WARNING_DAYS (the 我的待办 page's warning).
MUST_CHANGE_SESSION_KEY = "huiyin_must_change_password"
EXPIRY_SESSION_KEY = "huiyin_password_expires_on"


def note_login(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """At each login: does this session have to go to the change-password page first, or
    warn of a password about to expire? An expired password is recorded (PASSWORD_EXPIRED)."""
    from orgs.policy import EXPIRY_WARNING_DAYS

    session = getattr(request, "session", None)
    if session is None:
        return
    must, expires = password_state(user)
    session.pop(EXPIRY_SESSION_KEY, None)
    if must:
        session[MUST_CHANGE_SESSION_KEY] = True
    else:
        session.pop(MUST_CHANGE_SESSION_KEY, None)
    now = timezone.now()
    if expires is not None and now >= expires:
        from audit.trail import SecurityAction, record_security_event

        record_security_event(
            request,
            action=SecurityAction.PASSWORD_EXPIRED,
            actor=user,
            subject=f"用户 {user.username}",
            details={"expired_at": expires.isoformat(), "max_age_days": _max_age()},
        )
    elif expires is not None and expires - now <= datetime.timedelta(days=EXPIRY_WARNING_DAYS):
        session[EXPIRY_SESSION_KEY] = timezone.localdate(expires).isoformat()


def _max_age() -> int:
    return int(settings.HUIYIN_PASSWORD_MAX_AGE_DAYS)


def require_password_change(user: User) -> None:
    Account.objects.update_or_create(user=user, defaults={"must_change_password": True})


def password_changed(user: User) -> None:
    Account.objects.update_or_create(
        user=user,
        defaults={"must_change_password": False, "password_changed_at": timezone.now()},
    )


def revoke_tokens(user: User) -> int:
    """Delete every API token of the user; the number deleted."""
    from api.models import ApiToken  # api builds on orgs, not the other way round

    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def mark_demo_accounts(users: list[User]) -> None:
    """Remember the password hash the demo gave these accounts (see Account.demo_password)."""
    for user in users:
        Account.objects.update_or_create(user=user, defaults={"demo_password": user.password})


def note_new_password(user: User, raw_password: str) -> None:
    """After a demo account's password changed: still the demo's (possible only under
    HUIYIN_DEMO), or not any more (a value no hash equals; the account stays a demo one)."""
    from orgs.passwords import DEMO_PASSWORD

    still = raw_password == DEMO_PASSWORD
    Account.objects.filter(user=user).exclude(demo_password="").update(
        demo_password=user.password if still else CHANGED
    )


# Account.demo_password of a demo account whose password is no longer the demo's.
CHANGED = "changed"


def accounts_with_demo_password() -> list[str]:
    """Usernames of active demo accounts whose password is still the demo's: one query,
    no hashing (a changed password has a new hash)."""
    return list(
        Account.objects.filter(user__is_active=True)
        .exclude(demo_password="")
        .filter(demo_password=F("user__password"))
        .order_by("user__username")
        .values_list("user__username", flat=True)
    )


def check_serving() -> None:
    """Refuse to serve (web server or worker) outside the demo while an account still has
    the demo's public password. Management commands do not call this."""
    if settings.HUIYIN_DEMO:
        return
    try:
        names = accounts_with_demo_password()
    except DatabaseError:
        return  # not migrated yet: the server's first request will say so
    if names:
        raise ImproperlyConfigured(
            "拒绝启动：以下账号仍在使用演示密码（huiyin-demo）："
            + "、".join(names)
            + "。请在系统管理中为这些账号重设密码或停用它们；只演示时请设置 HUIYIN_DEMO=1（make run）。"
        )

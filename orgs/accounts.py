"""Account state beyond Django's user row: the password change an administrator's choice
imposes, the demo's accounts, API tokens that die with a password. Reads and small
helpers; the audited writes that use them are in orgs.actions."""

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
    """Whether the user must choose a new password before anything else. Under the demo
    its own accounts never must."""
    if not user.pk:
        return False
    found = Account.objects.filter(user_id=user.pk).values("must_change_password", "demo_password")
    row = next(iter(found), None)
    if row is None or not row["must_change_password"]:
        return False
    return not (settings.HUIYIN_DEMO and row["demo_password"])


# The session of a user who must change the password first (huiyin/middleware.py).
MUST_CHANGE_SESSION_KEY = "huiyin_must_change_password"


def note_login(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """At each login: does this session have to go to the change-password page first?"""
    session = getattr(request, "session", None)
    if session is None:
        return
    if must_change_password(user):
        session[MUST_CHANGE_SESSION_KEY] = True
    else:
        session.pop(MUST_CHANGE_SESSION_KEY, None)


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

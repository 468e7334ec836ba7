"""The password policy (AUTH_PASSWORD_VALIDATORS): at least 8 characters of three of the
four kinds, never the demo's password, none of the last HUIYIN_PASSWORD_HISTORY. Under
HUIYIN_DEMO the demo's own accounts are exempt (orgs.actions skips the validators for them)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

DEMO_PASSWORD = "huiyin-demo"
KINDS = "大写字母、小写字母、数字、符号"
NUMERALS = {1: "一", 2: "两", 3: "三", 4: "四"}


def character_kinds(password: str) -> int:
    """How many of upper case, lower case, digits and others (symbols, Chinese …) appear."""
    return sum(
        (
            any(c.isascii() and c.isupper() for c in password),
            any(c.isascii() and c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) and not c.isdigit() for c in password),
        )
    )


class CharacterClassValidator:
    def __init__(self, min_length: int = 8, min_kinds: int = 3) -> None:
        self.min_length = min_length
        self.min_kinds = min_kinds

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                "密码太短，至少需要 %(min_length)d 个字符",
                code="password_too_short",
                params={"min_length": self.min_length},
            )
        if character_kinds(password) < self.min_kinds:
            raise ValidationError(
                "密码须包含%(kinds)s中的至少%(min_kinds)s类",
                code="password_too_simple",
                params={"kinds": KINDS, "min_kinds": NUMERALS[self.min_kinds]},
            )

    def get_help_text(self) -> str:
        return f"至少{self.min_length}个字符，包含{KINDS}中的至少{NUMERALS[self.min_kinds]}类"


class NotDemoPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if password.strip().lower() == DEMO_PASSWORD:
            raise ValidationError("不能使用演示系统的公开密码", code="password_is_demo")

    def get_help_text(self) -> str:
        return "不能使用演示系统的公开密码"


class PasswordHistoryValidator:
    """None of the user's last HUIYIN_PASSWORD_HISTORY passwords (the current one among
    them). Django calls password_changed() whenever a user's new password is saved
    (set_password, then save), which keeps the history: the hash already made, no extra
    hashing. Checking costs one hash per remembered password, on a password change only."""

    def validate(self, password: str, user: Any = None) -> None:
        keep = settings.HUIYIN_PASSWORD_HISTORY
        if keep <= 0 or user is None or not getattr(user, "pk", None):
            return
        from orgs.models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user_id=user.pk)
            .order_by("-id")
            .values_list("password", flat=True)[:keep]
        )
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)  # a password from before the history was kept
        if any(check_password(password, encoded) for encoded in hashes[:keep]):
            raise ValidationError(
                "不能使用最近%(count)d次用过的密码",
                code="password_reused",
                params={"count": keep},
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        keep = settings.HUIYIN_PASSWORD_HISTORY
        if keep <= 0 or user is None or not getattr(user, "pk", None) or not user.password:
            return
        from orgs.models import PasswordHistory

        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        old = PasswordHistory.objects.filter(user_id=user.pk).order_by("-id")[keep:]
        stale = list(old.values_list("id", flat=True))
        if stale:
            PasswordHistory.objects.filter(id__in=stale).delete()

    def get_help_text(self) -> str:
        return f"不能与最近{settings.HUIYIN_PASSWORD_HISTORY}次用过的密码相同"

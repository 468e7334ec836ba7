"""The second factor's writes: enrolment, a code checked (its step remembered), recovery
codes issued and used, a device reset by the 安全管理员. Each in one transaction with its
security event (audit.trail)."""

import datetime
import hmac
import secrets
import time
from typing import NoReturn

import pyotp
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.models import EventResult
from audit.trail import SecurityAction, record_security_event
from huiyin.crypto import audit_key, sm3_hmac
from huiyin.errors import DomainError, Forbidden, NotFound
from huiyin.types import User
from orgs.access import standing_of
from orgs.accounts import revoke_tokens
from orgs.models import ADMINISTRATOR_ROLES, Membership, Role
from security.models import FAILURES_TO_LOCK, LOCK_SECONDS, RecoveryCode, TotpDevice
from security.sessions import end_user_sessions

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_LENGTH = 10  # shown as two groups of five: ~49 bits each
STEP_SECONDS = 30
# Codes of the previous and next step are accepted too (a phone's clock a little off).
DRIFT_STEPS = 1
ISSUER = "回音"


class SecondFactorError(DomainError):
    pass


class ResetForbidden(SecondFactorError, Forbidden):
    pass


class UserMissing(SecondFactorError, NotFound):
    pass


class FactorLocked(SecondFactorError):
    """The second factor is locked after FAILURES_TO_LOCK wrong codes in a row."""


WRONG_CODE = "动态口令不正确或已使用，请输入手机验证器上最新的6位数字"
LOCKED = "动态口令连续输错次数过多，已锁定30分钟：请稍后再试，或联系安全管理员解除锁定"
ADMINISTRATOR_RESET = (
    "“{username}”是管理员（系统管理员、安全管理员或审计管理员），其动态口令不能在网页上重置："
    "请由运维人员在服务器上执行 huiyin reset-administrator {username}"
)


def device_of(user: User, *, confirmed: bool = True) -> TotpDevice | None:
    found = TotpDevice.objects.filter(user=user)
    if confirmed:
        found = found.filter(confirmed_at__isnull=False)
    return found.first()


def secret_of(device: TotpDevice) -> str:
    return device.secret  # a sealed field: the plain secret in Python, SM4 in the column


def is_administrator(user: User) -> bool:
    """Holds any of the three administrator roles (one query, never cached standing)."""
    return Membership.objects.filter(user=user, role__in=ADMINISTRATOR_ROLES).exists()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def normalise_code(raw: str) -> str:
    return "".join(raw.split()).replace("-", "").lower()


def recovery_digest(code: str) -> str:
    return sm3_hmac(audit_key(), b"recovery:" + normalise_code(code).encode()).hex()


def _matching_step(secret: str, code: str, after: int) -> int | None:
    """The time step (now ± DRIFT_STEPS, later than `after`) whose code is `code`."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // STEP_SECONDS
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def start_enrolment(user: User) -> TotpDevice:
    """The device being enrolled: a new secret unless one is already waiting for its
    confirmation (a reload of the page shows the same QR code). Refused when the user
    already has a confirmed device."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise SecondFactorError("您已绑定动态口令", code="already_enrolled")
    if device is None:
        device = TotpDevice.objects.create(user=user, secret=pyotp.random_base32())
    return device


def confirm_enrolment(user: User, code: str, *, request: HttpRequest | None) -> list[str]:
    """The first code from the app confirms the device; new recovery codes, returned (the
    only time they exist in clear). A wrong code records OTP_FAILED and raises."""
    codes = _confirm(user, normalise_code(code), request=request)
    if codes is None:
        _failed(user, request=request, stage="enrol")
    return codes


@transaction.atomic
def _confirm(user: User, code: str, *, request: HttpRequest | None) -> list[str] | None:
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is None or device.confirmed_at is not None:
        raise SecondFactorError("请重新打开绑定页面", code="no_enrolment")
    step = _matching_step(secret_of(device), code, device.last_step)
    if step is None:
        return None
    now = timezone.now()
    device.confirmed_at = now
    device.last_step = step
    device.last_used_at = now
    device.save(update_fields=["confirmed_at", "last_step", "last_used_at"])
    record_security_event(
        request,
        action=SecurityAction.OTP_ENROL,
        actor=user,
        subject=f"用户 {user.username}",
        details={"device": device.pk},
    )
    return _issue_codes(user, request=request)


def check_code(user: User, code: str, *, request: HttpRequest | None) -> str:
    """A second factor given at login: a current TOTP code (its step then used up) or an
    unused recovery code (then used). Returns "totp" or "recovery". A wrong one records
    OTP_FAILED (kept, in its own transaction) and raises; the caller counts it toward the
    lockout of the username at the address (django-axes).

    Across addresses, the device counts the wrong ones in a row: the FAILURES_TO_LOCK-th
    locks the factor for LOCK_SECONDS (LOCKOUT, details {"factor": "totp"}); while locked,
    even a right code is refused (FactorLocked). A right one resets the count; the
    安全管理员's unlock (orgs.actions.unlock_account) lifts the lock."""
    used = _consume(user, normalise_code(code), request=request)
    if used is None:
        _failed(user, request=request, stage="login", count=True)
    return used


def factor_locked(device: TotpDevice) -> bool:
    return device.locked_until is not None and device.locked_until > timezone.now()


@transaction.atomic
def _consume(user: User, code: str, *, request: HttpRequest | None) -> str | None:
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        return None
    if factor_locked(device):
        raise FactorLocked(LOCKED, field="code", code="factor_locked")
    if len(code) == 6:
        step = _matching_step(secret_of(device), code, device.last_step)
        if step is None:
            return None
        device.last_step = step
        device.last_used_at = timezone.now()
        device.failures = 0
        device.locked_until = None
        device.save(update_fields=["last_step", "last_used_at", "failures", "locked_until"])
        return "totp"
    if len(code) != RECOVERY_LENGTH:
        return None
    used = RecoveryCode.objects.filter(
        user=user, digest=recovery_digest(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if not used:
        return None
    device.failures = 0
    device.locked_until = None
    device.save(update_fields=["failures", "locked_until"])
    left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
    record_security_event(
        request,
        action=SecurityAction.RECOVERY_USED,
        actor=user,
        subject=f"用户 {user.username}",
        details={"left": left},
    )
    return "recovery"


def _failed(
    user: User, *, request: HttpRequest | None, stage: str, count: bool = False
) -> NoReturn:
    with transaction.atomic():  # kept: the exception below must not roll it back
        record_security_event(
            request,
            action=SecurityAction.OTP_FAILED,
            actor=user,
            result=EventResult.FAILED,
            subject=f"用户 {user.username}",
            details={"username": user.username, "stage": stage},
        )
        locked = count and _count_failure(user, request=request)
    if locked:
        raise FactorLocked(LOCKED, field="code", code="factor_locked")
    raise SecondFactorError(WRONG_CODE, field="code", code="wrong_code")


def _count_failure(user: User, *, request: HttpRequest | None) -> bool:
    """One more wrong second factor for the device; whether it is now locked."""
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        return False
    device.failures += 1
    locks = device.failures >= FAILURES_TO_LOCK
    if locks:
        device.locked_until = timezone.now() + datetime.timedelta(seconds=LOCK_SECONDS)
        record_security_event(
            request,
            action=SecurityAction.LOCKOUT,
            actor=user,
            result=EventResult.REFUSED,
            subject=f"用户 {user.username}",
            details={
                "factor": "totp",
                "username": user.username,
                "failures": device.failures,
                "until": device.locked_until.isoformat(),
            },
        )
        device.failures = 0
    device.save(update_fields=["failures", "locked_until"])
    return locks


def unlock_factor(user: User) -> bool:
    """The 安全管理员 lifts a locked second factor (orgs.actions.unlock_account records
    it); whether it was locked. In the caller's transaction."""
    locked = TotpDevice.objects.filter(user=user, locked_until__gt=timezone.now()).exists()
    TotpDevice.objects.filter(user=user).update(locked_until=None, failures=0)
    return locked


@transaction.atomic
def regenerate_recovery_codes(user: User, code: str, *, request: HttpRequest) -> list[str]:
    """New recovery codes (the old ones void), for a current TOTP code."""
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if device is None:
        raise SecondFactorError("您尚未绑定动态口令", code="not_enrolled")
    step = _matching_step(secret_of(device), normalise_code(code), device.last_step)
    if step is None:
        raise SecondFactorError(WRONG_CODE, field="code", code="wrong_code")
    device.last_step = step
    device.last_used_at = timezone.now()
    device.save(update_fields=["last_step", "last_used_at"])
    return _issue_codes(user, request=request)


def _issue_codes(user: User, *, request: HttpRequest | None) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=recovery_digest(code)) for code in codes]
    )
    record_security_event(
        request,
        action=SecurityAction.RECOVERY_ISSUED,
        actor=user,
        subject=f"用户 {user.username}",
        details={"count": len(codes)},
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@transaction.atomic
def reset_device(target_id: int, *, by: User | None, request: HttpRequest | None = None) -> User:
    """Remove a user's device and recovery codes: the user enrols again at the next login;
    every session and API token of theirs ends now. By the 安全管理员, for anyone but an
    administrator (one of them could otherwise take over another, or the 审计管理员); by
    the server (by=None: `huiyin reset-administrator`), for anyone."""
    if by is not None and Role.SECURITY not in standing_of(by).roles:
        raise ResetForbidden("只有安全管理员可以重置动态口令", code="forbidden")
    target = User.objects.select_for_update().filter(pk=target_id).first()
    if target is None:
        raise UserMissing("用户不存在", code="not_found")
    if by is not None and target.pk == by.pk:
        raise SecondFactorError("不能重置自己的动态口令，请由另一位安全管理员操作", code="self")
    if by is not None and is_administrator(target):
        raise ResetForbidden(
            ADMINISTRATOR_RESET.format(username=target.username), code="administrator"
        )
    device = TotpDevice.objects.filter(user=target).first()
    if device is None:
        raise SecondFactorError(f"用户“{target.username}”尚未绑定动态口令", code="not_enrolled")
    was_confirmed = device.confirmed_at is not None
    device.delete()
    codes, _ = RecoveryCode.objects.filter(user=target).delete()
    tokens = revoke_tokens(target)
    record_security_event(
        request,
        action=SecurityAction.OTP_RESET,
        actor=by,
        subject=f"用户 {target.username}",
        details={
            "user": target.pk,
            "username": target.username,
            "old": {"confirmed": was_confirmed, "recovery_codes": codes},
            "new": {"confirmed": False, "recovery_codes": 0},
            "tokens_revoked": tokens,
            "by": "server" if by is None else "security",
        },
    )
    end_user_sessions(target, reason="otp_reset", request=request)
    return target

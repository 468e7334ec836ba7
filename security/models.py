"""The second factor (a TOTP device and recovery codes per user) and the registry of the
sessions a user holds (for the concurrent-session limit and ending them all)."""

from django.conf import settings
from django.db import models

from huiyin.sealed import SealedCharField

# A base32 secret (pyotp.random_base32 gives 32 characters; room for a longer one).
SECRET_MAX = 64
# Consecutive wrong second factors (any address) that lock the device, and for how long.
FAILURES_TO_LOCK = 10
LOCK_SECONDS = 30 * 60


class TotpDevice(models.Model):
    """A user's authenticator app (RFC 6238, 30 s steps, 6 digits). The shared secret is
    stored SM4-encrypted (a sealed field: `huiyin rotate-key` re-encrypts it). Until
    `confirmed_at` the device is only being enrolled and does not count as a second factor.
    `failures` counts the wrong codes since the last right one, from any address; at
    FAILURES_TO_LOCK the factor is locked until `locked_until` (security.actions)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = SealedCharField("密钥（SM4 加密）", plain_max_length=SECRET_MAX)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("绑定时间", null=True, blank=True)
    # The last time step whose code was accepted: a code is refused for a step not later
    # than this one, so an overheard code cannot be replayed within its 30 s (or ±1 step).
    last_step = models.BigIntegerField("最近使用的时间步", default=0)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True)
    failures = models.PositiveIntegerField("连续错误次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    class Meta:
        verbose_name = "动态口令设备"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"动态口令 {self.user_id}"


class RecoveryCode(models.Model):
    """One of a user's ten one-time recovery codes, stored as an HMAC-SM3 digest keyed with
    the audit key (the code itself is shown once, when issued)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField("摘要", max_length=64)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recovery_code_once")
        ]

    def __str__(self) -> str:
        return f"恢复码 {self.user_id}"


class UserSession(models.Model):
    """A session a user logged in with (written at login, removed at logout), so that the
    sessions beyond HUIYIN_MAX_SESSIONS and all of a user's sessions can be ended."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField("会话", max_length=40, unique=True)
    created_at = models.DateTimeField("登录时间")
    address = models.GenericIPAddressField("地址", null=True, blank=True)

    class Meta:
        verbose_name = "登录会话"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["user", "created_at"], name="user_session_age")]

    def __str__(self) -> str:
        return f"会话 {self.user_id}"

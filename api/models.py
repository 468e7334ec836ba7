import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from huiyin.types import User


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def issue(self, user: User) -> tuple["ApiToken", str]:
        """A new token for the user; the plain key is returned once and never stored."""
        key = "hy_" + secrets.token_urlsafe(32)
        now = timezone.now()
        # Expired tokens are useless; dropping them here keeps the table small without a job.
        self.filter(user=user, expires_at__lte=now).delete()
        token = self.create(
            user=user,
            key_hash=hash_key(key),
            expires_at=now + timedelta(seconds=settings.HUIYIN_TOKEN_SECONDS),
        )
        return token, key


class ApiToken(models.Model):
    """A bearer token of the JSON API. Only its SHA-256 is stored, so a leaked table
    gives no usable token."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name="用户",
    )
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.key_hash[:8]}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())


class IdempotencyKey(models.Model):
    """A write done once for a key its client chose (the API's `Idempotency-Key` header,
    the hidden key of a web action form): the same key again gets the first answer and
    writes nothing. Stored in the write's own transaction, so a failed write leaves no key
    and may be retried."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="用户"
    )
    key = models.CharField("幂等键", max_length=100)
    action = models.CharField("操作", max_length=40)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="办件",
    )
    status = models.PositiveSmallIntegerField("答复状态", default=200)
    summary = models.CharField("结果", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "幂等键"
        verbose_name_plural = "幂等键"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.action} · {self.key}"

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

from django.conf import settings
from django.db import models


class UnitKind(models.TextChoices):
    OFFICE = "office", "办公室"
    DEPARTMENT = "department", "处室"
    COUNTY = "county", "县区卫健局"
    AFFILIATED = "affiliated", "直属单位"
    EXTERNAL = "external", "外部单位"


class Unit(models.Model):
    """A unit of the commission (处室, 县区卫健局, 直属单位) or an outside agency.

    Outside agencies (kind external) have no users: our staff record their opinions.
    """

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级单位",
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    # 三权分立 (等保三级): the 系统管理员 keeps units, users and settings; the 安全管理员
    # grants roles and sets password, second-factor and lockout policy; the 审计管理员 reads
    # and exports the audit trail. The 安全管理员 and the 审计管理员 see no case; the
    # 系统管理员 reads the cases as the office does (it answers users' questions about them).
    ADMIN = "admin", "系统管理员"
    SECURITY = "security", "安全管理员"
    AUDITOR = "auditor", "审计管理员"
    COORDINATOR = "coordinator", "议提案管理员"
    LEADER = "leader", "委领导"
    VIEWER = "viewer", "查阅"
    HEAD = "head", "处室负责人"
    HANDLER = "handler", "承办人"


# Roles that act on the whole commission, wherever the membership row sits.
COMMISSION_ROLES = frozenset(
    {Role.ADMIN, Role.SECURITY, Role.AUDITOR, Role.COORDINATOR, Role.LEADER, Role.VIEWER}
)
# The three administrators of 三权分立: each always needs a second factor.
ADMINISTRATOR_ROLES = frozenset({Role.ADMIN, Role.SECURITY, Role.AUDITOR})
UNIT_ROLES = frozenset({Role.HEAD, Role.HANDLER})


class Membership(models.Model):
    """A user's role in one unit; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class Account(models.Model):
    """What the login needs to know about a user beyond Django's user row. A user without
    one has nothing pending."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account"
    )
    # Set when an administrator chose the password (a new account, a reset): the user
    # changes it at the next login before doing anything else.
    must_change_password = models.BooleanField("须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # The password hash load_demo gave the account: while the user's hash is still this
    # one, the account has the demo's password (checked at server start without hashing).
    demo_password = models.CharField("演示密码摘要", max_length=128, blank=True, default="")
    # When an administrator last switched the account back on: the inactivity limit
    # (HUIYIN_INACTIVE_DAYS) counts from the latest of this, the last login and creation.
    reactivated_at = models.DateTimeField("重新启用时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号状态"
        verbose_name_plural = "账号状态"

    def __str__(self) -> str:
        return f"{self.user}"


class PasswordHistory(models.Model):
    """A password the user had (its salted hash only, as Django stores it), newest last:
    the last HUIYIN_PASSWORD_HISTORY may not be chosen again (orgs.passwords)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField("密码摘要", max_length=128)
    set_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        indexes = [models.Index(fields=["user", "-id"], name="password_history_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.set_at:%Y-%m-%d}"

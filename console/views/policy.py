"""安全策略: the account, session and login policy in force, read-only for the 安全管理员.
The policy is set in the environment (HUIYIN_PASSWORD_MAX_AGE_DAYS and the others,
huiyin/settings.py) so that it is the same for the web, the API and every command, and
changing it is a deployment, not a click: the page says so."""

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from console.views.common import security_required
from huiyin.types import AuthedRequest
from orgs.models import Role
from orgs.passwords import CharacterClassValidator


@dataclass(frozen=True)
class PolicyItem:
    label: str
    value: str
    variable: str


def _days(n: int, none: str = "不限") -> str:
    return f"{n} 天" if n > 0 else none


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} 小时"
    return f"{seconds // 60} 分钟"


def policy_items() -> list[tuple[str, list[PolicyItem]]]:
    from security.policy import second_factor_roles  # security builds on orgs and console

    labels = dict(Role.choices)
    second = "、".join(labels.get(r, r) for r in Role.values if r in second_factor_roles())
    cooloff = float(settings.AXES_COOLOFF_TIME or 0)
    return [
        (
            "密码",
            [
                PolicyItem("复杂度", CharacterClassValidator().get_help_text(), "—"),
                PolicyItem(
                    "有效期",
                    _days(settings.HUIYIN_PASSWORD_MAX_AGE_DAYS, "不过期")
                    + "（到期后登录须先修改，到期前7天在我的待办提醒）",
                    "HUIYIN_PASSWORD_MAX_AGE_DAYS",
                ),
                PolicyItem(
                    "不得重复使用",
                    f"最近 {settings.HUIYIN_PASSWORD_HISTORY} 次用过的密码"
                    if settings.HUIYIN_PASSWORD_HISTORY > 0
                    else "不限",
                    "HUIYIN_PASSWORD_HISTORY",
                ),
                PolicyItem("首次登录", "管理员设置的密码须在首次登录时修改", "—"),
            ],
        ),
        (
            "账号",
            [
                PolicyItem(
                    "长期未登录停用",
                    _days(settings.HUIYIN_INACTIVE_DAYS, "不停用")
                    + "未登录即停用（每天检查，登录时也检查）",
                    "HUIYIN_INACTIVE_DAYS",
                ),
                PolicyItem(
                    "登录失败锁定",
                    f"同一用户名在同一地址连续失败 {settings.AXES_FAILURE_LIMIT} 次，"
                    f"锁定 {_duration(int(cooloff * 3600))}",
                    "HUIYIN_LOGIN_FAILURE_LIMIT",
                ),
                PolicyItem("双因素认证", f"{second}须使用动态口令", "HUIYIN_2FA_ROLES"),
            ],
        ),
        (
            "会话",
            [
                PolicyItem(
                    "空闲超时",
                    _duration(settings.SESSION_COOKIE_AGE),
                    "HUIYIN_SESSION_SECONDS",
                ),
                PolicyItem(
                    "最长会话",
                    _duration(settings.HUIYIN_SESSION_ABSOLUTE_SECONDS) + "（无论是否活动）",
                    "HUIYIN_SESSION_ABSOLUTE_SECONDS",
                ),
                PolicyItem(
                    "同时在线",
                    f"每人最多 {settings.HUIYIN_MAX_SESSIONS} 个会话，超出时最早的会话结束"
                    if settings.HUIYIN_MAX_SESSIONS > 0
                    else "不限",
                    "HUIYIN_MAX_SESSIONS",
                ),
            ],
        ),
    ]


@security_required
def policy(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "console/policy.html",
        {"groups": policy_items(), "demo": settings.HUIYIN_DEMO},
    )

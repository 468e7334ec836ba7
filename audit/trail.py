"""The security trail (等保三级: 安全审计): logins, logouts, failures, lockouts, the second
factor, API tokens, exports, downloads, explicit reveals of personal data and refusals.

Each is one AuditEvent of kind SECURITY in the same table and the same HMAC chain as the
actions, with who, when, from which address, what, the result and (in `details`) old and
new values. A security event never names a case in `case` (only in `subject` and
`case_label`), so it never appears on a case's 办理轨迹 and no summary of cases sees it.
Ordinary page views are not recorded: reading stays free of writes.
"""

import json
import re
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest

from audit.models import AuditEvent, EventKind, EventResult
from audit.record import record_event
from huiyin.types import AnyUser

if TYPE_CHECKING:
    from cases.models import Case


def _length(name: str) -> int:
    field = AuditEvent._meta.get_field(name)
    assert isinstance(field, models.CharField) and field.max_length is not None
    return field.max_length


SUBJECT_LENGTH = _length("subject")
CASE_LABEL_LENGTH = _length("case_label")
ACTOR_NAME_LENGTH = _length("actor_name")


class SecurityAction:
    """The security trail's action names (AuditEvent.action of kind SECURITY)."""

    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LOCKOUT = "lockout"
    UNLOCK = "unlock"
    OTP_ENROL = "otp_enrol"
    OTP_RESET = "otp_reset"
    OTP_FAILED = "otp_failed"
    RECOVERY_USED = "recovery_code_used"
    RECOVERY_ISSUED = "recovery_codes_issued"
    PASSWORD_CHANGE = "password_change"
    PASSWORD_EXPIRED = "password_expired"
    ACCOUNT_DISABLED = "account_disabled"
    SESSION_ENDED = "session_ended"
    TOKEN_ISSUE = "token_issue"
    TOKEN_REVOKE = "token_revoke"
    EXPORT = "export"
    DOWNLOAD = "download"
    REVEAL = "reveal"
    REFUSED = "permission_refused"
    AUDIT_EXPORT = "audit_export"
    AUDIT_ARCHIVE = "audit_archive"
    KEY_ROTATED = "key_rotated"
    BACKUP = "backup"
    RESTORE = "restore"


LABELS = {
    SecurityAction.LOGIN: "登录",
    SecurityAction.LOGIN_FAILED: "登录失败",
    SecurityAction.LOGOUT: "退出",
    SecurityAction.LOCKOUT: "账号锁定",
    SecurityAction.UNLOCK: "解除锁定",
    SecurityAction.OTP_ENROL: "绑定动态口令",
    SecurityAction.OTP_RESET: "重置动态口令",
    SecurityAction.OTP_FAILED: "动态口令错误",
    SecurityAction.RECOVERY_USED: "使用恢复码",
    SecurityAction.RECOVERY_ISSUED: "生成恢复码",
    SecurityAction.PASSWORD_CHANGE: "修改密码",
    SecurityAction.PASSWORD_EXPIRED: "密码过期",
    SecurityAction.ACCOUNT_DISABLED: "账号停用",
    SecurityAction.SESSION_ENDED: "会话结束",
    SecurityAction.TOKEN_ISSUE: "签发令牌",
    SecurityAction.TOKEN_REVOKE: "吊销令牌",
    SecurityAction.EXPORT: "导出",
    SecurityAction.DOWNLOAD: "下载",
    SecurityAction.REVEAL: "查看完整个人信息",
    SecurityAction.REFUSED: "越权拒绝",
    SecurityAction.AUDIT_EXPORT: "导出审计记录",
    SecurityAction.AUDIT_ARCHIVE: "归档审计记录",
    SecurityAction.KEY_ROTATED: "轮换密钥",
    SecurityAction.BACKUP: "备份",
    SecurityAction.RESTORE: "恢复",
}


QUERY_NAMES = 20  # parameters kept from a query string
QUERY_NAME_LIMIT = 40
QUERY_VALUE_LIMIT = 100
QUERY_LIMIT = 500  # the whole, as JSON


def masked_query(query_string: str) -> dict[str, str]:
    """A request's query string as it may be kept in an undeletable row: the parameter
    names, each value masked as a published text is (disclosure.masking: phones, e-mails,
    identity and other long numbers, names after 患者…; then any run of 7+ digits), every
    part bounded. `?q=13812341234` → {"q": "138****1234"}."""
    from urllib.parse import parse_qsl

    from disclosure.masking import mask
    from opinions.privacy import without_phones

    kept: dict[str, str] = {}
    for name, value in parse_qsl((query_string or "")[:4000], keep_blank_values=True):
        key = name[:QUERY_NAME_LIMIT]
        shown = without_phones(mask(value[: QUERY_VALUE_LIMIT * 2]).text)[:QUERY_VALUE_LIMIT]
        if key in kept:
            shown = f"{kept[key]},{shown}"[:QUERY_VALUE_LIMIT]
        elif len(kept) >= QUERY_NAMES:
            break
        candidate = {**kept, key: shown}
        if len(json.dumps(candidate, ensure_ascii=False)) > QUERY_LIMIT:
            break
        kept = candidate
    return kept


def request_address(request: HttpRequest | None) -> str | None:
    """The client's address (behind HUIYIN_TRUSTED_PROXIES, the one they forwarded)."""
    if request is None:
        return None
    from opinions.public.ratelimit import client_address  # one reading of the address

    return client_address(request)


def record_security_event(
    request: HttpRequest | None,
    *,
    action: str,
    actor: AnyUser | None = None,
    result: str = EventResult.OK,
    subject: str = "",
    case: "Case | None" = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one security event. `actor` defaults to the request's user; `case` is named in
    `subject` and `case_label`, never linked (see the module's docstring). Call it inside
    the transaction of what it records, if there is one, so that both or neither are kept."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    details = printable(details) if details else details
    event = record_event(
        actor=user,  # type: ignore[arg-type]  # an authenticated user is a User
        action=action,
        subject=printable(subject or (f"case:{case.pk}" if case is not None else ""))[
            :SUBJECT_LENGTH
        ],
        details=details,
        kind=EventKind.SECURITY,
        address=request_address(request),
        result=result,
        case_label=(
            f"{case.year}年 {case.number} {case.title}"[:CASE_LABEL_LENGTH]
            if case is not None
            else ""
        ),
        actor_name=_name_tried(actor, details),
    )
    return event


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(value: Any) -> Any:
    """A value as a row may keep it: control characters (NUL among them, which PostgreSQL
    refuses in text and JSON) dropped from every string, in dicts and lists too. What a
    client typed into a path or a query string reaches the trail this way."""
    if isinstance(value, str):
        return CONTROL.sub("", value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value


def _name_tried(actor: AnyUser | None, details: dict[str, Any] | None) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return ""  # filled from the user
    tried = (details or {}).get("username")
    return str(tried)[:ACTOR_NAME_LENGTH] if tried else ""

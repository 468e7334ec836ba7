"""`huiyin check-deploy`'s items: Django's deployment checks and Huiyin's own. Each item is
a name and a problem ("" when it holds), the problem saying what to do, in Chinese."""

import datetime
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import checks as django_checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from huiyin import crypto

DEFAULT_HOSTS = {"127.0.0.1", "localhost", "testserver", "[::1]"}
BACKUP_MAX_AGE = datetime.timedelta(hours=48)
HSTS_MIN_SECONDS = 180 * 24 * 3600
CHAIN_DAYS = 7
# An item that could not be checked because a key it needs is unreadable (its own item fails).
NOT_CHECKED = "未能检查"


@dataclass(frozen=True)
class Item:
    name: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    def line(self) -> str:
        return f"OK   {self.name}" if self.ok else f"FAIL {self.name}：{self.problem}"


def django_deploy_items() -> list[Item]:
    """`manage.py check --deploy`: one FAIL per warning or error, or one OK."""
    found = django_checks.run_checks(include_deployment_checks=True)
    serious = [m for m in found if m.level >= django_checks.WARNING and not m.is_silenced()]
    if not serious:
        return [Item("Django check --deploy")]
    return [
        Item(f"Django check --deploy {m.id}", " ".join(str(m.msg).split())[:300]) for m in serious
    ]


def secret_key() -> str:
    if not settings.SECRET_KEY or settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return "请设置 HUIYIN_SECRET_KEY（至少 50 个随机字符，不得使用开发用密钥）"
    return ""


def debug_off() -> str:
    return "请设置 HUIYIN_DEBUG=0" if settings.DEBUG else ""


def demo_off() -> str:
    return "生产环境不得设置 HUIYIN_DEMO=1（演示模式）" if settings.HUIYIN_DEMO else ""


def https() -> str:
    missing = []
    if not settings.SESSION_COOKIE_SECURE or not settings.CSRF_COOKIE_SECURE:
        missing.append("Cookie 仅经 HTTPS 发送（勿设 HUIYIN_SECURE_COOKIES=0）")
    if settings.SECURE_HSTS_SECONDS < HSTS_MIN_SECONDS:
        missing.append("HSTS（HUIYIN_HSTS_SECONDS ≥ 15552000）")
    if not getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        missing.append(
            "反向代理的 HTTPS 标头（HUIYIN_BEHIND_PROXY=1，nginx 设置 X-Forwarded-Proto）"
        )
    return "缺少 " + "；".join(missing) if missing else ""


def allowed_hosts() -> str:
    hosts = set(settings.ALLOWED_HOSTS)
    if "*" in hosts:
        return "HUIYIN_ALLOWED_HOSTS 不得为 *：请列出本站域名"
    if not hosts - DEFAULT_HOSTS:
        return "请在 HUIYIN_ALLOWED_HOSTS 中设置本站域名（目前只有本机地址）"
    return ""


def trusted_proxies() -> str:
    """Behind nginx the public page's rate limits count the client's address, which only
    a trusted proxy's X-Forwarded-For gives: without the list every client is the proxy."""
    from opinions.public.ratelimit import trusted_proxies as parsed

    behind = settings.HUIYIN_BEHIND_PROXY or getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if not behind:
        return ""
    if not settings.HUIYIN_TRUSTED_PROXIES:
        return (
            "在反向代理之后运行（HUIYIN_BEHIND_PROXY=1），却没有设置 HUIYIN_TRUSTED_PROXIES："
            "请填写代理的地址（如 127.0.0.1），否则所有访客都按代理地址限流"
        )
    if not parsed():
        return "HUIYIN_TRUSTED_PROXIES 中没有可用的地址或网段：请填写代理的 IP 地址（如 127.0.0.1）"
    return ""


def second_factor() -> str:
    if "leader" not in settings.HUIYIN_2FA_ROLES:
        return "请在 HUIYIN_2FA_ROLES 中加入 leader（委领导须使用动态口令）"
    return ""


def _key_problem(variable: str, filename: str, load: Callable[[], object]) -> str:
    if not os.environ.get(variable):
        path = crypto.key_dir() / filename
        if not path.exists():
            return f"没有 {variable}，也没有密钥文件 {path}：请运行 huiyin keys init 并备份密钥"
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            return f"密钥文件 {path} 的权限为 {mode:04o}：请 chmod 600，仅运行账号可读"
    try:
        load()
    except (ImproperlyConfigured, OSError, ValueError) as exc:
        return f"密钥无法读取：{exc}"
    return ""


def audit_key() -> str:
    return _key_problem("HUIYIN_AUDIT_KEY", crypto.AUDIT_KEY_FILE, crypto.audit_key)


def data_key() -> str:
    # With more than one key in HUIYIN_DATA_KEY, crypto.data_keyring refuses to work without
    # HUIYIN_DATA_INDEX_KEY (the blind index must not hang on a key a rotation drops).
    return _key_problem("HUIYIN_DATA_KEY", crypto.DATA_KEY_FILE, crypto.data_keyring)


def demo_accounts() -> str:
    from orgs.models import Account

    names = list(
        Account.objects.filter(user__is_active=True)
        .exclude(demo_password="")
        .order_by("user__username")
        .values_list("user__username", flat=True)[:20]
    )
    if names:
        return (
            "演示数据的账号仍然启用："
            + "、".join(names)
            + "。请停用它们（或使用未载入演示数据的数据库）"
        )
    return ""


def backups(now: datetime.datetime | None = None) -> str:
    from ops.backup import backup_files

    folder = Path(settings.HUIYIN_BACKUP_DIR)
    if not folder.is_dir():
        return f"备份目录 {folder} 不存在：请创建它（HUIYIN_BACKUP_DIR）并配置 huiyin-backup.timer"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"备份目录 {folder} 不可写：请把它交给运行账号"
    files = backup_files(folder)
    if not files:
        return f"{folder} 中没有备份：请运行 huiyin backup 并启用 huiyin-backup.timer"
    latest = files[-1]
    newest = datetime.datetime.fromtimestamp(latest.stat().st_mtime, tz=datetime.UTC)
    age = (now or timezone.now()) - newest
    if age > BACKUP_MAX_AGE:
        hours = int(age.total_seconds() // 3600)
        return f"最近的备份 {latest.name} 已有 {hours} 小时：请检查 huiyin-backup.timer"
    return _backup_opens(latest)


def _backup_opens(path: Path) -> str:
    """The newest backup is not empty and opens with the keyring (its header and first chunk;
    `huiyin restore` checks the rest)."""
    from ops.sealed import SealedReader

    if path.stat().st_size == 0:
        return f"最近的备份 {path.name} 是空文件：请检查 huiyin backup 的日志并重新备份"
    try:
        crypto.data_keyring()
    except (ImproperlyConfigured, OSError, ValueError):
        return f"{NOT_CHECKED}：数据密钥无法读取（见“数据密钥”一项）"
    try:
        with path.open("rb") as source:
            SealedReader(source).read(1)
    except (crypto.DecryptionError, OSError) as exc:
        return (
            f"最近的备份 {path.name} 无法用数据密钥打开（{exc}）："
            "请检查数据密钥与备份文件，并重新运行 huiyin backup"
        )
    return ""


AUDIT_TRIGGER = "audit_event_immutable"
AUDIT_TABLE = "audit_auditevent"
# pg_trigger.tgenabled: O fires in the ordinary session mode, A always; D and R do not.
TRIGGER_ENABLED = {"O", "A"}


def audit_trigger_state() -> tuple[str, str | None]:
    """The database vendor and the audit trigger's pg_trigger.tgenabled (None: no trigger)."""
    if connection.vendor != "postgresql":
        return connection.vendor, None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s AND c.relname = %s AND pg_table_is_visible(c.oid) "
            "AND NOT t.tgisinternal",
            [AUDIT_TRIGGER, AUDIT_TABLE],
        )
        row = cursor.fetchone()
    value = row[0] if row else None
    if isinstance(value, bytes):
        value = value.decode()
    return "postgresql", value


def audit_trigger() -> str:
    """Production is PostgreSQL, whose trigger refuses any change to an audit event."""
    vendor, enabled = audit_trigger_state()
    if vendor != "postgresql":
        return (
            f"生产环境须使用 PostgreSQL（当前为 {vendor}，审计记录的防篡改触发器只在 PostgreSQL 上）："
            "请设置 DATABASE_URL"
        )
    if enabled is None:
        return f"审计表缺少防篡改触发器 {AUDIT_TRIGGER}：请运行 huiyin migrate，并按 docs/security.md 核查"
    if enabled not in TRIGGER_ENABLED:
        return (
            f"审计表的防篡改触发器 {AUDIT_TRIGGER} 已被停用（tgenabled={enabled}）："
            f"请执行 ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER {AUDIT_TRIGGER}，并按 docs/security.md 核查"
        )
    return ""


def audit_chain() -> str:
    from audit.models import AuditEvent

    try:
        from audit.chain import verify_chain
    except ImportError:
        return "审计链校验（audit.chain）不可用"
    try:
        crypto.audit_key()
    except (ImproperlyConfigured, OSError, ValueError):
        return f"{NOT_CHECKED}：审计密钥无法读取（见“审计密钥”一项）"
    if not AuditEvent.objects.exists():
        # An installation in use has events (its administrators' logins at least): an empty
        # table is one never used, or one emptied.
        return "审计表没有任何记录：请先完成初始设置（管理员登录），或按 docs/security.md 核查记录是否被清除"
    since = timezone.localdate() - datetime.timedelta(days=CHAIN_DAYS)
    report = verify_chain(since=since)
    if not report.ok:
        return (
            f"近 {CHAIN_DAYS} 天的审计链在第 {report.first_bad_id} 条断开（{report.reason}）："
            "请运行 huiyin audit verify 并按 docs/security.md 处置"
        )
    return ""


def migrations_applied() -> str:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return f"{len(plan)} 个数据库迁移未执行：请运行 huiyin migrate"
    return ""


def worker_alive() -> str:
    from ops.heartbeat import worker_problem

    problem = worker_problem()
    return f"{problem}：请启动 huiyin-worker 与 huiyin-scheduler（systemd）" if problem else ""


HUIYIN_ITEMS: list[tuple[str, Callable[[], str]]] = [
    ("密钥 HUIYIN_SECRET_KEY", secret_key),
    ("调试模式关闭", debug_off),
    ("演示模式关闭", demo_off),
    ("HTTPS（安全 Cookie、HSTS、代理标头）", https),
    ("ALLOWED_HOSTS", allowed_hosts),
    ("可信代理 HUIYIN_TRUSTED_PROXIES", trusted_proxies),
    ("双因素认证包括委领导", second_factor),
    ("审计密钥", audit_key),
    ("数据密钥（SM4）", data_key),
    ("演示账号已移除", demo_accounts),
    ("数据库迁移", migrations_applied),
    ("审计表防篡改（PostgreSQL 触发器）", audit_trigger),
    ("备份", backups),
    ("审计链（近 7 天）", audit_chain),
    ("任务进程心跳", worker_alive),
]
# Items that read the database: their failure when it is down is one FAIL each, not a crash.
DATABASE_ITEMS = {demo_accounts, migrations_applied, audit_trigger, audit_chain, worker_alive}


def run() -> list[Item]:
    items = django_deploy_items()
    for name, check in HUIYIN_ITEMS:
        try:
            problem = check()
        except DatabaseError as exc:
            if check not in DATABASE_ITEMS:
                raise
            problem = f"数据库不可用或未迁移：{type(exc).__name__}"
        items.append(Item(name, problem))
    return items

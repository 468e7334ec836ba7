"""`huiyin check-deploy`: all OK in a configured installation (exit 0); each item failing
alone gives its one FAIL line and exit 1; the demo fails."""

import os
import sys
import types
from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.trail import SecurityAction, record_security_event
from ops import checks
from ops.heartbeat import beat
from ops.sealed import SealedWriter

pytestmark = pytest.mark.django_db

SECRET = "k9Qw-production-secret-" + "x7Vb3nM2pL8rT5yU1iO4aS6dF0gH9jK"
BACKUP = "huiyin-20260610-020000.hybak"
REAL_TRIGGER_STATE = checks.audit_trigger_state


@dataclass
class Report:
    ok: bool
    first_bad_id: int | None = None
    reason: str = ""


@pytest.fixture
def chain(monkeypatch):
    """audit.chain's verify_chain: the real one when it is installed, else a stand-in (the
    module is written in parallel); tests set .report to make it fail."""
    state = types.SimpleNamespace(report=None)
    try:
        from audit import chain as real
    except ImportError:
        real = None
        module = types.ModuleType("audit.chain")
        monkeypatch.setitem(sys.modules, "audit.chain", module)
    target = real or sys.modules["audit.chain"]
    original = getattr(target, "verify_chain", None)

    def verify_chain(since=None):
        return state.report or (original(since=since) if original else Report(ok=True))

    monkeypatch.setattr(target, "verify_chain", verify_chain, raising=False)
    return state


@pytest.fixture
def configured(settings, tmp_path, chain, monkeypatch):
    # The browser tests of the same run set DJANGO_ALLOW_ASYNC_UNSAFE (Playwright keeps an
    # event loop in this thread), which Django's deploy check rightly refuses (async.E001);
    # removing the variable would make the ORM refuse to run here: drop that one finding.
    everything = checks.django_checks.run_checks
    monkeypatch.setattr(
        checks.django_checks,
        "run_checks",
        lambda **kw: [m for m in everything(**kw) if m.id != "async.E001"],
    )
    settings.DEBUG = False
    settings.SECRET_KEY = SECRET
    settings.HUIYIN_DEMO = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["huiyin.wjw.example.cn"]
    settings.HUIYIN_2FA_ROLES = ["leader", "coordinator"]
    settings.HUIYIN_BACKUP_DIR = tmp_path / "backups"
    settings.HUIYIN_BACKUP_DIR.mkdir()
    with (settings.HUIYIN_BACKUP_DIR / BACKUP).open("wb") as out, SealedWriter(out) as sealed:
        sealed.write(b"a backup")
    settings.HUIYIN_BEHIND_PROXY = True
    settings.HUIYIN_TRUSTED_PROXIES = ["127.0.0.1"]
    if connection.vendor != "postgresql":
        # The tests run on SQLite too: there, the PostgreSQL trigger is taken as present.
        monkeypatch.setattr(checks, "audit_trigger_state", lambda: ("postgresql", "O"))
    record_security_event(None, action=SecurityAction.BACKUP)
    beat()
    return settings


def run() -> tuple[int, list[str]]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("check_deploy", stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, out.getvalue().splitlines()


def fails(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("FAIL")]


def test_all_ok_in_a_configured_installation(configured):
    code, lines = run()
    assert fails(lines) == []
    assert code == 0
    assert len([line for line in lines if line.startswith("OK")]) == 1 + len(checks.HUIYIN_ITEMS)
    assert lines[-1].startswith("全部")


def _no_key_file(settings, tmp_path, monkeypatch, variable, filename, mode, **_):
    from huiyin import crypto

    monkeypatch.delenv(variable)
    settings.HUIYIN_KEY_DIR = tmp_path / "keys"
    settings.HUIYIN_KEY_DIR.mkdir()
    crypto.forget_keys()
    if mode is not None:
        path = settings.HUIYIN_KEY_DIR / filename
        path.write_text(
            # The data key file holds the key the environment gave (the backup opens with it).
            ("a1" * 32 if filename == "audit.key" else "index " + "b2" * 32 + "\nt1 " + "d2" * 16)
            + "\n"
        )
        path.chmod(mode)


def _old_backup(settings, **kwargs):
    old = settings.HUIYIN_BACKUP_DIR / BACKUP
    stamp = old.stat().st_mtime - 49 * 3600
    os.utime(old, (stamp, stamp))


MUTATIONS = {
    "secret key": (lambda s, **k: setattr(s, "SECRET_KEY", s.DEV_SECRET_KEY), "HUIYIN_SECRET_KEY"),
    "debug": (lambda s, **k: setattr(s, "DEBUG", True), "调试模式"),
    "demo": (lambda s, **k: setattr(s, "HUIYIN_DEMO", True), "演示模式"),
    "cookies": (lambda s, **k: setattr(s, "SESSION_COOKIE_SECURE", False), "HTTPS"),
    "hsts": (lambda s, **k: setattr(s, "SECURE_HSTS_SECONDS", 3600), "HTTPS"),
    "proxy header": (lambda s, **k: setattr(s, "SECURE_PROXY_SSL_HEADER", None), "HTTPS"),
    "hosts": (lambda s, **k: setattr(s, "ALLOWED_HOSTS", ["127.0.0.1", "localhost"]), "ALLOWED"),
    "2fa": (lambda s, **k: setattr(s, "HUIYIN_2FA_ROLES", ["coordinator"]), "双因素"),
    "audit key missing": (
        lambda s, **k: _no_key_file(
            s, variable="HUIYIN_AUDIT_KEY", filename="audit.key", mode=None, **k
        ),
        "审计密钥",
    ),
    "audit key readable": (
        lambda s, **k: _no_key_file(
            s, variable="HUIYIN_AUDIT_KEY", filename="audit.key", mode=0o644, **k
        ),
        "审计密钥",
    ),
    "data key readable": (
        lambda s, **k: _no_key_file(
            s, variable="HUIYIN_DATA_KEY", filename="data.key", mode=0o640, **k
        ),
        "数据密钥",
    ),
    "demo account": (lambda s, **k: _demo_account(), "演示账号"),
    "no backup dir": (
        lambda s, **k: setattr(s, "HUIYIN_BACKUP_DIR", k["tmp_path"] / "none"),
        "备份",
    ),
    "no backup": (
        lambda s, **k: (s.HUIYIN_BACKUP_DIR / BACKUP).unlink(),
        "备份",
    ),
    "old backup": (_old_backup, "备份"),
    "empty backup": (lambda s, **k: (s.HUIYIN_BACKUP_DIR / BACKUP).write_bytes(b""), "空文件"),
    "backup not ours": (
        lambda s, **k: (s.HUIYIN_BACKUP_DIR / BACKUP).write_bytes(b"PGDMP" + b"\0" * 64),
        "无法用数据密钥打开",
    ),
    "backup of another key": (lambda s, **k: _foreign_backup(s), "无法用数据密钥打开"),
    "backup altered": (lambda s, **k: _altered_backup(s), "无法用数据密钥打开"),
    "no trusted proxies": (lambda s, **k: setattr(s, "HUIYIN_TRUSTED_PROXIES", []), "可信代理"),
    "unusable trusted proxies": (
        lambda s, **k: setattr(s, "HUIYIN_TRUSTED_PROXIES", ["nginx.local"]),
        "可信代理",
    ),
    "several data keys without an index key": (
        lambda s, **k: _several_keys(k["monkeypatch"]),
        "数据密钥",
    ),
    "not postgresql or no trigger": (lambda s, **k: _trigger_off(k["monkeypatch"]), "防篡改"),
    "empty audit table": (lambda s, **k: _empty_audit_table(), "审计表没有任何记录"),
    "chain": (
        lambda s, **k: setattr(k["chain"], "report", Report(False, 42, "HMAC 不符")),
        "审计链",
    ),
    "migrations": (
        lambda s, **k: k["monkeypatch"].setattr(checks, "MigrationExecutor", _Unapplied),
        "迁移",
    ),
    "worker": (lambda s, **k: _stale_heartbeat(), "任务进程心跳"),
}


def _foreign_backup(settings):
    from huiyin import crypto

    other = crypto.Keyring(keys={"gone": b"\1" * 16}, current_id="gone", index_key=b"\2" * 32)
    with (settings.HUIYIN_BACKUP_DIR / BACKUP).open("wb") as out:
        with SealedWriter(out, ring=other) as sealed:
            sealed.write(b"a backup")


def _altered_backup(settings):
    path = settings.HUIYIN_BACKUP_DIR / BACKUP
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))


def _several_keys(monkeypatch):
    from huiyin import crypto

    monkeypatch.setenv("HUIYIN_DATA_KEY", "t1:" + "d2" * 16 + ",t2:" + "e4" * 16)
    monkeypatch.delenv("HUIYIN_DATA_INDEX_KEY", raising=False)
    crypto.forget_keys()


def _trigger_off(monkeypatch):
    """SQLite (no trigger at all) as it is; on PostgreSQL the trigger disabled."""
    monkeypatch.setattr(checks, "audit_trigger_state", REAL_TRIGGER_STATE)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_immutable")


def _empty_audit_table():
    with connection.cursor() as cursor:
        on_pg = connection.vendor == "postgresql"
        if on_pg:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_immutable")
        cursor.execute("DELETE FROM audit_auditevent")
        if on_pg:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_immutable")


class _Unapplied:
    def __init__(self, connection):
        self.loader = types.SimpleNamespace(graph=types.SimpleNamespace(leaf_nodes=lambda: []))

    def migration_plan(self, targets):
        return [("cases", "9999_future")]


def _demo_account():
    from cases.tests.factories import make_user
    from orgs.accounts import mark_demo_accounts

    mark_demo_accounts([make_user("coordinator")])


def _stale_heartbeat():
    from django.utils import timezone

    beat(at=timezone.now() - timedelta(minutes=30))


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_each_item_fails_alone(name, configured, tmp_path, monkeypatch, chain):
    mutate, item = MUTATIONS[name]
    mutate(configured, tmp_path=tmp_path, monkeypatch=monkeypatch, chain=chain)
    try:
        code, lines = run()
    finally:
        from huiyin import crypto

        crypto.forget_keys()
    huiyin_fails = [line for line in fails(lines) if "Django check" not in line]
    # An unreadable key also leaves what needs it unchecked (said so, never OK).
    unchecked = [line for line in huiyin_fails if checks.NOT_CHECKED in line]
    assert not unchecked or name.startswith(("audit key", "several data keys")), lines
    huiyin_fails = [line for line in huiyin_fails if line not in unchecked]
    assert code == 1
    assert len(huiyin_fails) == 1, lines
    assert item in huiyin_fails[0]
    assert "：" in huiyin_fails[0]  # with what to do


def test_django_deploy_warnings_are_fail_lines(configured):
    configured.SECURE_SSL_REDIRECT = False
    code, lines = run()
    assert code == 1
    assert fails(lines) == [line for line in lines if "security.W008" in line]


def test_the_demo_fails(settings, chain, db):
    _demo_account()  # load_demo's accounts
    settings.HUIYIN_DEMO = True
    settings.DEBUG = True
    code, lines = run()
    assert code == 1
    failed = "\n".join(fails(lines))
    assert "演示账号" in failed and "调试模式" in failed and "演示模式" in failed


def test_a_database_down_is_a_fail_not_a_crash(configured, monkeypatch):
    from django.db import OperationalError

    def down():
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(checks, "demo_accounts", down)
    monkeypatch.setattr(checks, "HUIYIN_ITEMS", [("演示账号已移除", down)])
    monkeypatch.setattr(checks, "DATABASE_ITEMS", {down})
    with time_machine.travel("2026-06-10 10:00+08:00"):
        code, lines = run()
    assert code == 1 and "数据库不可用" in fails(lines)[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigger")
def test_the_real_trigger_is_found_enabled_on_postgresql(db):
    assert checks.audit_trigger_state() == ("postgresql", "O")
    assert checks.audit_trigger() == ""
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER audit_event_immutable ON audit_auditevent")
    assert checks.audit_trigger_state() == ("postgresql", None)
    assert "缺少防篡改触发器" in checks.audit_trigger()


def test_sqlite_is_refused_for_production(db):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite case")
    assert "PostgreSQL" in checks.audit_trigger()


def test_one_data_key_or_several_with_the_index_key_pass(configured, monkeypatch):
    from huiyin import crypto

    monkeypatch.setenv("HUIYIN_DATA_KEY", "t1:" + "d2" * 16 + ",t2:" + "e4" * 16)
    monkeypatch.setenv("HUIYIN_DATA_INDEX_KEY", "f5" * 32)
    crypto.forget_keys()
    try:
        assert checks.data_key() == ""
        assert crypto.data_keyring().index_key == bytes.fromhex("f5" * 32)
        monkeypatch.delenv("HUIYIN_DATA_INDEX_KEY")
        crypto.forget_keys()
        assert "HUIYIN_DATA_INDEX_KEY" in checks.data_key()
    finally:
        crypto.forget_keys()


def test_no_proxy_no_trusted_proxies_needed(configured):
    configured.HUIYIN_BEHIND_PROXY = False
    configured.SECURE_PROXY_SSL_HEADER = None
    configured.HUIYIN_TRUSTED_PROXIES = []
    assert checks.trusted_proxies() == ""

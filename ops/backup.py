"""`huiyin backup` and `huiyin restore`: the database (PostgreSQL: pg_dump's custom format
of one snapshot; SQLite: the online backup API) and the media folder (attachments) in one
tar, sealed with SM4 (ops/sealed.py) under the data key. A manifest inside names the app
version, the database vendor, the counts of what matters and the audit chain's last value;
the restore checks them. The keys are not in the backup (docs/deployment.md: keep them apart).
"""

import contextlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.trail import SecurityAction, record_security_event
from huiyin.errors import DomainError
from ops.sealed import SealedReader, SealedWriter

SUFFIX = ".hybak"
PREFIX = "huiyin-"
MANIFEST = "manifest.json"
MEDIA = "media"
FORMAT = 1
# What the manifest counts (and the restore compares), by table.
COUNTED = {
    "cases": "cases_case",
    "audit_events": "audit_auditevent",
    "attachments": "attachments_attachment",
    "users": "auth_user",
}
# A database is empty when these have no rows (a migrated but unused one is).
OCCUPIED_BY = ("auth_user", "cases_case", "audit_auditevent")


class BackupError(DomainError):
    pass


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    removed: list[Path]


def backup_files(folder: Path) -> list[Path]:
    """The backups in `folder`, oldest first (their names carry the time)."""
    return sorted(folder.glob(f"{PREFIX}*{SUFFIX}"))


def _db() -> dict[str, Any]:
    return connection.settings_dict


def _vendor() -> str:
    return connection.vendor  # "postgresql" or "sqlite"


def _pg_environment() -> dict[str, str]:
    db = _db()
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"没有找到 {command[0]}：请安装与数据库版本一致的 PostgreSQL 客户端")
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{done.stderr.strip()[-500:]}")


def _facts(cursor: Any) -> dict[str, Any]:
    counts = {}
    for name, table in COUNTED.items():
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608  (our own table names)
        counts[name] = cursor.fetchone()[0]
    cursor.execute("SELECT id, chain FROM audit_auditevent ORDER BY id DESC LIMIT 1")
    row = cursor.fetchone()
    return {
        "counts": counts,
        "last_event_id": row[0] if row else None,
        "chain_last": row[1] if row else "",
    }


def _dump_postgresql(folder: Path) -> tuple[Path, dict[str, Any]]:
    """pg_dump of one snapshot, and the counts of that same snapshot."""
    env = _pg_environment()
    target = folder / "database.dump"
    with _pg_connect(env) as snapshot:
        with snapshot.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            name = cursor.fetchone()[0]
            facts = _facts(cursor)
            _run(["pg_dump", "--format=custom", f"--snapshot={name}", "--file", str(target)], env)
        snapshot.rollback()
    return target, facts


def _pg_connect(env: dict[str, str]) -> Any:
    import psycopg
    from psycopg.conninfo import make_conninfo

    keys = {
        "PGDATABASE": "dbname",
        "PGUSER": "user",
        "PGPASSWORD": "password",
        "PGHOST": "host",
        "PGPORT": "port",
    }
    return psycopg.connect(
        make_conninfo(**{kw: env[var] for var, kw in keys.items() if env.get(var)})
    )


def _dump_sqlite(folder: Path) -> tuple[Path, dict[str, Any]]:
    target = folder / "database.sqlite3"
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        facts = _facts(copy.cursor())
    finally:
        copy.close()
    return target, facts


def _media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def _prune(folder: Path, keep: int) -> list[Path]:
    files = backup_files(folder)
    doomed = files[: max(len(files) - keep, 0)]
    for path in doomed:
        path.unlink()
    return doomed


@contextlib.contextmanager
def _private_scratch(near: Path) -> Iterator[Path]:
    """A folder only this account can read (mkdtemp: 0700) for the plain dump."""
    base = near if near.is_dir() and os.access(near, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix=".huiyin-scratch-", dir=base) as scratch:
        yield Path(scratch)


def create_backup(*, folder: Path | None = None, keep: int | None = None) -> BackupResult:
    folder = Path(folder or settings.HUIYIN_BACKUP_DIR)
    keep = settings.HUIYIN_BACKUP_KEEP if keep is None else keep
    if keep < 1:
        raise BackupError("HUIYIN_BACKUP_KEEP 至少为 1")
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.localtime()
    name = f"{PREFIX}{now:%Y%m%d-%H%M%S}{SUFFIX}"
    media_root = Path(settings.MEDIA_ROOT)
    with _private_scratch(folder) as scratch:
        dumped, facts = (_dump_postgresql if _vendor() == "postgresql" else _dump_sqlite)(scratch)
        media = list(_media_files(media_root))
        manifest = {
            "format": FORMAT,
            "app_version": importlib.metadata.version("huiyin"),
            "created_at": now.isoformat(),
            "database": _vendor(),
            "database_member": dumped.name,
            "media_files": len(media),
            **facts,
        }
        partial = folder / (name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                with SealedWriter(raw) as sealed:
                    with tarfile.open(fileobj=sealed, mode="w|") as tar:  # type: ignore[call-overload]
                        _add_bytes(
                            tar,
                            MANIFEST,
                            json.dumps(manifest, ensure_ascii=False, indent=1).encode(),
                        )
                        tar.add(dumped, arcname=dumped.name)
                        for path in media:
                            tar.add(
                                path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}"
                            )
            os.replace(partial, folder / name)
        finally:
            partial.unlink(missing_ok=True)
    path = folder / name
    removed = _prune(folder, keep)
    with transaction.atomic():
        record_security_event(
            None,
            action=SecurityAction.BACKUP,
            subject=f"backup:{name}",
            details={
                "file": name,
                "bytes": path.stat().st_size,
                **facts["counts"],
                "removed": [p.name for p in removed],
            },
        )
    return BackupResult(path=path, manifest=manifest, removed=removed)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


# Restore ------------------------------------------------------------------------------


def _table_names() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def database_is_empty() -> bool:
    tables = set(_table_names())
    with connection.cursor() as cursor:
        for table in OCCUPIED_BY:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return False
    return True


def _media_member(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name)
    if (
        path.is_absolute()
        or ".." in path.parts
        or path.parts[:1] != (MEDIA,)
        or len(path.parts) < 2
    ):
        return None
    return PurePosixPath(*path.parts[1:])


def _unpack(path: Path, scratch: Path) -> tuple[dict[str, Any], Path, Path]:
    """Decrypt and unpack into `scratch`, checking the whole file before anything is applied."""
    staged_media = scratch / MEDIA
    staged_media.mkdir()
    with open(path, "rb") as raw:
        sealed = SealedReader(raw)
        with tarfile.open(fileobj=sealed, mode="r|") as tar:  # type: ignore[call-overload]
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise BackupError("备份文件中没有清单（manifest.json）")
            manifest = json.loads(_read_member(tar, first))
            if manifest.get("format") != FORMAT:
                raise BackupError(f"不认识的备份格式 {manifest.get('format')!r}")
            if manifest.get("database") != _vendor():
                raise BackupError(
                    f"备份来自 {manifest.get('database')} 数据库，不能恢复到 {_vendor()}"
                )
            database = None
            for member in tar:  # the manifest again first (a TarFile yields what it read)
                if member is first or member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"备份中有不允许的条目：{member.name}")
                if member.name == manifest.get("database_member") and database is None:
                    database = scratch / member.name
                    _copy_member(tar, member, database)
                    continue
                relative = _media_member(member.name)
                if relative is None:
                    raise BackupError(f"备份中有不允许的条目：{member.name}")
                _copy_member(tar, member, staged_media / relative)
        sealed.finish()
    if database is None:
        raise BackupError("备份文件中没有数据库")
    return manifest, database, staged_media


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    assert handle is not None
    return handle.read()


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = tar.extractfile(member)
    assert handle is not None
    with open(target, "xb") as out:
        shutil.copyfileobj(handle, out, 1024 * 1024)


def _restore_postgresql(dump: Path, *, replace: bool) -> None:
    env = _pg_environment()
    connection.close()
    command = [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    if replace:
        command += ["--clean", "--if-exists"]
    _run([*command, "--dbname", env.get("PGDATABASE", ""), str(dump)], env)


def _restore_sqlite(copy: Path) -> None:
    name = str(_db()["NAME"])
    if not name or ":memory:" in name or "mode=memory" in name:
        raise BackupError("SQLite 恢复需要一个数据库文件（DATABASE_URL=sqlite:///路径）")
    connection.close()
    source = sqlite3.connect(copy)
    target = sqlite3.connect(name)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def _place_media(staged: Path, root: Path) -> int:
    placed = 0
    for path in _media_files(staged):
        target = root / path.relative_to(staged)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
        placed += 1
    return placed


def _chain_problem() -> str | None:
    """None when audit.chain is not installed; "" when the chain verifies."""
    try:
        from audit.chain import verify_chain
    except ImportError:
        return None
    report = verify_chain()
    return "" if report.ok else f"审计链在第 {report.first_bad_id} 条断开：{report.reason}"


def restore_backup(path: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore `path` into this database and media folder; the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"没有文件 {path}")
    media_root = Path(settings.MEDIA_ROOT)
    tables_exist = bool(_table_names())
    if not force:
        if not database_is_empty():
            raise BackupError("目标数据库不是空的：请恢复到新建的空数据库，或加 --force 覆盖")
        if any(_media_files(media_root)):
            raise BackupError(f"附件目录 {media_root} 不是空的：请换一个空目录，或加 --force")
    with _private_scratch(Path(settings.HUIYIN_BACKUP_DIR)) as scratch:
        manifest, database, staged_media = _unpack(path, scratch)
        if manifest["database"] == "postgresql":
            _restore_postgresql(database, replace=tables_exist)
        else:
            _restore_sqlite(database)
        media_root.mkdir(parents=True, exist_ok=True)
        placed = _place_media(staged_media, media_root)
    with connection.cursor() as cursor:
        found = _facts(cursor)
    problems = [
        f"{name}: 备份 {manifest['counts'][name]}，恢复后 {found['counts'][name]}"
        for name in COUNTED
        if manifest["counts"].get(name) != found["counts"][name]
    ]
    if found["chain_last"] != manifest["chain_last"]:
        problems.append("审计链末值与清单不符")
    if placed != manifest["media_files"]:
        problems.append(f"附件文件：备份 {manifest['media_files']}，恢复 {placed}")
    chain = _chain_problem()
    if chain:
        problems.append(chain)
    if problems:
        raise BackupError("恢复后的核对未通过：" + "；".join(problems))
    with transaction.atomic():
        record_security_event(
            None,
            action=SecurityAction.RESTORE,
            subject=f"backup:{path.name}",
            details={
                "file": path.name,
                "created_at": manifest["created_at"],
                **manifest["counts"],
                "chain_verified": chain is not None,
            },
        )
    manifest["chain_verified"] = chain is not None
    return manifest

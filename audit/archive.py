"""Retention and archive of audit events (issue 16: kept ≥ 6 months, then archived to a
signed file, never dropped).

`archive_events(before=…, to=…)` refuses a date within HUIYIN_AUDIT_RETENTION_DAYS of today;
writes the events recorded before that day (a prefix of the chain, in id order) to a gzip
file of JSON lines: a header, one line per event (every stored column, the chain too), and
a last line with the HMAC-SM3 (audit key) of everything before it (file mode 0600); stores
a signed AuditArchive anchor (the last archived chain, from which the chain then starts:
audit.integrity), then deletes them (the database's trigger allows it only in a transaction
that says so, only for rows older than the retention and covered by an anchor) and records
an AUDIT_ARCHIVE event.
"""

import gzip
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit import chain
from audit.integrity import anchor_signature, previous_signature
from audit.models import AuditArchive, AuditEvent
from audit.trail import SecurityAction, record_security_event
from huiyin.crypto import sm3
from huiyin.errors import DomainError
from huiyin.types import User

FORMAT = "huiyin-audit-archive/1"
DELETE_BATCH = 2000


class ArchiveError(DomainError):
    pass


@dataclass(frozen=True)
class ArchiveResult:
    count: int
    first_id: int | None
    up_to_id: int | None
    last_chain: str
    file: Path
    sha: str


def retention_days() -> int:
    return max(180, int(settings.HUIYIN_AUDIT_RETENTION_DAYS))


def latest_allowed(today: date | None = None) -> date:
    """The latest `before` an archive may name: the retention's first day."""
    return (today or timezone.localdate()) - timedelta(days=retention_days())


def _row(values: tuple[Any, ...]) -> dict[str, Any]:
    row = dict(zip((*chain.CHAIN_FIELDS, "chain"), values, strict=True))
    row["on"] = row["on"].isoformat()
    row["at"] = chain.at_text(row["at"])
    row["address"] = str(row["address"]) if row["address"] is not None else None
    return row


def archive_events(*, before: date, to: Path, by: User | None = None) -> ArchiveResult:
    if before > latest_allowed():
        raise ArchiveError(
            f"只能归档 {latest_allowed().isoformat()} 之前的审计记录"
            f"（保存期限 {retention_days()} 天）",
            field="before",
        )
    if to.exists():
        raise ArchiveError(f"文件已存在：{to}", field="to")
    moment = timezone.make_aware(datetime.combine(before, time.min))
    previous_id, previous = (
        AuditArchive.objects.order_by("-up_to_id").values_list("up_to_id", "last_chain").first()
    ) or (0, chain.GENESIS)
    boundary = (
        AuditEvent.objects.filter(id__gt=previous_id, at__gte=moment)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if boundary is None:
        up_to = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    else:
        up_to = boundary - 1
    if up_to <= previous_id:
        raise ArchiveError(f"{before.isoformat()} 之前没有未归档的审计记录", field="before")

    linker = chain.Linker(previous)
    first_id = None
    last_chain = previous
    count = 0
    partial = to.with_name(to.name + ".part")
    partial.parent.mkdir(parents=True, exist_ok=True)
    signer = chain.keyed_mac()  # the audit key's HMAC-SM3 over every line before the last
    # Mode 0600 from the start: the file holds every archived row.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    with gzip.open(partial, "wb") as out:

        def put(line: dict[str, Any]) -> None:
            data = json.dumps(line, ensure_ascii=False, sort_keys=True).encode() + b"\n"
            signer.update(data)
            out.write(data)

        put({"format": FORMAT, "before": before.isoformat(), "previous_chain": previous,
             "after_id": previous_id})  # fmt: skip
        for rows in chain.batches(previous_id, up_to):
            for values in rows:
                expected = linker.add(values[:-1])
                if values[-1] != expected:
                    partial.unlink()
                    raise ArchiveError(
                        f"审计记录 {values[0]} 的校验链已断开：先运行 huiyin audit verify 查明"
                    )
                first_id = first_id or values[0]
                put(_row(values))
                last_chain = values[-1]
                count += 1
        put({"count": count, "first_id": first_id, "up_to_id": up_to, "last_chain": last_chain})
        out.write(json.dumps({"signature": signer.finalize().hex()}).encode() + b"\n")
    os.chmod(partial, 0o600)
    os.replace(partial, to)
    sha = sm3(to.read_bytes()).hex()
    with transaction.atomic():
        # The anchor first: the database deletes only events an anchor covers (0007).
        AuditArchive.objects.create(
            up_to_id=up_to,
            last_chain=last_chain,
            before=before,
            count=count,
            file_name=str(to),
            sha=sha,
            signature=anchor_signature(
                up_to_id=up_to,
                last_chain=last_chain,
                count=count,
                sha=sha,
                previous_signature=previous_signature(),
            ),
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL huiyin.audit_archive = 'on'")
                cursor.execute(
                    "SELECT set_config('huiyin.audit_retention_days', %s, true)",
                    [str(retention_days())],
                )
        start = previous_id
        while start < up_to:
            end = min(up_to, start + DELETE_BATCH)
            AuditEvent.objects.filter(id__gt=start, id__lte=end).delete()
            start = end
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL huiyin.audit_archive = 'off'")
        record_security_event(
            None,
            action=SecurityAction.AUDIT_ARCHIVE,
            actor=by,
            subject=f"audit:{first_id}-{up_to}",
            details={"before": before.isoformat(), "count": count, "file": to.name, "sm3": sha},
        )
    return ArchiveResult(count, first_id, up_to, last_chain, to, sha)


@dataclass(frozen=True)
class ArchiveCheck:
    ok: bool
    count: int
    reason: str


def verify_archive(path: Path) -> ArchiveCheck:
    """Check an archive file: its signature (audit key), every link inside it, and its
    closing line; and, when this database holds its anchor, that the anchor agrees."""
    signer = chain.keyed_mac()
    try:
        with gzip.open(path, "rb") as source:
            lines = iter(source)
            header_bytes = next(lines)
            signer.update(header_bytes)
            header = json.loads(header_bytes)
            if header.get("format") != FORMAT:
                return ArchiveCheck(False, 0, "不是审计归档文件")
            linker = chain.Linker(header["previous_chain"])
            count = 0
            closing: dict[str, Any] | None = None
            for data in lines:
                line = json.loads(data)
                if "signature" in line:
                    if closing is None:
                        return ArchiveCheck(False, count, "缺少结尾记录")
                    if line["signature"] != signer.finalize().hex():
                        return ArchiveCheck(False, count, "签名不符：文件被修改或不是本系统的密钥")
                    if closing["count"] != count or closing["last_chain"] != linker.previous:
                        return ArchiveCheck(False, count, "结尾记录与内容不符")
                    anchor = AuditArchive.objects.filter(up_to_id=closing["up_to_id"]).first()
                    if anchor is not None and anchor.last_chain != closing["last_chain"]:
                        return ArchiveCheck(False, count, "与数据库中的归档锚点不符")
                    return ArchiveCheck(True, count, "")
                signer.update(data)
                if "count" in line and "id" not in line:
                    closing = line
                    continue
                values = [line[name] for name in chain.CHAIN_FIELDS]
                if linker.add(values) != line["chain"]:
                    return ArchiveCheck(False, count, f"记录 {line['id']} 的校验链不符")
                count += 1
    except (OSError, EOFError, ValueError, KeyError, StopIteration) as exc:
        return ArchiveCheck(False, 0, f"无法读取归档文件：{type(exc).__name__}")
    return ArchiveCheck(False, 0, "缺少签名：文件不完整")

"""What the chain alone cannot show (issue 16, after the security review): the archive's
anchors are signed, and a checkpoint of the chain's head is kept outside the database.

- Anchors: each AuditArchive row carries the HMAC-SM3 (audit key) of its up_to_id,
  last_chain, count, the archive file's SM3 and the previous anchor's signature. A row
  inserted by hand (the table takes INSERTs; the trigger refuses UPDATE and DELETE) has no
  valid signature: verification refuses it instead of starting the chain from it.
- The head checkpoint: `audit.head` in HUIYIN_KEY_DIR (mode 0600), the last verified event's
  id and chain, how many were verified, when, and an HMAC-SM3 over them. Written by a
  successful `huiyin audit verify` (and the console's 校验 button); verification then fails
  when that event is gone or its chain differs (the newest rows were deleted or replaced),
  and when the table is empty while a checkpoint or an anchor says there were events.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from audit import chain

HEAD_FILE = "audit.head"
HEAD_FORMAT = "huiyin-audit-head/1"
ANCHOR_FORMAT = "huiyin-audit-anchor/1"


def _mac(data: Any) -> str:
    mac = chain.keyed_mac()
    mac.update(chain.ENCODER.encode(data).encode())
    return mac.finalize().hex()


def anchor_signature(
    *, up_to_id: int, last_chain: str, count: int, sha: str, previous_signature: str
) -> str:
    return _mac([ANCHOR_FORMAT, int(up_to_id), last_chain, int(count), sha, previous_signature])


def previous_signature() -> str:
    """The newest anchor's signature ("" before the first archive)."""
    from audit.models import AuditArchive

    last = AuditArchive.objects.order_by("-up_to_id").values_list("signature", flat=True).first()
    return last or ""


@dataclass(frozen=True)
class Start:
    after_id: int  # the newest valid anchor's up_to_id (0: none)
    chain: str  # its last_chain (GENESIS: none)
    anchors: int
    problem: str = ""


def checked_start() -> Start:
    """The newest anchor, every anchor's signature checked in order; a problem names the
    first anchor whose signature fails."""
    from audit.models import AuditArchive

    previous = ""
    start = Start(0, chain.GENESIS, 0)
    rows = AuditArchive.objects.order_by("up_to_id").values_list(
        "up_to_id", "last_chain", "count", "sha", "signature"
    )
    for count, (up_to_id, last_chain, n, sha, signature) in enumerate(rows, start=1):
        expected = anchor_signature(
            up_to_id=up_to_id,
            last_chain=last_chain,
            count=n,
            sha=sha,
            previous_signature=previous,
        )
        if signature != expected:
            return Start(
                start.after_id,
                start.chain,
                count,
                f"归档锚点（至第 {up_to_id} 条）的签名不符：它不是由 huiyin audit archive "
                "写入的，不能作为校验链的起点",
            )
        previous = signature
        start = Start(up_to_id, last_chain, count)
    return start


# The head checkpoint ----------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    id: int
    chain: str
    count: int
    at: str


def head_path() -> Path:
    return Path(settings.HUIYIN_KEY_DIR) / HEAD_FILE


def _head_fields(head: Head) -> list[Any]:
    return [HEAD_FORMAT, head.id, head.chain, head.count, head.at]


class HeadError(Exception):
    pass


def read_head() -> Head | None:
    """The checkpoint, None when there is none; HeadError when it is unreadable or its
    HMAC fails (edited, or written with another key)."""
    path = head_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise HeadError(f"无法读取检查点文件 {path}：{type(exc).__name__}") from None
    try:
        head = Head(int(data["id"]), str(data["chain"]), int(data["count"]), str(data["at"]))
        mac = str(data["mac"])
    except (KeyError, TypeError, ValueError):
        raise HeadError(f"检查点文件 {path} 的格式不对") from None
    if data.get("format") != HEAD_FORMAT or mac != _mac(_head_fields(head)):
        raise HeadError(f"检查点文件 {path} 的签名不符：它被修改过，或不是用本系统的密钥写的")
    return head


def write_head(event_id: int, event_chain: str, count: int) -> Path:
    """Write the checkpoint (atomically, mode 0600)."""
    head = Head(event_id, event_chain, count, timezone.now().isoformat())
    data = {
        "format": HEAD_FORMAT,
        "id": head.id,
        "chain": head.chain,
        "count": head.count,
        "at": head.at,
        "mac": _mac(_head_fields(head)),
    }
    path = head_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(json.dumps(data) + "\n")
    os.chmod(partial, 0o600)
    os.replace(partial, path)
    return path


def head_problem(start: Start) -> str:
    """Why the table does not hold what the checkpoint and the anchors say ("" if it does)."""
    from audit.models import AuditEvent

    try:
        head = read_head()
    except HeadError as exc:
        return str(exc)
    if not AuditEvent.objects.exists():
        if head is not None:
            return f"审计记录表是空的，但检查点记录过第 {head.id} 条：记录被清空"
        if start.anchors:
            return "审计记录表是空的，但已有归档锚点：记录被清空"
        return ""
    if head is None or head.id <= start.after_id:
        return ""  # no checkpoint, or archived since
    stored = AuditEvent.objects.filter(pk=head.id).values_list("chain", flat=True).first()
    if stored is None:
        return f"检查点记录的第 {head.id} 条（{head.at[:19]} 校验）不见了：最新的审计记录可能被删除"
    if stored != head.chain:
        return f"第 {head.id} 条的校验值与检查点（{head.at[:19]}）不符：记录被替换"
    return ""


def follow_rechain(first_id: int) -> None:
    """After the loaders re-linked the events from `first_id` on (audit.chain.replace_events):
    a checkpoint inside that stretch follows the new links (its row, or the one before)."""
    from audit.models import AuditEvent

    try:
        head = read_head()
    except HeadError:
        return  # left for verify to report
    if head is None or head.id < first_id:
        return
    row = AuditEvent.objects.filter(id__lte=head.id).order_by("-id").values_list("id", "chain")
    found = row.first()
    if found is not None:
        write_head(found[0], found[1], head.count)

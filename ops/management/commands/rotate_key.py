"""`huiyin rotate-key`: a new SM4 data key, and every sealed value and attachment
re-encrypted to it.

With the key file (HUIYIN_KEY_DIR/data.key): a new key line is appended (it becomes the
current key) and the earlier key lines stay, marked retired by a comment — the backups made
before still need them, and so does any value not re-encrypted yet. With HUIYIN_DATA_KEY
from the environment the command cannot change the key: it prints the value to set (the
given keys plus a new one) and re-encrypts to the newest key given; run it again after the
new value is in place everywhere (server, worker, scheduler).

Then every sealed column (huiyin.sealed.SealedCharField, found in every installed model) and
every attachment's file is re-encrypted to the current key, BATCH rows per transaction; a
value written in clear before sealing is sealed on the way. The blind indexes do not change
(their key never rotates); a missing one is filled. Reading works throughout: a value of a
retired key still opens with it. One KEY_ROTATED security event records the counts.
`--check` only counts what is not yet under the current key.
"""

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models.functions import Cast

from attachments.models import Attachment
from attachments.sealing import needs_reseal, read_stored, reseal
from audit.trail import SecurityAction, record_security_event
from huiyin import crypto
from huiyin.sealed import BlindIndexField, SealedMixin, phone_index, reveal, stored_key_id

BATCH = 500


def sealed_fields() -> list[tuple[type[models.Model], list[str], list[BlindIndexField]]]:
    """Each model with sealed columns: (model, their names, its blind-index fields)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, SealedMixin)]
        if names:
            indexes = [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
            found.append((model, names, indexes))
    return found


def _stale(raw: str | None, ring: crypto.Keyring) -> bool:
    if not raw:
        return False
    # None: not our ciphertext (written before sealing, or unreadable): sealed on the way.
    return stored_key_id(raw) != ring.current_id


def _raw_batches(model: type[models.Model], names: list[str]) -> Iterator[list[dict[str, Any]]]:
    """The stored (ciphertext) values, BATCH rows at a time, in primary-key order."""
    raw = {f"raw_{n}": Cast(n, output_field=models.TextField()) for n in names}
    last: Any = None
    while True:
        rows = model._default_manager.order_by("pk").annotate(**raw)
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.values("pk", *raw)[:BATCH])
        if not batch:
            return
        last = batch[-1]["pk"]
        yield batch


def reseal_rows(ring: crypto.Keyring, *, dry_run: bool = False) -> dict[str, int]:
    """Re-encrypt every sealed value not under ring's current key; {model label: values}."""
    counts: dict[str, int] = {}
    for model, names, indexes in sealed_fields():
        done = 0
        for batch in _raw_batches(model, names):
            stale = [row for row in batch if any(_stale(row[f"raw_{n}"], ring) for n in names)]
            done += sum(_stale(row[f"raw_{n}"], ring) for row in stale for n in names)
            if dry_run or not stale:
                continue
            with transaction.atomic():
                for row in stale:
                    values: dict[str, Any] = {
                        n: reveal(row[f"raw_{n}"] or "") for n in names
                    }  # plain: the field encrypts it with the current key
                    for index in indexes:
                        values[index.attname] = phone_index(values.get(index.source, ""))
                    model._default_manager.filter(pk=row["pk"]).update(**values)
        counts[model._meta.label] = done
    return counts


def reseal_files(ring: crypto.Keyring, *, dry_run: bool = False) -> tuple[int, int]:
    """Re-encrypt every attachment not under the current key: (files, missing files)."""
    done = missing = 0
    last = 0
    while True:
        batch = list(Attachment.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return done, missing
        last = batch[-1].pk
        with transaction.atomic():
            for attachment in batch:
                try:
                    if dry_run:
                        blob = read_stored(attachment.file.storage, attachment.file.name)
                        done += needs_reseal(blob, ring)
                    else:
                        done += reseal(attachment, ring=ring)
                except (FileNotFoundError, OSError):
                    missing += 1


def retire_and_append(path: Path, today: date) -> str:
    """Mark the key lines of the file retired, append a new key; the new key's id."""
    lines = []
    for raw in path.read_text().splitlines():
        body = raw.split("#", 1)[0].strip()
        name = body.split()[0] if body else ""
        if name and name != "index" and "retired" not in raw:
            raw = f"{raw}  # retired {today.isoformat()}: kept to read older data and backups"
        lines.append(raw)
    new_line = crypto.new_data_key_line()
    text = "\n".join(lines) + "\n" + new_line
    crypto.parse_keyring(text)  # never write a file the server could not read
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(temporary, path)
    return new_line.split()[0]


class Command(BaseCommand):
    help = "轮换 SM4 数据密钥，并把所有加密字段和附件重新加密到新密钥"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="只统计尚未使用当前密钥的数据，不做修改"
        )
        parser.add_argument(
            "--reencrypt-only",
            action="store_true",
            help="不生成新密钥，只把数据重新加密到当前密钥（如中断后续做）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check, only = options["check"], options["reencrypt_only"]
        crypto.forget_keys()
        given = os.environ.get("HUIYIN_DATA_KEY", "")
        if not check and not only:
            if given:
                ring = crypto.data_keyring()
                line = crypto.new_data_key_line().split()
                listed = ",".join(f"{k}:{v.hex()}" for k, v in ring.keys.items())
                self.stdout.write(
                    "数据密钥来自环境变量 HUIYIN_DATA_KEY，本命令不能修改它。请在服务器、"
                    "worker 和 scheduler 的环境中设置（旧密钥保留在前，新密钥在最后），"
                    "重启后再次运行 huiyin rotate-key --reencrypt-only：\n"
                    f"HUIYIN_DATA_KEY={listed},{line[0]}:{line[1]}"
                )
                if not os.environ.get("HUIYIN_DATA_INDEX_KEY"):
                    self.stdout.write(
                        "另请同时设置 HUIYIN_DATA_INDEX_KEY（盲索引密钥，不轮换）："
                        f"HUIYIN_DATA_INDEX_KEY={ring.index_key.hex()}"
                    )
                self.stdout.write(f"现在把数据重新加密到当前最新密钥 {ring.current_id}。")
            else:
                path = crypto.key_dir() / crypto.DATA_KEY_FILE
                if not path.exists():
                    raise CommandError(f"没有找到数据密钥文件 {path}：请先运行 huiyin keys init")
                new_id = retire_and_append(path, date.today())
                crypto.forget_keys()
                self.stdout.write(f"新密钥 {new_id} 已写入 {path}，旧密钥已标记为停用并保留。")
        ring = crypto.data_keyring()
        rows = reseal_rows(ring, dry_run=check)
        files, missing = reseal_files(ring, dry_run=check)
        verb = "待重新加密" if check else "已重新加密"
        for label, count in rows.items():
            self.stdout.write(f"{label}: {verb} {count} 个字段值")
        self.stdout.write(f"附件: {verb} {files} 个文件")
        if missing:
            self.stdout.write(f"附件: {missing} 个文件不存在，已跳过")
        if check:
            return
        record_security_event(
            None,
            action=SecurityAction.KEY_ROTATED,
            details={
                "key": ring.current_id,
                "values": sum(rows.values()),
                "files": files,
                "missing_files": missing,
                "new_key": not only,
            },
        )

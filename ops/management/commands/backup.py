from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from huiyin.crypto import DecryptionError
from ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "备份数据库与附件为一个 SM4 加密文件（HUIYIN_BACKUP_DIR，保留最新 HUIYIN_BACKUP_KEEP 份）。"
        "密钥不在备份中：请另行保管 HUIYIN_KEY_DIR 的密钥文件"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dir", type=Path, help="备份目录（默认 HUIYIN_BACKUP_DIR）")
        parser.add_argument("--keep", type=int, help="保留的份数（默认 HUIYIN_BACKUP_KEEP）")

    def handle(self, *args: object, dir: Path | None, keep: int | None, **options: object) -> None:
        try:
            result = create_backup(folder=dir, keep=keep)
        except (BackupError, DecryptionError, OSError) as exc:
            raise CommandError(f"备份失败：{exc}") from exc
        counts = result.manifest["counts"]
        self.stdout.write(
            f"已备份到 {result.path}（{result.path.stat().st_size} 字节）：案件 {counts['cases']}，"
            f"审计记录 {counts['audit_events']}，附件 {counts['attachments']}，"
            f"附件文件 {result.manifest['media_files']}"
        )
        for path in result.removed:
            self.stdout.write(f"已删除旧备份 {path.name}")

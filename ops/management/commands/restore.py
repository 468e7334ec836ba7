from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from huiyin.crypto import DecryptionError
from ops.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "从 huiyin backup 的文件恢复到空数据库与空附件目录（--force 覆盖非空的），"
        "解密、恢复、核对清单中的数量与审计链。需要备份时所用的数据密钥"
    )
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="备份文件（.hybak）")
        parser.add_argument("--force", action="store_true", help="覆盖非空的数据库和附件目录")

    def handle(self, *args: object, file: Path, force: bool, **options: object) -> None:
        try:
            manifest = restore_backup(file, force=force)
        except (BackupError, DecryptionError, OSError) as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        counts = manifest["counts"]
        chain = (
            "审计链校验通过" if manifest["chain_verified"] else "未校验审计链（audit.chain 不可用）"
        )
        self.stdout.write(
            f"已恢复 {file.name}（{manifest['created_at']}，版本 {manifest['app_version']}）：案件 "
            f"{counts['cases']}，审计记录 {counts['audit_events']}，附件 {counts['attachments']}；{chain}"
        )

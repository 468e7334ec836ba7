"""`huiyin keys init`: create the audit key and the data keyring files that are missing
(HUIYIN_KEY_DIR, default var/; mode 0600). `huiyin keys status`: where each key comes from.
Back the files up apart from the database: without them the personal data and the backups
cannot be read, and the audit chain cannot be checked."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from huiyin import crypto


class Command(BaseCommand):
    help = "创建缺少的审计密钥和数据密钥文件（init），或显示密钥来源（status）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["init", "status"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "init":
            for path in crypto.init_key_files():
                self.stdout.write(f"created {path}")
            crypto.forget_keys()
        folder = crypto.key_dir()
        for env, name in (
            ("HUIYIN_AUDIT_KEY", crypto.AUDIT_KEY_FILE),
            ("HUIYIN_DATA_KEY", crypto.DATA_KEY_FILE),
        ):
            if os.environ.get(env):
                self.stdout.write(f"{name}: from {env}")
            elif (folder / name).exists():
                self.stdout.write(f"{name}: {folder / name}")
            else:
                self.stdout.write(f"{name}: missing")

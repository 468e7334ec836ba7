"""`huiyin import-holidays --notice FILE`: import the State Council's yearly holiday notice.

Django finds commands by file name, hence the hyphen (`import_module` accepts it).
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from huiyin.commands import domain_errors
from huiyin.types import User
from workdays.actions import NOTE_MAX, import_year
from workdays.notice import parse_notice


def read_notice(path: Path) -> str:
    """The file's text, as UTF-8 (with or without BOM) or GBK (GB18030)."""
    if not path.is_file():
        raise CommandError(f"找不到文件：{path}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"无法读取文件：{path}（{exc.strerror or exc}）") from exc
    not_text = CommandError(f"无法读取文件：{path} 不是 UTF-8 或 GBK 编码的文本文件")
    if b"\x00" in data:
        raise not_text  # UTF-16, Word documents, PDFs and other binary files
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise not_text


class Command(BaseCommand):
    help = (
        "导入国务院办公厅关于某年部分节假日安排的通知（文本文件，UTF-8 或 GBK）："
        "逐日显示“YYYY-MM-DD 休/班”，然后写入该年的工作日历并将该年标记为已确认。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--notice", required=True, metavar="FILE", help="通知全文的文本文件")
        parser.add_argument("--year", type=int, help="年份（默认取自通知标题）")
        parser.add_argument("--dry-run", action="store_true", help="只解析并显示，不写入")
        parser.add_argument("--user", help="记为操作人的用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["notice"])
        user = self._user(options["user"])
        text = read_notice(path)
        with domain_errors():
            result = parse_notice(text, options["year"])
        for day, is_workday in result.days.items():
            self.stdout.write(f"{day:%Y-%m-%d} {'班' if is_workday else '休'}")
        holidays = sum(1 for flag in result.days.values() if not flag)
        workdays = len(result.days) - holidays
        if options["dry_run"]:
            self.stdout.write(
                f"试运行：{result.year} 年 {len(result.holidays)} 个节假日，"
                f"休 {holidays} 天，班 {workdays} 天，未写入。"
            )
            return
        note = f"国务院节假日安排通知（{path.name}）"[:NOTE_MAX]
        with domain_errors():
            summary = import_year(result.year, result.days, by=user, source="notice", note=note)
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {summary.year} 年节假日安排：{len(result.holidays)} 个节假日，"
                f"休 {summary.holidays} 天，班 {summary.workdays} 天；该年已确认，"
                "暂定期限已重新计算。"
            )
        )

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user_model = get_user_model()
        try:
            return user_model._default_manager.get_by_natural_key(username)
        except user_model.DoesNotExist as exc:
            raise CommandError(f"用户不存在：{username}") from exc

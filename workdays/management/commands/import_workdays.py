from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from huiyin.commands import domain_errors
from huiyin.types import User
from workdays.actions import import_year
from workdays.parsing import check_year, parse_day_file, single_year


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Files saved by Chinese Windows tools are often GBK.
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise CommandError(f"无法读取文件编码（请使用 UTF-8）：{path}") from exc


class Command(BaseCommand):
    help = "导入一年的工作日历（每行一天：YYYY-MM-DD 休 或 YYYY-MM-DD 班），并将该年标记为已确认。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="日历文件路径")
        parser.add_argument("--year", type=int, help="年份（默认由文件中的日期推断）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示，不写入")
        parser.add_argument("--user", help="记为操作人的用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        user = self._user(options["user"])
        with domain_errors():
            days = parse_day_file(read_text(path))
            year = options["year"] or single_year(days)
            check_year(days, year)
            for day, is_workday in sorted(days.items()):
                self.stdout.write(f"{day:%Y-%m-%d} {'班' if is_workday else '休'}")
            holidays = sum(1 for flag in days.values() if not flag)
            workdays = len(days) - holidays
            if options["dry_run"]:
                self.stdout.write(
                    f"试运行：{year} 年共 {len(days)} 天（休 {holidays} 天，班 {workdays} 天），未写入。"
                )
                return
            summary = import_year(year, days, by=user, source="file", note=f"导入自 {path.name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {summary.year} 年工作日历：休 {summary.holidays} 天，"
                f"班 {summary.workdays} 天；该年已确认。"
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

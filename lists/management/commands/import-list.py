"""huiyin import-list FILE.xlsx --name "…": import one list (lists.importing). On success
the last line of standard output is the new list's id alone; on any problem nothing is
imported, every problem is printed with its row, column and value, and the exit status is
non-zero."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from huiyin.commands import domain_errors
from huiyin.dates import parse_date
from huiyin.types import User
from lists.importing import import_list, plan_list
from orgs.models import Role
from transfer.errors import ImportFileError


class Command(BaseCommand):
    help = "导入清单（.xlsx）：先检查，无错误时导入；--dry-run 只检查不导入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="清单文件（.xlsx）")
        parser.add_argument("--name", default="", help="清单名称（默认为表格的标题行）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--starts-on", metavar="DATE", help="开始日期（默认今天）")
        parser.add_argument("--ends-on", metavar="DATE", help="结束日期（可空）")
        parser.add_argument("--owner", metavar="USERNAME", help="清单负责人（销号审核）的用户名")
        parser.add_argument("--reports-to", default="", help="报告对象，如“市人大常委会”")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = _actor()
        owner = _user(options["owner"]) if options["owner"] else None
        with domain_errors():
            starts_on = (
                parse_date(options["starts_on"], label="开始日期", field="starts_on")
                if options["starts_on"]
                else date.today()
            )
            ends_on = (
                parse_date(options["ends_on"], label="结束日期", field="ends_on")
                if options["ends_on"]
                else None
            )
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{path}”：{exc.strerror}") from None
        try:
            plan = plan_list(data, path.name, starts_on=starts_on, ends_on=ends_on)
        except ImportFileError as exc:
            raise CommandError(f"{path.name}：{exc.message}") from None
        write = self.stdout.write
        write(f"{path.name}：{plan.summary()}")
        if plan.ignored:
            write(f"未识别的列（不导入）：{'、'.join(plan.ignored)}")
        for note in plan.notes:
            write(note)
        if plan.has_errors:
            for problem in plan.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"有{len(plan.problems)}处错误，未导入任何数据")
        if options["dry_run"]:
            write("检查通过（--dry-run：未写入）")
            return
        with domain_errors():
            rect_list = import_list(
                plan, by=actor, name=options["name"], starts_on=starts_on, owner=owner,
                reports_to=options["reports_to"], ends_on=ends_on,
            )  # fmt: skip
        write(f"已导入清单 {rect_list.code} {rect_list.name}")
        write(str(rect_list.pk))


def _actor() -> User:
    """The first active coordinator (议提案管理员, the office) acts for the command."""
    found = (
        User.objects.filter(memberships__role=Role.COORDINATOR, is_active=True)
        .order_by("pk")
        .first()
    )
    if found is None:
        raise CommandError("系统中没有在用的议提案管理员（办公室），无法导入")
    return found


def _user(username: str) -> User:
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise CommandError(f"没有用户“{username}”")
    return found

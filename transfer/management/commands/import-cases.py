import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from huiyin.commands import domain_errors
from huiyin.types import User
from orgs.models import Role, UnitKind
from transfer.planning import CHANGED, apply_import, plan_import

SHOWN_CHANGES = 20  # changed rows listed one by one; the rest only counted


class Command(BaseCommand):
    help = "导入议提案台账（.xlsx或.csv）：先检查，无错误时导入；--dry-run 只检查不导入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件（.xlsx或.csv）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--user", metavar="USERNAME", help="导入人的用户名（须为议提案管理员）")
        parser.add_argument(
            "--create-units",
            action="store_true",
            help="自动创建表中出现而系统中没有的处室和外部单位",
        )

    def handle(
        self, *args, file: str, dry_run: bool, user: str | None, create_units: bool, **options
    ):
        importer = _importer(user)
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{file}”：{exc.strerror}") from None
        with domain_errors():  # ImportFileError, ActionForbidden …
            plan = plan_import(data, path.name, user=importer, create_units=create_units)
        w = self.stdout.write
        w(f"{path.name}：{plan.summary()}")
        if plan.computed_columns:
            w(f"系统计算的列（导入时忽略）：{'、'.join(plan.computed_columns)}")
        if plan.ignored_columns:
            w(f"未识别的列（不导入）：{'、'.join(plan.ignored_columns)}")
        if plan.new_units:
            kinds = dict(UnitKind.choices)
            w("将新建单位：" + "、".join(f"{u.name}（{kinds[u.kind]}）" for u in plan.new_units))
        changed = [r for r in plan.rows if r.status == CHANGED]
        for row in changed[:SHOWN_CHANGES]:
            w(f"  第{row.row}行 {row.number} {row.title}：修改{'、'.join(row.changed_columns)}")
        if len(changed) > SHOWN_CHANGES:
            w(f"  ……另有{len(changed) - SHOWN_CHANGES}行有修改")
        if plan.has_errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            if plan.has_unknown_units and not create_units:
                self.stderr.write("提示：加 --create-units 可自动创建表中的新单位。")
            raise CommandError(f"有{len(plan.errors)}处错误，未导入任何数据")
        if dry_run:
            w("检查通过（--dry-run：未写入）")
            return
        total = len(plan.items)

        def progress(done: int, total: int) -> None:
            if sys.stderr.isatty():
                self.stderr.write(f"\r已写入{done}/{total}", ending="")

        with domain_errors():
            summary = apply_import(plan, user=importer, source_name=path.name, progress=progress)
        if total and sys.stderr.isatty():
            self.stderr.write("")
        w(str(summary))


def _importer(username: str | None) -> User:
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有用户“{username}”")
        return user
    coordinators = User.objects.filter(
        Q(memberships__role=Role.COORDINATOR), is_active=True
    ).distinct()[:2]
    if len(coordinators) != 1:
        raise CommandError("请用 --user 指定导入人（议提案管理员的用户名）")
    return coordinators[0]

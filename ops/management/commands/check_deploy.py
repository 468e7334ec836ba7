from django.core.management.base import BaseCommand, CommandError

from ops import checks


class Command(BaseCommand):
    help = (
        "上线前检查：Django 的 check --deploy 与回音自己的各项（密钥、HTTPS、双因素、审计与数据密钥、"
        "演示账号、备份、审计链、迁移、任务进程）。每项一行 OK 或 FAIL，有 FAIL 时退出码为 1"
    )
    requires_system_checks: list[str] = []  # the deployment checks are run as items

    def handle(self, *args: object, **options: object) -> None:
        items = checks.run()
        for item in items:
            self.stdout.write(item.line())
        failed = sum(not item.ok for item in items)
        if failed:
            raise CommandError(f"{failed} 项未通过", returncode=1)
        self.stdout.write(f"全部 {len(items)} 项通过")

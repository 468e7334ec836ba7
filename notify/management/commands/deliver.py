"""`huiyin deliver [--budget SECONDS]`: one pass of the outbox, for a site that runs cron
instead of `huiyin scheduler` (every minute: `* * * * * huiyin deliver`). It sends the
messages due when it starts (retries whose back-off ran out, those whose task was lost),
stops taking new ones after --budget seconds, and exits."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notify.outbox import PASS_SECONDS, deliver_due


class Command(BaseCommand):
    help = "投递一次到期的消息（重试、丢失任务的消息）后退出；供用 cron 代替 huiyin scheduler 的站点每分钟运行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--budget",
            type=float,
            default=PASS_SECONDS,
            help=f"超过这么多秒后不再开始发送新的消息（默认 {PASS_SECONDS:g}）",
        )

    def handle(self, *args: Any, budget: float, **options: Any) -> None:
        if not 0 < budget <= 3600:
            raise CommandError("--budget 应为 0 到 3600 之间的秒数")
        sent = deliver_due(budget=budget)
        self.stdout.write(f"已发送 {sent} 条消息")

"""`huiyin remind [--today YYYY-MM-DD] [--wait]`: the morning run of one day.

It runs exactly the morning run of that day, whatever the clock says and whatever earlier
runs did: only a reminder already in the outbox is never written again. On a rest day it
sends nothing and exits 0. Without --today (cron) it runs today's, but not before the
office hours' start (HUIYIN_REMIND_AT, Asia/Shanghai): earlier it sends nothing and
exits 0. With --wait it returns once every message it wrote is sent or failed (exit 1 if
some are still pending after --timeout seconds)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.record import today
from huiyin.commands import domain_errors
from huiyin.dates import parse_date
from notify.models import Message, Status
from notify.outbox import wait
from notify.schedule import remind_at
from reminders.people import chunks
from reminders.run import morning_run

DEFAULT_TIMEOUT = 600


class Command(BaseCommand):
    help = "发送当天到期、逾期提醒和每日汇总（只在工作日；同一提醒不会重复发送）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", metavar="YYYY-MM-DD", help="按这一天运行（默认今天）")
        parser.add_argument(
            "--wait", action="store_true", help="等到本次写入的消息全部发送（或失败）后再返回"
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=DEFAULT_TIMEOUT,
            help=f"--wait 最多等待的秒数（默认 {DEFAULT_TIMEOUT}）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["today"]:
            with domain_errors():
                day = parse_date(options["today"], label="--today ")
        else:
            now, at = timezone.localtime(), remind_at()
            if now.time() < at:
                self.stdout.write(
                    f"现在（{now:%H:%M}）早于提醒时间 {at:%H:%M}，未发送提醒；"
                    "请在此后运行，或用 --today 指定日期。"
                )
                return
            day = today()
        result = morning_run(day)
        self.stdout.write(result.summary())
        if not options["wait"] or not result.messages:
            return
        if not wait(result.messages, options["timeout"]):
            raise CommandError(f"等待 {options['timeout']} 秒后仍有消息未发送完毕")
        failed = sum(
            Message.objects.filter(pk__in=batch, status=Status.FAILED).count()
            for batch in chunks(result.messages)
        )
        done = f"{len(result.messages)} 条消息已处理完毕"
        if failed:
            self.stderr.write(self.style.WARNING(f"{done}，其中 {failed} 条发送失败。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"{done}，全部发送成功。"))

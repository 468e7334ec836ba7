"""`huiyin audit verify [--from DATE]`: walk the audit chain; exit 0 with "OK … events
verified", or print the first broken link (id, time, action, why), a forged anchor or a
lost head (audit.integrity) and exit 1. A successful run writes the head checkpoint
(audit.head in HUIYIN_KEY_DIR). `--scheduled` (the scheduler's daily run): a failure is
logged as an error, not raised.
`huiyin audit archive --before DATE --to FILE`: archive the events before DATE to a signed
file and remove them (refused within the retention). `huiyin audit verify-archive FILE`."""

import logging
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from audit.archive import archive_events, verify_archive
from audit.chain import verify_chain
from audit.integrity import write_head
from audit.models import AuditEvent
from huiyin.commands import domain_errors

log = logging.getLogger(__name__)


def a_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


class Command(BaseCommand):
    help = "审计记录：校验链（verify）、归档（archive）、校验归档文件（verify-archive）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        verify = sub.add_parser("verify", help="校验审计记录的校验链")
        verify.add_argument("--from", dest="since", metavar="DATE", help="从这一天的第一条起")
        verify.add_argument(
            "--scheduled", action="store_true", help="调度器用：校验失败写入错误日志，不报错退出"
        )
        archive = sub.add_parser("archive", help="归档并移除某日之前的审计记录")
        archive.add_argument("--before", required=True, metavar="DATE")
        archive.add_argument("--to", required=True, metavar="FILE")
        check = sub.add_parser("verify-archive", help="校验归档文件的签名和校验链")
        check.add_argument("file", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "verify":
            try:
                self.verify(options.get("since"))
            except CommandError as exc:
                if not options.get("scheduled"):
                    raise
                log.error("huiyin audit verify: %s", exc)
        elif what == "archive":
            with domain_errors():
                result = archive_events(before=a_date(options["before"]), to=Path(options["to"]))
            self.stdout.write(
                f"OK {result.count} events archived (ids {result.first_id}–{result.up_to_id}) "
                f"to {result.file}, SM3 {result.sha}"
            )
        else:
            check = verify_archive(Path(options["file"]))
            if not check.ok:
                self.stdout.write(f"FAIL {options['file']}: {check.reason}")
                raise CommandError("归档文件校验失败", returncode=1)
            self.stdout.write(f"OK {check.count} events in {options['file']} verified")

    def verify(self, since_text: str | None) -> None:
        since = a_date(since_text) if since_text else None
        started = time.perf_counter()
        report = verify_chain(since=since)
        elapsed = time.perf_counter() - started
        if report.ok:
            if report.checked and report.last_id is not None:
                try:
                    write_head(report.last_id, report.last_chain, report.checked)
                except OSError as exc:
                    raise CommandError(f"无法写入检查点文件：{exc}", returncode=1) from None
            self.stdout.write(
                f"OK {report.checked} events verified"
                + (f" from {since.isoformat()}" if since else "")
                + f" in {elapsed:.1f} s"
            )
            return
        if report.first_bad_id is None:
            self.stdout.write(f"FAIL: {report.reason}")
            raise CommandError(f"审计记录校验失败：{report.reason}", returncode=1)
        event = AuditEvent.objects.filter(pk=report.first_bad_id).first()
        at = timezone.localtime(event.at).isoformat(" ", "seconds") if event else "?"
        action = event.action if event else "?"
        self.stdout.write(
            f"BROKEN at event {report.first_bad_id} ({at}, {action}): {report.reason}; "
            f"{report.checked} events verified before it"
        )
        raise CommandError(f"审计记录校验链断开（第 {report.first_bad_id} 条）", returncode=1)

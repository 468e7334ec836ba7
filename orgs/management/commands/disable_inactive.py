"""`huiyin disable-inactive`: disable the accounts nobody logged into for HUIYIN_INACTIVE_DAYS
(new ones never logged in count from their creation), each audited ACCOUNT_DISABLED. The
scheduler runs it every working morning; a login past the limit is refused and disables
the account too (orgs.backends), so a day between runs opens no gap."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from orgs.policy import disable_inactive


class Command(BaseCommand):
    help = "停用超过 HUIYIN_INACTIVE_DAYS 天未登录的账号（每个记入审计记录）"

    def handle(self, *args: Any, **options: Any) -> None:
        days = settings.HUIYIN_INACTIVE_DAYS
        if days <= 0:
            self.stdout.write("HUIYIN_INACTIVE_DAYS=0：不停用长期未登录的账号")
            return
        names = disable_inactive()
        if names:
            self.stdout.write(
                f"已停用 {len(names)} 个超过 {days} 天未登录的账号：" + "、".join(names)
            )
        else:
            self.stdout.write(f"没有超过 {days} 天未登录的账号")

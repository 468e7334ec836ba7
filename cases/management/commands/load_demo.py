from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cases.demo import DEMO_PASSWORD, PEOPLE, UNITS, demo_is_loaded, load_demo
from huiyin.commands import domain_errors
from orgs.accounts import mark_demo_accounts

REFUSED = (
    "演示数据只能在演示模式下载入：请设置 HUIYIN_DEMO=1（make run 已设置）。"
    "演示账号的密码是公开的 huiyin-demo，不能用于正式系统。"
)


class Command(BaseCommand):
    help = "载入演示数据（单位、用户和约60件本年度议提案）"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="数据库已有办件时跳过")

    def handle(self, *args, if_empty: bool = False, **options):
        if not settings.HUIYIN_DEMO:
            raise CommandError(REFUSED)
        if demo_is_loaded():
            if if_empty:
                self.stdout.write("数据库已有办件，未载入演示数据。")
                self._print_accounts()
                return
            raise CommandError("数据库已有办件；演示数据只能载入空数据库")
        with domain_errors():
            summary = load_demo()
        usernames = [username for username, *_ in PEOPLE]
        mark_demo_accounts(list(get_user_model().objects.filter(username__in=usernames)))
        self.stdout.write(self.style.WARNING("演示模式：已载入演示数据，演示账号使用公开密码。"))
        self.stdout.write(
            f"已载入演示数据：{summary['units']}个单位，{summary['users']}个用户，{summary['cases']}件办件。"
        )
        link = summary["proposer_side"]["link"]
        if link:  # the token is not stored: this is the one time it is shown
            self.stdout.write(f"代表委员征询链接（演示，免登录）：{link}")
        self._print_accounts()

    def _print_accounts(self) -> None:
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        unit_names = {code: name for code, name, _ in UNITS}
        for username, full_name, unit, role in PEOPLE:
            self.stdout.write(f"  {username:<15} {full_name}（{unit_names[unit]} · {role.label}）")

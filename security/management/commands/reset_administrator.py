"""`huiyin reset-administrator USERNAME [--password-only | --device-only]`: the password
and/or the second factor of an administrator (系统管理员, 安全管理员, 审计管理员), which no
one may reset on the web — one 安全管理员 could otherwise take over another administrator
or the 审计管理员. It takes access to the server (ops), not a role in the system.

The password becomes a one-time password, printed once, which the administrator replaces
at the next login; the device and the recovery codes are removed, so the next login binds
a new one. Their sessions and API tokens end. The same actions as the web's
(orgs.actions.reset_password, security.actions.reset_device) record the events, with no
actor (the server) and the account named in the subject; all or nothing in one transaction.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from huiyin.errors import DomainError
from huiyin.types import User
from ops.management.commands.create_admins import one_time_password
from orgs.actions import holds_administrator_role, reset_password
from security.actions import reset_device
from security.models import TotpDevice


class Command(BaseCommand):
    help = "在服务器上重设管理员（系统管理员、安全管理员、审计管理员）的密码和/或动态口令"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="管理员的用户名")
        only = parser.add_mutually_exclusive_group()
        only.add_argument("--password-only", action="store_true", help="只重设密码")
        only.add_argument("--device-only", action="store_true", help="只重置动态口令")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户“{username}”")
        if not holds_administrator_role(user):
            raise CommandError(
                f"“{username}”不是管理员：其密码和动态口令由安全管理员在“系统管理”中重设"
            )
        do_password = not options["device_only"]
        do_device = not options["password_only"]
        has_device = TotpDevice.objects.filter(user=user).exists()
        if options["device_only"] and not has_device:
            raise CommandError(f"“{username}”尚未绑定动态口令，无需重置")
        password = one_time_password() if do_password else ""
        try:
            with transaction.atomic():
                if do_password:
                    reset_password(user, by=None, password=password)
                if do_device and has_device:
                    reset_device(user.pk, by=None)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if do_password:
            self.stdout.write(
                f"已重设“{username}”的密码（只显示这一次，请当面交给本人；首次登录须修改）："
            )
            self.stdout.write(f"  {password}")
        if do_device:
            self.stdout.write(
                f"已重置“{username}”的动态口令，下次登录时须重新绑定。"
                if has_device
                else f"“{username}”尚未绑定动态口令，下次登录时绑定。"
            )
        self.stdout.write("其登录会话和访问令牌均已结束。")

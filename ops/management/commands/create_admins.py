"""`huiyin create-admins`: the first 系统管理员, 安全管理员 and 审计管理员 of a new
installation (三权分立), each with a one-time password printed once. Each must choose a
password and enrol a second factor at the first login. After that the 系统管理员 creates the
other accounts and the 安全管理员 grants their roles in /console/; this command refuses to
run again while any of the three roles is held."""

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from orgs.accounts import require_password_change
from orgs.actions import OrgError, create_unit, create_user
from orgs.models import ADMINISTRATOR_ROLES, Membership, Role, Unit, UnitKind

DEFAULT_NAMES = {Role.ADMIN: "sysadmin", Role.SECURITY: "secadmin", Role.AUDITOR: "auditadmin"}
OFFICE_CODE = "bangongshi"


def one_time_password() -> str:
    # Three kinds at least (orgs.passwords): letters of both cases, digits and a symbol.
    return f"Hy-{secrets.token_urlsafe(12)}-{secrets.randbelow(90) + 10}a"


class Command(BaseCommand):
    help = "创建首批三名管理员（系统管理员、安全管理员、审计管理员），各自首次登录时修改密码并绑定动态口令"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--admin", default=DEFAULT_NAMES[Role.ADMIN], help="系统管理员的用户名")
        parser.add_argument(
            "--security", default=DEFAULT_NAMES[Role.SECURITY], help="安全管理员的用户名"
        )
        parser.add_argument(
            "--auditor", default=DEFAULT_NAMES[Role.AUDITOR], help="审计管理员的用户名"
        )
        parser.add_argument(
            "--unit", default=OFFICE_CODE, help="所在单位的代码（没有时创建“办公室”）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        held = Membership.objects.filter(role__in=ADMINISTRATOR_ROLES, user__is_active=True)
        if held.exists():
            raise CommandError(
                "已有管理员账号：请由安全管理员在“系统管理”中授予角色，本命令只用于新系统"
            )
        names = {
            Role.ADMIN: options["admin"],
            Role.SECURITY: options["security"],
            Role.AUDITOR: options["auditor"],
        }
        if len(set(names.values())) != 3:
            raise CommandError("三名管理员须是三个不同的账号（三权分立）")
        made: list[tuple[str, str, str]] = []
        try:
            with transaction.atomic():
                unit = Unit.objects.filter(code=options["unit"]).first() or create_unit(
                    by=None, code=options["unit"], name="办公室", kind=UnitKind.OFFICE
                )
                for role, username in names.items():
                    password = one_time_password()
                    user = create_user(
                        by=None,
                        username=username,
                        password=password,
                        full_name=str(Role(role).label),
                        roles=[(unit, role)],
                    )
                    require_password_change(user)
                    made.append((str(Role(role).label), username, password))
        except OrgError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            "已创建（密码只显示这一次，请分别交给三人；首次登录须修改密码并绑定动态口令）："
        )
        for label, username, password in made:
            self.stdout.write(f"  {label}\t{username}\t{password}")

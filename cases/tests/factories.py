"""Factories and a standard cast for tests: units, people and cases built through actions."""

from datetime import date
from itertools import count
from typing import Any

from django.contrib.auth import get_user_model

from cases import actions
from cases.models import Case
from orgs.actions import grant_role
from orgs.models import Role, Unit, UnitKind

_numbers = count(1)


def make_unit(
    code: str, name: str, kind: str = UnitKind.DEPARTMENT, parent: Unit | None = None
) -> Unit:
    return Unit.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "parent": parent}
    )[0]


def make_user(username: str, *roles: tuple[Unit, str], full_name: str = "") -> Any:
    User = get_user_model()
    user = User.objects.create_user(
        username=username,
        password="pw-" + username,
        first_name=full_name or username,
        email=f"{username}@example.org",
    )
    for unit, role in roles:
        grant_role(by=None, user=user, unit=unit, role=role)
    return user


class Cast:
    """The people of a small commission: the three administrators, 办公室 coordinator, a
    leader, a viewer, unit heads, a handler, and an outsider with no role."""

    def __init__(self) -> None:
        self.office = make_unit("bangongshi", "办公室", UnitKind.OFFICE)
        self.yizheng = make_unit("yizheng", "医政医管处")
        self.jiceng = make_unit("jiceng", "基层卫生健康处")
        self.zhongyi = make_unit("zhongyi", "中医药管理处")
        self.fagaiwei = make_unit("fagaiwei", "市发改委", UnitKind.EXTERNAL)
        # 三权分立: the 系统管理员, the 安全管理员 (grants roles) and the 审计管理员.
        self.admin = make_user("admin", (self.office, Role.ADMIN))
        self.security = make_user("security", (self.office, Role.SECURITY), full_name="安全员")
        self.auditor = make_user("auditor", (self.office, Role.AUDITOR), full_name="审计员")
        self.coordinator = make_user(
            "coordinator", (self.office, Role.COORDINATOR), full_name="王协调"
        )
        self.leader = make_user("leader", (self.office, Role.LEADER), full_name="李主任")
        self.viewer = make_user("viewer", (self.office, Role.VIEWER))
        self.yizheng_head = make_user("yizheng", (self.yizheng, Role.HEAD), full_name="张处长")
        self.yizheng_handler = make_user(
            "yizheng_clerk", (self.yizheng, Role.HANDLER), full_name="赵科员"
        )
        self.jiceng_head = make_user("jiceng", (self.jiceng, Role.HEAD))
        self.zhongyi_head = make_user("zhongyi", (self.zhongyi, Role.HEAD))
        self.outsider = make_user("outsider")


def register(cast: Cast, *, on: date, **overrides: Any) -> Case:
    data: dict[str, Any] = {
        "category": "npc_suggestion",
        "level": "municipal",
        "year": on.year,
        "session": "市十五届人大五次会议",
        "number": f"2026{next(_numbers):04d}",
        "title": "关于加强基层医疗卫生人才队伍建设的建议",
        "content": "建议加大基层卫生人才培养力度。",
        "lead_proposer": "陈代表",
        "joint_proposers": ["刘代表", "周代表"],
        "mode": "lead",
        "topics": ["基层卫生", "人才"],
        "received_on": on,
    }
    data.update(overrides)
    return actions.register_case(by=cast.coordinator, **data)

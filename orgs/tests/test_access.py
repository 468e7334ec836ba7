from datetime import date

import pytest
import time_machine

from cases.permissions import relations, visible_cases
from cases.tests.factories import make_user, register
from orgs.access import standing_of
from orgs.actions import OrgError, create_unit, create_user, grant_role
from orgs.models import Role

pytestmark = pytest.mark.django_db


@time_machine.travel(date(2026, 12, 31), tick=False)
def test_unit_people_see_only_their_units_cases(cast):
    from cases import actions

    mine = register(cast, on=date(2026, 3, 2))
    actions.assign_case(
        mine,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng],
        assigned_on=date(2026, 3, 3),
    )
    other = register(cast, on=date(2026, 3, 2))
    unassigned = register(cast, on=date(2026, 3, 2))
    for user in (cast.coordinator, cast.leader, cast.viewer, cast.admin):
        assert set(visible_cases(user)) == {mine, other, unassigned}
    assert set(visible_cases(cast.yizheng_head)) == {mine}
    assert set(visible_cases(cast.yizheng_handler)) == {mine}
    assert set(visible_cases(cast.jiceng_head)) == {mine}
    assert set(visible_cases(cast.zhongyi_head)) == set()
    assert set(visible_cases(cast.outsider)) == set()
    assert relations(cast.yizheng_head, mine) == {"lead_unit", "lead_head"}
    assert relations(cast.yizheng_handler, mine) == {"lead_unit"}
    assert relations(cast.jiceng_head, mine) == {"co_unit"}
    assert relations(cast.leader, mine) == {"leader"}


def test_a_user_may_hold_roles_in_several_units(cast):
    person = make_user(
        "both", (cast.yizheng, Role.HEAD), (cast.zhongyi, Role.HANDLER), (cast.office, Role.VIEWER)
    )
    standing = standing_of(person)
    assert standing.head_of == {cast.yizheng.pk}
    assert standing.handler_in == {cast.zhongyi.pk}
    assert standing.roles == {"viewer"} and standing.sees_all


def test_inactive_users_have_no_standing(cast):
    cast.coordinator.is_active = False
    assert not standing_of(cast.coordinator).roles


def test_org_actions_validate_and_audit(cast):
    from audit.models import AuditEvent

    before = AuditEvent.objects.count()
    with pytest.raises(OrgError, match="已存在"):
        create_unit(by=cast.admin, code="yizheng", name="重复", kind="department")
    with pytest.raises(OrgError, match="单位类型"):
        create_unit(by=cast.admin, code="x", name="某处", kind="nonsense")
    with pytest.raises(OrgError):
        create_user(by=cast.admin, username="weak", password="123", full_name="弱密码")
    assert AuditEvent.objects.count() == before
    unit = create_unit(by=cast.admin, code="fuyou", name="妇幼健康处", kind="department")
    # 三权分立: the 系统管理员 creates the account, the 安全管理员 grants its role.
    with pytest.raises(OrgError, match="安全管理员"):
        create_user(
            by=cast.admin,
            username="fuyou",
            password="Ku8#mQ2!zx",
            full_name="孙红",
            roles=[(unit, Role.HEAD)],
        )
    user = create_user(by=cast.admin, username="fuyou", password="Ku8#mQ2!zx", full_name="孙红")
    grant_role(by=cast.security, user=user, unit=unit, role=Role.HEAD)
    assert standing_of(user).head_of == {unit.pk}
    assert AuditEvent.objects.count() == before + 3  # unit, user, role
    grant_role(by=cast.security, user=user, unit=cast.office, role=Role.ADMIN)
    user.refresh_from_db()
    # The 系统管理员 is no Django superuser (no Django admin either): only the role counts.
    assert not user.is_staff and not user.is_superuser
    assert standing_of(user).has(Role.ADMIN)

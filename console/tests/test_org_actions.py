"""The orgs actions behind the console: each validates, writes one audit event, refuses
non-administrators (OrgForbidden, shown as 403) and writes nothing when it refuses."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from orgs import actions
from orgs.access import standing_of
from orgs.actions import OrgError, OrgForbidden
from orgs.models import Membership, Role, Unit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    """events() → the audit events written since the fixture was set up."""
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return lambda: list(AuditEvent.objects.filter(id__gt=start).order_by("id"))


def refused(events, call, match: str, error=OrgError) -> None:
    with pytest.raises(error, match=match):
        call()
    assert events() == []


# --- units ----------------------------------------------------------------------------


def test_create_unit_validates(cast, events):
    refused(
        events,
        lambda: actions.create_unit(by=cast.admin, code="", name="某处", kind="department"),
        "代码",
    )
    refused(
        events,
        lambda: actions.create_unit(by=cast.admin, code="a b", name="某处", kind="department"),
        "只能由字母",
    )
    refused(
        events,
        lambda: actions.create_unit(by=cast.admin, code="x", name=" ", kind="department"),
        "名称",
    )
    refused(
        events,
        lambda: actions.create_unit(by=cast.admin, code="x", name="某处", kind="x"),
        "单位类型",
    )
    refused(
        events,
        lambda: actions.create_unit(
            by=cast.admin, code="x", name="某处", kind="department", sort_order=-1
        ),
        "排序",
    )
    cast.jiceng.is_active = False
    cast.jiceng.save()
    refused(
        events,
        lambda: actions.create_unit(
            by=cast.admin, code="x", name="某处", kind="department", parent=cast.jiceng
        ),
        "已停用",
    )
    unit = actions.create_unit(
        by=cast.admin, code="x", name="某科", kind="department", parent=cast.yizheng, sort_order=3
    )
    assert (unit.parent, unit.sort_order) == (cast.yizheng, 3)
    [event] = events()
    assert (event.action, event.subject, event.actor) == ("unit_created", "单位 x", cast.admin)
    assert event.details["parent"] == "yizheng"


def test_update_unit(cast, events):
    refused(
        events,
        lambda: actions.update_unit(
            cast.yizheng, by=cast.coordinator, name="新", kind="department", sort_order=0
        ),
        "系统管理员",
        OrgForbidden,
    )
    refused(
        events,
        lambda: actions.update_unit(
            cast.yizheng, by=cast.admin, name="", kind="department", sort_order=0
        ),
        "名称",
    )
    # Making a unit with people an outside agency would strand them.
    refused(
        events,
        lambda: actions.update_unit(
            cast.yizheng, by=cast.admin, name="医政医管处", kind="external", sort_order=0
        ),
        "外部单位不能有用户",
    )
    actions.update_unit(
        cast.yizheng, by=cast.admin, name="医政医管处（新）", kind="department", sort_order=7
    )
    cast.yizheng.refresh_from_db()
    assert (cast.yizheng.name, cast.yizheng.sort_order) == ("医政医管处（新）", 7)
    [event] = events()
    assert event.action == "unit_updated"
    assert event.details["changes"] == {
        "name": ["医政医管处", "医政医管处（新）"],
        "sort_order": [0, 7],
    }
    # Saving without a change writes nothing.
    actions.update_unit(
        cast.yizheng, by=cast.admin, name="医政医管处（新）", kind="department", sort_order=7
    )
    assert len(events()) == 1


def test_move_unit_refuses_cycles(cast, events):
    child = Unit.objects.create(
        code="child", name="下级", kind=UnitKind.DEPARTMENT, parent=cast.yizheng
    )
    grandchild = Unit.objects.create(
        code="grand", name="再下级", kind=UnitKind.DEPARTMENT, parent=child
    )
    refused(
        events,
        lambda: actions.move_unit(cast.yizheng, by=cast.viewer, parent=cast.office),
        "系统管理员",
        OrgForbidden,
    )
    refused(
        events,
        lambda: actions.move_unit(cast.yizheng, by=cast.admin, parent=cast.yizheng),
        "本单位或其下级",
    )
    refused(
        events,
        lambda: actions.move_unit(cast.yizheng, by=cast.admin, parent=grandchild),
        "本单位或其下级",
    )
    refused(
        events, lambda: actions.move_unit(child, by=cast.admin, parent=cast.yizheng), "没有变化"
    )
    actions.move_unit(grandchild, by=cast.admin, parent=None)
    grandchild.refresh_from_db()
    assert grandchild.parent is None
    [event] = events()
    assert (event.action, event.details) == ("unit_moved", {"parent": ["child", None]})


def test_deactivate_and_activate_unit(cast, events):
    child = Unit.objects.create(
        code="child", name="某科", kind=UnitKind.DEPARTMENT, parent=cast.yizheng
    )
    refused(
        events,
        lambda: actions.deactivate_unit(cast.yizheng, by=cast.leader),
        "系统管理员",
        OrgForbidden,
    )
    refused(
        events,
        lambda: actions.deactivate_unit(cast.yizheng, by=cast.admin),
        "请先停用下级单位：某科",
    )
    actions.deactivate_unit(child, by=cast.admin)
    actions.deactivate_unit(cast.yizheng, by=cast.admin)
    refused_start = len(events())
    with pytest.raises(OrgError, match="已停用"):
        actions.deactivate_unit(cast.yizheng, by=cast.admin)
    with pytest.raises(OrgError, match="请先启用上级单位"):
        actions.activate_unit(child, by=cast.admin)
    assert len(events()) == refused_start
    actions.activate_unit(cast.yizheng, by=cast.admin)
    cast.yizheng.refresh_from_db()
    assert cast.yizheng.is_active
    assert [(e.action, e.to_state) for e in events()] == [
        ("unit_deactivated", "inactive"),
        ("unit_deactivated", "inactive"),
        ("unit_activated", "active"),
    ]


# --- users ----------------------------------------------------------------------------


def test_create_user_validates(cast, events):
    def create(**kwargs):
        data = {"by": cast.admin, "username": "sun", "password": "Ku8#mQ2!zx", "full_name": "孙红"}
        return lambda: actions.create_user(**{**data, **kwargs})

    refused(events, create(username="yizheng"), "已存在")
    refused(events, create(username="YiZheng"), "已存在")
    refused(events, create(username="孙 红"), "用户名只能包含")
    refused(events, create(full_name=""), "姓名")
    refused(events, create(email="not-an-address"), "电子邮箱")
    refused(events, create(username="sunhong", password="sunhong1"), "与用户名过于相近")
    refused(events, create(password="password123"), "过于常见")
    refused(events, create(password="1234"), "至少需要 8 个字符")
    refused(events, create(roles=[(cast.fagaiwei, Role.HANDLER)]), "外部单位")
    assert not get_user_model().objects.filter(username="sun").exists()
    user = create(roles=[(cast.yizheng, Role.HANDLER)])()
    assert standing_of(user).handler_in == {cast.yizheng.pk}
    [event] = events()
    assert (event.action, event.details["roles"]) == ("user_created", [["yizheng", "handler"]])


def test_update_user(cast, events):
    person = cast.yizheng_head
    refused(
        events,
        lambda: actions.update_user(person, by=person, full_name="张三", email=""),
        "系统管理员",
        OrgForbidden,
    )
    refused(
        events, lambda: actions.update_user(person, by=cast.admin, full_name=" ", email=""), "姓名"
    )
    refused(
        events,
        lambda: actions.update_user(person, by=cast.admin, full_name="张三", email="x@"),
        "电子邮箱",
    )
    actions.update_user(person, by=cast.admin, full_name="张三", email="zhang@example.org")
    person.refresh_from_db()
    assert (person.first_name, person.email, person.username) == (
        "张三",
        "zhang@example.org",
        "yizheng",
    )
    [event] = events()
    assert event.details["changes"]["first_name"] == ["张处长", "张三"]


def test_set_user_active(cast, events):
    refused(
        events,
        lambda: actions.set_user_active(cast.viewer, by=cast.coordinator, active=False),
        "系统管理员",
        OrgForbidden,
    )
    refused(
        events,
        lambda: actions.set_user_active(cast.admin, by=cast.admin, active=False),
        "不能停用自己",
    )
    refused(
        events, lambda: actions.set_user_active(cast.viewer, by=cast.admin, active=True), "已启用"
    )
    second = get_user_model().objects.create_user("admin2", password="x")
    actions.grant_role(by=cast.admin, user=second, unit=cast.office, role=Role.ADMIN)
    actions.set_user_active(cast.admin, by=second, active=False)
    actions.set_user_active(cast.admin, by=second, active=True)
    actions.set_user_active(second, by=cast.admin, active=False)
    cast.viewer.refresh_from_db()
    actions.set_user_active(cast.viewer, by=cast.admin, active=False)
    cast.viewer.refresh_from_db()
    assert not cast.viewer.is_active and not standing_of(cast.viewer).roles
    assert [e.action for e in events()] == [
        "role_granted",
        "user_deactivated",
        "user_activated",
        "user_deactivated",
        "user_deactivated",
    ]


def test_reset_password(cast, events):
    person = cast.yizheng_head
    AccessAttempt.objects.create(username="yizheng", ip_address="10.0.0.1", failures_since_start=5)
    refused(
        events,
        lambda: actions.reset_password(person, by=cast.coordinator, password="Ku8#mQ2!zx"),
        "系统管理员",
        OrgForbidden,
    )
    refused(
        events,
        lambda: actions.reset_password(person, by=cast.admin, password="short"),
        "至少需要 8 个字符",
    )
    refused(
        events, lambda: actions.reset_password(person, by=cast.admin, password=""), "请填写密码"
    )
    person.refresh_from_db()
    assert person.check_password("pw-yizheng")
    actions.reset_password(person, by=cast.admin, password="Ku8#mQ2!zx")
    person.refresh_from_db()
    assert person.check_password("Ku8#mQ2!zx")
    assert not AccessAttempt.objects.filter(username="yizheng").exists()
    [event] = events()
    assert (event.action, event.details) == ("password_reset", {})  # never the password


def test_grant_and_revoke_role(cast, events):
    person = cast.yizheng_handler
    refused(
        events,
        lambda: actions.grant_role(
            by=cast.admin, user=person, unit=cast.fagaiwei, role=Role.HANDLER
        ),
        "外部单位",
    )
    refused(
        events,
        lambda: actions.grant_role(by=cast.admin, user=person, unit=cast.jiceng, role="boss"),
        "有效的角色",
    )
    membership = actions.grant_role(by=cast.admin, user=person, unit=cast.jiceng, role=Role.HEAD)
    assert standing_of(person).head_of == {cast.jiceng.pk}
    actions.grant_role(by=cast.admin, user=person, unit=cast.jiceng, role=Role.HEAD)  # no change
    refused_before = len(events())
    with pytest.raises(OrgForbidden):
        actions.revoke_role(membership, by=cast.yizheng_head)
    assert len(events()) == refused_before
    actions.revoke_role(membership, by=cast.admin)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert standing_of(person).head_of == frozenset()
    assert [(e.action, e.details) for e in events()] == [
        ("role_granted", {"unit": "jiceng", "role": "head"}),
        ("role_revoked", {"unit": "jiceng", "role": "head"}),
    ]


def test_revoking_the_admin_role(cast, events):
    mine = Membership.objects.get(user=cast.admin, role=Role.ADMIN)
    refused(events, lambda: actions.revoke_role(mine, by=cast.admin), "不能撤销自己")
    second = get_user_model().objects.create_user("admin2", password="x")
    theirs = actions.grant_role(by=cast.admin, user=second, unit=cast.office, role=Role.ADMIN)
    second.refresh_from_db()
    assert second.is_superuser
    actions.revoke_role(theirs, by=cast.admin)
    second.refresh_from_db()
    assert not second.is_superuser and not standing_of(second).has(Role.ADMIN)
    third = get_user_model().objects.create_user("admin3", password="x")
    actions.grant_role(by=cast.admin, user=third, unit=cast.office, role=Role.ADMIN)
    actions.set_user_active(third, by=cast.admin, active=False)
    third.refresh_from_db()
    with pytest.raises(OrgForbidden):  # an inactive user has no standing
        actions.revoke_role(mine, by=third)

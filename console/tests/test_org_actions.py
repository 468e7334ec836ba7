"""The orgs actions behind the console: each validates, writes one audit event, refuses
non-administrators (OrgForbidden, shown as 403) and writes nothing when it refuses."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from orgs import actions
from orgs.access import standing_of
from orgs.actions import OrgError, OrgForbidden
from orgs.models import Account, Membership, Role, Unit, UnitKind

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
    # 三权分立: the 系统管理员 creates accounts without roles; the others create none.
    refused(events, create(roles=[(cast.yizheng, Role.HANDLER)]), "安全管理员", OrgForbidden)
    refused(events, create(by=cast.security), "系统管理员", OrgForbidden)
    refused(events, create(by=cast.auditor), "系统管理员", OrgForbidden)
    refused(events, create(by=None, roles=[(cast.fagaiwei, Role.HANDLER)]), "外部单位")
    refused(
        events,
        create(by=None, roles=[(cast.office, Role.ADMIN), (cast.office, Role.AUDITOR)]),
        "三权分立",
    )
    assert not get_user_model().objects.filter(username="sun").exists()
    user = create()()
    assert standing_of(user).roles == frozenset()
    [event] = events()
    assert (event.action, event.details["roles"], event.actor) == ("user_created", [], cast.admin)


def test_update_user(cast, events):
    person = cast.yizheng_head
    for other in (person, cast.security, cast.auditor):
        refused(
            events,
            lambda other=other: actions.update_user(person, by=other, full_name="张三", email=""),
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
    for other in (cast.coordinator, cast.security, cast.auditor):
        refused(
            events,
            lambda other=other: actions.set_user_active(cast.viewer, by=other, active=False),
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
    actions.grant_role(by=cast.security, user=second, unit=cast.office, role=Role.ADMIN)
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
    # Switched back on, the account's inactivity limit counts from then.
    assert Account.objects.get(user=cast.admin).reactivated_at is not None


def test_reset_password(cast, events):
    person = cast.yizheng_head
    AccessAttempt.objects.create(username="yizheng", ip_address="10.0.0.1", failures_since_start=5)
    for other in (cast.coordinator, cast.admin, cast.auditor):
        refused(
            events,
            lambda other=other: actions.reset_password(person, by=other, password="Ku8#mQ2!zx"),
            "安全管理员",
            OrgForbidden,
        )
    refused(
        events,
        lambda: actions.reset_password(person, by=cast.security, password="short"),
        "至少需要 8 个字符",
    )
    refused(
        events, lambda: actions.reset_password(person, by=cast.security, password=""), "请填写密码"
    )
    person.refresh_from_db()
    assert person.check_password("pw-yizheng")
    actions.reset_password(person, by=cast.security, password="Ku8#mQ2!zx")
    person.refresh_from_db()
    assert person.check_password("Ku8#mQ2!zx")
    assert not AccessAttempt.objects.filter(username="yizheng").exists()
    [event] = events()
    assert (event.action, event.details) == ("password_reset", {})  # never the password
    assert event.actor == cast.security


def test_grant_and_revoke_role(cast, events):
    person = cast.yizheng_handler
    refused(
        events,
        lambda: actions.grant_role(
            by=cast.security, user=person, unit=cast.fagaiwei, role=Role.HANDLER
        ),
        "外部单位",
    )
    refused(
        events,
        lambda: actions.grant_role(by=cast.security, user=person, unit=cast.jiceng, role="boss"),
        "有效的角色",
    )
    for other in (cast.admin, cast.auditor, cast.coordinator):
        refused(
            events,
            lambda other=other: actions.grant_role(
                by=other, user=person, unit=cast.jiceng, role=Role.HEAD
            ),
            "安全管理员",
            OrgForbidden,
        )
    membership = actions.grant_role(by=cast.security, user=person, unit=cast.jiceng, role=Role.HEAD)
    assert standing_of(person).head_of == {cast.jiceng.pk}
    actions.grant_role(by=cast.security, user=person, unit=cast.jiceng, role=Role.HEAD)  # same
    refused_before = len(events())
    for other in (cast.yizheng_head, cast.admin):
        with pytest.raises(OrgForbidden):
            actions.revoke_role(membership, by=other)
    assert len(events()) == refused_before
    actions.revoke_role(membership, by=cast.security)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert standing_of(person).head_of == frozenset()
    assert [(e.action, e.details, e.actor) for e in events()] == [
        ("role_granted", {"unit": "jiceng", "role": "head"}, cast.security),
        ("role_revoked", {"unit": "jiceng", "role": "head"}, cast.security),
    ]


def test_nobody_grants_or_revokes_their_own_roles(cast, events):
    mine = Membership.objects.get(user=cast.security, role=Role.SECURITY)
    refused(
        events, lambda: actions.revoke_role(mine, by=cast.security), "不能撤销自己", OrgForbidden
    )
    for role in (Role.SECURITY, Role.COORDINATOR, Role.VIEWER):
        refused(
            events,
            lambda role=role: actions.grant_role(
                by=cast.security, user=cast.security, unit=cast.office, role=role
            ),
            "不能设置自己",
            OrgForbidden,
        )
    # The 系统管理员 cannot grant anybody a role, itself included.
    refused(
        events,
        lambda: actions.grant_role(by=cast.admin, user=cast.admin, unit=cast.office, role="viewer"),
        "安全管理员",
        OrgForbidden,
    )
    # A second 安全管理员 may take the first one's role away (and is seen doing it).
    second = get_user_model().objects.create_user("security2", password="x")
    actions.grant_role(by=cast.security, user=second, unit=cast.office, role=Role.SECURITY)
    actions.revoke_role(mine, by=second)
    assert not standing_of(get_user_model().objects.get(pk=cast.security.pk)).roles
    assert [(e.action, e.actor) for e in events()] == [
        ("role_granted", cast.security),
        ("role_revoked", second),
    ]


def test_one_person_holds_one_administrator_role(cast, events):
    for role in (Role.SECURITY, Role.AUDITOR):
        refused(
            events,
            lambda role=role: actions.grant_role(
                by=cast.security, user=cast.admin, unit=cast.office, role=role
            ),
            "三权分立",
        )
    # The same role in a second unit, or a business role, is not a second administrator.
    actions.grant_role(by=cast.security, user=cast.admin, unit=cast.yizheng, role=Role.ADMIN)
    actions.grant_role(by=cast.security, user=cast.admin, unit=cast.office, role=Role.VIEWER)
    assert len(events()) == 2


def test_the_security_and_audit_administrators_hold_no_other_role(cast, events):
    User = get_user_model()
    # An 审计管理员 who also coordinated would see every case: no other role for them.
    for holder in (cast.auditor, cast.security):
        for role in (Role.VIEWER, Role.COORDINATOR, Role.HANDLER):
            refused(
                events,
                lambda holder=holder, role=role: actions.grant_role(
                    by=None, user=holder, unit=cast.yizheng, role=role
                ),
                "不能兼任其他角色",
            )
    # Nor those roles for someone holding another role (a business role or the 系统管理员).
    for holder in (cast.coordinator, cast.yizheng_handler, cast.admin):
        for role in (Role.SECURITY, Role.AUDITOR):
            refused(
                events,
                lambda holder=holder, role=role: actions.grant_role(
                    by=cast.security, user=holder, unit=cast.office, role=role
                ),
                "兼任|三权分立",
            )
    # The same role in another unit is still the one role.
    actions.grant_role(by=cast.security, user=cast.auditor, unit=cast.yizheng, role=Role.AUDITOR)
    fresh = User.objects.create_user("shenji2", password="x")
    actions.grant_role(by=cast.security, user=fresh, unit=cast.office, role=Role.AUDITOR)
    assert [e.action for e in events()] == ["role_granted", "role_granted"]
    assert not Membership.objects.filter(user=cast.coordinator, role__in=["security", "auditor"])


def test_the_administrator_is_no_superuser(cast):
    for user in (cast.admin, cast.security, cast.auditor):
        user.refresh_from_db()
        assert not user.is_superuser and not user.is_staff
    cast.viewer.is_superuser = True  # a flag left from before: it gives no role
    cast.viewer.save(update_fields=["is_superuser"])
    cast.viewer.refresh_from_db()
    assert not standing_of(cast.viewer).has(Role.ADMIN)


def test_unlock_account(cast, events):
    AccessAttempt.objects.create(username="viewer", ip_address="10.0.0.1", failures_since_start=5)
    AccessAttempt.objects.create(username="viewer", ip_address="10.0.0.2", failures_since_start=2)
    for other in (cast.admin, cast.auditor, cast.viewer):
        refused(
            events,
            lambda other=other: actions.unlock_account(cast.viewer, by=other),
            "安全管理员",
            OrgForbidden,
        )
    assert actions.unlock_account(cast.viewer, by=cast.security) == 2
    assert not AccessAttempt.objects.filter(username="viewer").exists()
    [event] = events()
    assert (event.action, event.kind, event.actor, event.subject) == (
        "unlock",
        "security",
        cast.security,
        "用户 viewer",
    )
    assert event.details["attempts_cleared"] == 2

"""The units and users pages: forms keep their input when refused, lists stay cheap."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from cases.tests.factories import make_unit, make_user
from orgs.models import Membership, Role, Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_units_page_shows_the_tree(cast, client_for):
    county = make_unit("xq", "西区卫生健康局", UnitKind.COUNTY)
    make_unit("xq-cdc", "西区疾控中心", UnitKind.AFFILIATED, parent=county)
    cast.zhongyi.is_active = False
    cast.zhongyi.save()
    client = client_for(cast.admin)
    html = client.get("/console/units/").content.decode()
    assert html.index("西区卫生健康局") < html.index("西区疾控中心")
    assert 'style="--depth: 1"' in html and "已停用" in html and "共 7 个" in html
    filtered = client.get("/console/units/?kind=affiliated").content.decode()
    assert "西区疾控中心" in filtered and "上级：西区卫生健康局" in filtered
    assert "医政医管处" not in filtered


def test_create_unit_page(cast, client_for):
    client = client_for(cast.admin)
    form = client.get(f"/console/units/new/?parent={cast.office.pk}").content.decode()
    assert f'<option value="{cast.office.pk}" selected>' in form
    refused = client.post(
        "/console/units/new/",
        {"code": "yizheng", "name": "妇幼健康处", "kind": "department", "sort_order": "3"},
    )
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "单位代码“yizheng”已存在" in html and 'value="妇幼健康处"' in html
    done = client.post(
        "/console/units/new/",
        {
            "code": "fuyou",
            "name": "妇幼健康处",
            "kind": "department",
            "parent": cast.office.pk,
            "sort_order": "3",
        },
    )
    assert done.status_code == 302
    assert Unit.objects.get(code="fuyou").parent == cast.office


def test_edit_move_and_deactivate_a_unit(cast, client_for):
    client = client_for(cast.admin)
    url = f"/console/units/{cast.yizheng.pk}/"
    html = client.get(url).content.decode()
    assert "医政医管处" in html and "张处长" in html and "处室负责人" in html
    refused = client.post(url, {"name": "", "kind": "department", "sort_order": "1"})
    assert refused.status_code == 400 and "这个字段是必填项" in refused.content.decode()
    assert (
        client.post(url, {"name": "医政处", "kind": "department", "sort_order": "2"}).status_code
        == 302
    )
    cast.yizheng.refresh_from_db()
    assert (cast.yizheng.name, cast.yizheng.sort_order) == ("医政处", 2)

    child = make_unit("child", "某科", parent=cast.yizheng)
    refused = client.post(f"{url}move/", {"parent": child.pk})
    assert refused.status_code == 400
    assert "上级单位不能是本单位或其下级单位" in refused.content.decode()
    assert client.post(f"{url}move/", {"parent": cast.office.pk}).status_code == 302
    cast.yizheng.refresh_from_db()
    assert cast.yizheng.parent == cast.office

    response = client.post(f"{url}active/", {"active": "0"})
    assert "请先停用下级单位：某科" in client.get(response["Location"]).content.decode()
    client.post(f"/console/units/{child.pk}/active/", {"active": "0"})
    client.post(f"{url}active/", {"active": "0"})
    cast.yizheng.refresh_from_db()
    assert not cast.yizheng.is_active
    assert "重新启用" in client.get(url).content.decode()


def test_users_list_search_and_a_bounded_number_of_queries(cast, client_for):
    client = client_for(cast.admin)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.get("/console/users/")  # the header's commission name is cached from now on
    few = count("/console/users/")
    for i in range(15):
        make_user(f"extra{i}", (cast.jiceng, Role.HANDLER), (cast.zhongyi, Role.HEAD))
    assert count("/console/users/") == few

    html = client.get("/console/users/?q=医政").content.decode()
    assert "张处长" in html and "赵科员" in html and "王协调" not in html and "找到 2 人" in html
    html = client.get("/console/users/?role=leader").content.decode()
    assert "李主任" in html and "张处长" not in html
    cast.viewer.is_active = False
    cast.viewer.save()
    html = client.get("/console/users/?status=inactive").content.decode()
    assert "找到 1 人" in html and ">viewer<" in html


def test_create_user_page(cast, client_for):
    client = client_for(cast.admin)
    form = client.get("/console/users/new/").content.decode()
    assert 'name="role"' not in form and "由安全管理员" in form  # no roles at creation
    data = {
        "username": "sun",
        "full_name": "孙红",
        "email": "sun@example.org",
        "password1": "Ku8#mQ2!zx",
        "password2": "Ku8#mQ2!zy",
    }
    refused = client.post("/console/users/new/", data)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "两次输入的密码不一致" in html
    assert 'value="孙红"' in html and 'value="sun@example.org"' in html
    weak = client.post(
        "/console/users/new/", {**data, "password1": "12345678", "password2": "12345678"}
    )
    assert "密码不能全是数字" in weak.content.decode()
    assert not get_user_model().objects.filter(username="sun").exists()
    # A role posted anyway is ignored: the account is created without one.
    done = client.post(
        "/console/users/new/",
        {**data, "password2": data["password1"], "unit": cast.yizheng.pk, "role": "handler"},
    )
    user = get_user_model().objects.get(username="sun")
    assert done["Location"] == f"/console/users/{user.pk}/"
    assert user.check_password("Ku8#mQ2!zx") and user.first_name == "孙红"
    assert not Membership.objects.filter(user=user).exists()


def test_user_page_of_the_system_administrator(cast, client_for):
    client = client_for(cast.admin)
    person = cast.yizheng_handler
    url = f"/console/users/{person.pk}/"
    html = client.get(url).content.decode()
    assert "赵科员" in html and "医政医管处" in html and "承办人" in html
    assert f'action="{url}"' in html and f'action="{url}active/"' in html
    for form in ("roles/", "password/", "unlock/"):  # the 安全管理员's
        assert f'action="{url}{form}"' not in html

    assert client.post(url, {"full_name": "赵一", "email": "zhao@example.org"}).status_code == 302
    refused = client.post(url, {"full_name": "赵一", "email": "not-an-email"})
    assert refused.status_code == 400 and 'value="not-an-email"' in refused.content.decode()
    assert client.post(f"{url}roles/", {"unit": cast.jiceng.pk, "role": "head"}).status_code == 403
    assert (
        client.post(f"{url}password/", {"password1": "Ku8#mQ2!zx", "password2": "Ku8#mQ2!zx"})
    ).status_code == 403

    client.post(f"{url}active/", {"active": "0"})
    person.refresh_from_db()
    assert not person.is_active
    me = client.post(f"/console/users/{cast.admin.pk}/active/", {"active": "0"})
    assert "不能停用自己的账号" in client.get(me["Location"]).content.decode()
    cast.admin.refresh_from_db()
    assert cast.admin.is_active
    actions = list(
        AuditEvent.objects.filter(actor=cast.admin, kind="action").values_list("action", flat=True)
    )
    assert actions == ["user_updated", "user_deactivated"]


def test_user_page_of_the_security_administrator(cast, client_for):
    client = client_for(cast.security)
    person = cast.yizheng_handler
    url = f"/console/users/{person.pk}/"
    html = client.get(url).content.decode()
    assert "赵科员" in html and "承办人" in html
    assert f'action="{url}roles/"' in html and f'action="{url}password/"' in html
    assert f'action="{url}unlock/"' in html
    assert f'action="{url}"' not in html and f'action="{url}active/"' not in html
    assert client.post(url, {"full_name": "赵一", "email": ""}).status_code == 403

    added = client.post(f"{url}roles/", {"unit": cast.jiceng.pk, "role": "head"})
    assert added.status_code == 302
    again = client.post(f"{url}roles/", {"unit": cast.jiceng.pk, "role": "head"})
    assert again.status_code == 400 and "已有“处室负责人”角色" in again.content.decode()
    external = client.post(f"{url}roles/", {"unit": cast.fagaiwei.pk, "role": "head"})
    assert external.status_code == 400  # not even offered
    membership = Membership.objects.get(user=person, unit=cast.jiceng)
    assert client.post(f"{url}roles/{membership.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    other = Membership.objects.get(user=cast.yizheng_head)
    assert client.post(f"{url}roles/{other.pk}/remove/").status_code == 404  # not this user's

    short = client.post(f"{url}password/", {"password1": "abc", "password2": "abc"})
    assert short.status_code == 400 and "至少需要 8 个字符" in short.content.decode()
    assert (
        client.post(f"{url}password/", {"password1": "Ku8#mQ2!zx", "password2": "Ku8#mQ2!zx"})
    ).status_code == 302
    person.refresh_from_db()
    assert person.check_password("Ku8#mQ2!zx")
    unlocked = client.post(f"{url}unlock/")
    assert "没有登录失败记录" in client.get(unlocked["Location"]).content.decode()

    # Their own page: no role forms, and the actions refuse anyway.
    own = f"/console/users/{cast.security.pk}/"
    assert "不能修改自己的角色" in client.get(own).content.decode()
    mine = Membership.objects.get(user=cast.security)
    assert client.post(f"{own}roles/{mine.pk}/remove/").status_code == 403
    assert (
        client.post(f"{own}roles/", {"unit": cast.office.pk, "role": "viewer"}).status_code == 403
    )
    assert Membership.objects.filter(user=cast.security).count() == 1
    actions = list(AuditEvent.objects.filter(actor=cast.security).values_list("action", flat=True))
    assert [a for a in actions if a not in ("permission_refused", "login")] == [
        "role_granted",
        "role_revoked",
        "password_reset",
        "unlock",
    ]


def test_the_policy_page(cast, client_for, settings):
    settings.HUIYIN_PASSWORD_MAX_AGE_DAYS = 90
    settings.HUIYIN_INACTIVE_DAYS = 60
    settings.HUIYIN_2FA_ROLES = ["leader"]
    html = client_for(cast.security).get("/console/policy/").content.decode()
    for text in ("90 天", "最近 5 次", "60 天", "连续失败 5 次", "12 小时", "最多 3 个会话"):
        assert text in html, text
    assert "HUIYIN_PASSWORD_MAX_AGE_DAYS" in html and "环境变量" in html and "只供查看" in html
    assert "委领导" in html and "审计管理员" in html  # the roles that need a second factor
    assert "<form" not in html.split("hy-page-title")[1]  # read-only


def test_unknown_objects_are_404(cast, client_for):
    client = client_for(cast.admin)
    assert client.get("/console/units/99999/").status_code == 404
    assert client.get("/console/users/99999/").status_code == 404

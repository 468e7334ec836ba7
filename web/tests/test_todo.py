"""The 待办 page (/): every role's sections rendered, buttons that open the right action on
the case page, colours, and a query count that does not grow with the number of cases."""

import os
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import actions
from cases.tests.factories import register
from cases.tests.test_todo import FROZEN, GATES, World

pytestmark = pytest.mark.django_db

# Playwright's sync API runs an event loop in this thread; the browser test builds its data
# with the ORM between page steps, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(cast):
    with FROZEN:
        yield World(cast)


def page(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def section_html(html: str, key: str) -> str:
    match = re.search(rf'<section[^>]*id="sec-{key}".*?</section>', html, re.S)
    assert match, key
    return match.group(0)


@FROZEN
def test_coordinator_page(world, client_for):
    html = page(client_for(world.cast.coordinator))
    assert "我的待办" in html and "共 7 件待办" in html  # overdue is not counted again
    for title in ("待交办", "退回待重新交办", "待审核", "待登记评价", "可办结", "逾期办件"):
        assert f'{title} <span class="hy-todo-chip-count">' in html, title

    review = section_html(html, "to_review")
    assert f'href="/cases/{world.v_new.pk}/#action-review"' in review
    assert "2026年10月8日" in review and "剩 2 个工作日" in review
    assert "hy-row-soon" in review and "hy-days-soon" in review
    assert "hy-row-overdue" in review and "逾期" in review  # the old one
    assert "/cases/?state=reviewing&amp;sort=deadline" in review  # 查看全部

    returned = section_html(html, "returned")
    assert "医政医管处退回：不属于本处职责" in returned and ">重新交办<" in returned

    close = section_html(html, "to_close")
    assert "已期满 6 个工作日" in close and "hy-row-" not in close  # waiting, not late
    assert f'href="/cases/{world.p_over.pk}/#action-close"' in close


@FROZEN
def test_leader_unit_head_and_handler_pages(world, client_for):
    html = page(client_for(world.cast.leader))
    assert f"/cases/{world.s_mine.pk}/#action-sign" in html
    assert world.s_other.title not in section_html(html, "to_sign")
    assert "申请延期至 2026年11月30日：需实地调研" in html
    assert f"/cases/{world.e_pending.pk}/#action-decide_extension" in html

    html = page(client_for(world.cast.yizheng_head))
    assert f"/cases/{world.a_pending.pk}/#action-accept" in html
    assert f"/cases/{world.u_approving.pk}/#action-approve_reply" in html
    assert f"/cases/{world.e_pending.pk}/#action-submit_opinion" in html
    assert "逾期 8 个工作日" in section_html(html, "drafting")
    assert "/cases/?unit=yizheng&amp;state=handling" in html

    html = page(client_for(world.cast.yizheng_handler))
    assert "sec-to_approve" not in html
    assert world.h_other.title not in html and world.h_mine.title in html
    assert "/cases/?unit=yizheng&amp;handler=yizheng_clerk&amp;state=handling" in html


@FROZEN
@pytest.mark.parametrize(
    "who", ["coordinator", "leader", "yizheng_head", "yizheng_handler", "jiceng_head"]
)
def test_every_button_opens_an_action_the_user_has(world, client_for, who):
    """The case page has a card id="action-<name>" for every 待办 button's #action-<name>."""
    client = client_for(getattr(world.cast, who))
    targets = set(re.findall(r'href="/cases/(\d+)/#action-(\w+)"', page(client)))
    assert targets
    for pk, action in sorted(targets):
        html = client.get(f"/cases/{pk}/").content.decode()
        assert f'id="action-{action}"' in html, (who, pk, action)


@FROZEN
def test_viewer_sees_figures_and_the_overdue_list(world, client_for):
    html = page(client_for(world.cast.viewer))
    assert "2026年办件" in html and ">14<" in html
    # 未答复 / 已答复 as every page counts them: a signed reply, not the state (issue 9 #4).
    assert "未答复" in html and ">12<" in html
    assert "counted=1&amp;replied=1" in html and "超期未复" in html
    assert "逾期办件" in html and world.v_old.title in html
    assert "#action-" not in html  # nothing for a viewer to do


def test_someone_without_a_role(cast, client_for):
    html = page(client_for(cast.outsider))
    assert "暂无待办" in html and "联系系统管理员" in html


@FROZEN
def test_nav_and_brand_lead_home(cast, client_for):
    html = page(client_for(cast.coordinator))
    assert '<a class="navbar-brand" href="/">' in html
    assert 'class="nav-link active" href="/"' in html
    assert 'href="/proposers/"' in html and "代表委员" in html


def _pile(cast, n: int) -> None:
    """n cases in each of several sections of every role."""
    on = date(2026, 6, 1)
    for _ in range(n):
        register(cast, on=on)  # 待交办
        for unit, head in ((cast.yizheng, cast.yizheng_head), (cast.jiceng, cast.jiceng_head)):
            case = register(cast, on=on, is_key=True)
            actions.assign_case(
                case, by=cast.coordinator, lead_unit=unit, co_units=[cast.zhongyi], assigned_on=on
            )
            actions.accept_case(case, by=head, on=on)  # 办理中 (overdue by 09-29)
            case = register(cast, on=on)
            actions.assign_case(case, by=cast.coordinator, lead_unit=unit, assigned_on=on)
            actions.accept_case(case, by=head, on=on)
            actions.submit_reply(
                case, by=head, text="答复", reply_class="A", contact="联系人", phone="1", on=on
            )
            actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=on)
            actions.sign_reply(case, by=cast.leader, approved=True, on=on)  # 可办结


@FROZEN
@pytest.mark.parametrize(
    "who", ["coordinator", "leader", "viewer", "yizheng_head", "yizheng_handler", "zhongyi_head"]
)
def test_the_page_takes_a_fixed_number_of_queries(cast, client_for, who):
    client = client_for(getattr(cast, who))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            page(client)
        return len(ctx.captured_queries)

    queries()  # the header's commission name is cached from now on (letters.context_processors)
    _pile(cast, 5)
    five = queries()
    _pile(cast, 20)
    twenty_five = queries()
    assert five == twenty_five, (five, twenty_five)
    # One statement per section: the coordinator's page has the 议提案's, the opinions' and
    # the supervision items' sections (issues 12, 13).
    assert five <= 24, five


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_todo_button_opens_the_action_on_the_case_page(live_server, page, phone_page, screenshot):
    """In Chromium: the coordinator's 待办, one click, the 审核 form open on the case page."""
    from cases.tests.factories import Cast

    cast = Cast()
    case = register(cast, on=date(2026, 9, 1), title="关于加强基层医疗卫生人才队伍建设的建议")
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 9, 1)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 9, 2))
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="答复",
        reply_class="A",
        contact="张处长",
        phone="1",
        on=date(2026, 9, 3),
    )
    register(cast, on=date(2026, 9, 4), title="关于完善乡村医生养老保障的提案")

    for p, name in ((page, "todo-coordinator"), (phone_page, "todo-coordinator-phone")):
        p.goto(live_server.url + "/login/")
        p.get_by_label("用户名").fill("coordinator")
        p.get_by_label("密码").fill("pw-coordinator")
        p.get_by_role("button", name="登录").click()
        p.wait_for_load_state()
        p.goto(live_server.url + "/")
        assert p.get_by_role("heading", name="待审核").is_visible()
        screenshot(p, name)

    page.locator("#sec-to_review").get_by_role("link", name="审核").click()
    page.wait_for_url(f"{live_server.url}/cases/{case.pk}/#action-review")
    page.locator("#action-body-review.show").wait_for()
    page.wait_for_function("!document.querySelector('.collapsing')")
    screenshot(page, "todo-opens-review")

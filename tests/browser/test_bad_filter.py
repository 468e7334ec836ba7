"""A ledger URL with a filter that does not parse (issue 9 #16) shows a Chinese 400 page that
names the parameter, not an empty list; its button clears the filter.

Screenshots: test-artifacts/screenshots/bad-filter-*.png.
"""

import os
import re

import pytest
from playwright.sync_api import expect

from audit.record import today
from cases.tests.factories import Cast, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_a_bad_filter_is_named_on_a_400_page(live_server, page, screenshot):
    cast = Cast()
    register(cast, on=today(), title="关于优化门诊预约挂号流程的建议")
    url = live_server.url
    page.goto(url + "/login/")
    page.get_by_label("用户名").fill("coordinator")
    page.get_by_label("密码").fill("pw-coordinator")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))

    response = page.goto(url + "/cases/?overdue=zz&year=abc")
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", name="无效的筛选条件")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("是否超期（overdue）")
    expect(page.get_by_role("alert")).to_contain_text("年度（year）应为整数")
    expect(page.get_by_text("关于优化门诊预约挂号流程的建议")).to_have_count(0)
    screenshot(page, "bad-filter-01-ledger")

    page.get_by_role("link", name="清除筛选条件，查看全部办件").click()
    expect(page.get_by_text("关于优化门诊预约挂号流程的建议")).to_be_visible()
    screenshot(page, "bad-filter-02-cleared")

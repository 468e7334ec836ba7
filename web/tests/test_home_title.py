"""The landing page is titled 我的待办 only for someone with steps to take (issue 9, point 6):
a viewer gets an overview (办理概况), a user without any role a plain 首页."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def heading(user) -> tuple[str, str]:
    client = Client()
    client.force_login(user)
    html = client.get("/").content.decode()
    title = re.search(r"<title>(.*?) · 回音</title>", html, re.S)
    h1 = re.search(r'<h1 class="hy-page-title[^"]*">(.*?)</h1>', html, re.S)
    nav = re.search(r'<i class="bi bi-list-check"></i> (.*?)</a>', html, re.S)
    assert title and h1 and nav
    # The top bar names the landing page as the page names itself.
    assert nav.group(1).strip() == h1.group(1).strip()
    return title.group(1).strip(), h1.group(1).strip()


def test_the_landing_page_title_follows_the_role(cast):
    assert heading(cast.coordinator) == ("我的待办", "我的待办")
    assert heading(cast.yizheng_handler) == ("我的待办", "我的待办")  # nothing waiting today
    assert heading(cast.viewer) == ("办理概况", "办理概况")
    assert heading(cast.outsider) == ("首页", "首页")

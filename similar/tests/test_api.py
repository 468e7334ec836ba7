"""GET /api/v1/cases/similar (the Contract), the register page's panel, and the reply
card's 相似件的答复: best first, scores 0..1, scoped to what the caller may see (a unit sees
only its cases: the best of those), withdrawn left out, a case registered a moment ago
found."""

import re
from datetime import date

import pytest
import time_machine
from django.test import Client

from api.tests.helpers import ApiClient, ok
from cases import actions
from cases.tests.factories import register
from similar import index
from similar.tests.data import EARLIER

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 6)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def earlier(cast):
    return [
        register(cast, on=date(year, 3, 1), year=year, title=title, content=content, topics=topics)
        for year, title, content, topics in EARLIER
    ]


def test_the_contract(earlier, cast):
    api = ApiClient("coordinator")
    found = ok(
        api.get("/cases/similar", {"title": "关于提高村医待遇的建议", "content": "村医收入低"})
    )
    assert found and set(found[0]) == {"id", "title", "year", "score"}
    assert found[0]["id"] == earlier[0].pk
    assert found[0]["title"] == earlier[0].title and found[0]["year"] == 2024
    assert all(0 <= f["score"] <= 1 for f in found)
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)
    assert len(found) <= 10
    assert ok(api.get("/cases/similar", {"title": "", "content": ""})) == []
    assert ok(api.get("/cases/similar")) == []
    excluded = ok(api.get("/cases/similar", {"title": earlier[0].title, "exclude": earlier[0].pk}))
    assert earlier[0].pk not in [f["id"] for f in excluded]


def test_limit(earlier):
    api = ApiClient("coordinator")
    common = {"title": "关于加强基层卫生工作的建议", "content": "建议加强"}
    assert len(ok(api.get("/cases/similar", {**common, "limit": 2}))) <= 2
    for bad in (0, 51, "x"):
        assert api.get("/cases/similar", {**common, "limit": bad}).status_code == 422


@pytest.mark.parametrize(
    "params",
    [{"title": "长" * 301}, {"content": "长" * 20_001}, {"title": "a\x00b"}, {"title": "a\nb"}],
)
def test_bad_input_is_a_422(cast, params):
    response = ApiClient("coordinator").get("/cases/similar", params)
    assert response.status_code == 422


def test_a_case_registered_a_moment_ago(earlier):
    api = ApiClient("coordinator")
    ok(api.get("/cases/similar", {"title": "预热"}))
    created = ok(
        api.post(
            "/cases",
            {
                "category": "cppcc_proposal",
                "level": "municipal",
                "year": 2026,
                "session": "市政协十四届五次会议",
                "number": "2026999",
                "title": "关于在公共场所配置自动体外除颤器的提案",
                "content": "地铁站、商场AED配置不足。",
                "lead_proposer": "吴委员",
                "mode": "lead",
                "received_on": TODAY.isoformat(),
            },
        ),
        201,
    )
    found = ok(api.get("/cases/similar", {"title": "关于公共场所AED配置的提案"}))
    assert found[0]["id"] == created["id"]


def test_a_unit_sees_only_its_own_and_the_best_of_them(earlier, cast):
    """医政医管处 leads the 停车 case and one unrelated case: asked about 村医, it gets the
    unrelated one if similar enough, never the coordinator's best (村医, not its own)."""
    mine = earlier[2]  # 停车难
    actions.assign_case(mine, by=cast.coordinator, lead_unit=cast.yizheng)
    api = ApiClient("yizheng")
    asked = {"title": earlier[0].title, "content": EARLIER[0][2]}
    assert earlier[0].pk not in [f["id"] for f in ok(api.get("/cases/similar", asked))]
    found = ok(api.get("/cases/similar", {"title": "医院停车难", "content": "停车位不足"}))
    assert [f["id"] for f in found] == [mine.pk]
    # The coordinator sees every case.
    every = ok(ApiClient("coordinator").get("/cases/similar", asked))
    assert every[0]["id"] == earlier[0].pk
    assert ok(ApiClient("outsider").get("/cases/similar", asked)) == []


def test_withdrawn_cases_are_left_out(earlier, cast):
    actions.withdraw_case(earlier[2], by=cast.coordinator, reason="改办")
    found = ok(ApiClient("coordinator").get("/cases/similar", {"title": "医院停车难"}))
    assert earlier[2].pk not in [f["id"] for f in found]


def test_the_register_panel_lists_similar_cases_with_their_replies(earlier, cast, client_for):
    client = client_for(cast.coordinator)
    page = client.get("/similar/register-panel/", {"title": "关于提高村医待遇的建议"})
    text = page.content.decode()
    assert page.status_code == 200
    assert earlier[0].title in text and f'data-similar-case="{earlier[0].pk}"' in text
    assert "已登记" in text and "2024年" in text
    empty = client.get("/similar/register-panel/").content.decode()
    assert "填写标题或内容后" in empty
    none = client.get("/similar/register-panel/", {"title": "关于修缮老旧桥梁的建议"})
    assert "没有相似的已有办件" in none.content.decode()
    register_page = client.get("/cases/new/").content.decode()
    assert 'id="register-similar"' in register_page and "/similar/register-panel/" in register_page


def test_the_register_panel_takes_a_long_content_by_post(earlier, cast):
    """The register page POSTs the panel's text (a GET's address with ~450 Chinese
    characters of content passes the server's limit on a request line: 414) with the form's
    CSRF token, only what the index reads; a longer content is cut, not refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.coordinator)
    register_page = client.get("/cases/new/").content.decode()
    panel = re.search(r'<div class="hy-panel" id="register-similar"[^>]*>', register_page)
    assert panel is not None
    tag = panel.group(0)
    assert 'hx-post="/similar/register-panel/"' in tag and "hx-get" not in tag
    assert (
        "[name=csrfmiddlewaretoken]" in tag
        and 'hx-params="title,content,csrfmiddlewaretoken"' in tag
    )
    assert f'data-content-chars="{index.CONTENT_CHARS}"' in tag
    assert "/static/similar/register.js" in register_page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', register_page)
    assert token is not None

    content = ("乡村医生收入偏低，养老没有保障。" * 400)[:5000]
    assert len(content) == 5000
    found = client.post(
        "/similar/register-panel/",
        {"title": "关于提高村医待遇的建议", "content": content, "csrfmiddlewaretoken": token[1]},
    )
    assert found.status_code == 200
    assert f'data-similar-case="{earlier[0].pk}"' in found.content.decode()
    # Past what the index reads, nothing is looked at (a NUL there is not refused).
    cut = client.post(
        "/similar/register-panel/",
        {"title": "", "content": content + "\x00", "csrfmiddlewaretoken": token[1]},
    )
    assert cut.status_code == 200 and f'data-similar-case="{earlier[0].pk}"' in cut.content.decode()
    # Without the token: refused, as any POST.
    assert client.post("/similar/register-panel/", {"title": "村医"}).status_code == 403


def test_the_reply_card_shows_how_similar_cases_were_answered(cast, client_for):
    old = register(cast, on=date(2025, 3, 1), year=2025, title="关于提高乡村医生待遇的建议")
    actions.assign_case(old, by=cast.coordinator, lead_unit=cast.yizheng, on=date(2025, 3, 2))
    actions.accept_case(old, by=cast.yizheng_head, on=date(2025, 3, 3))
    actions.submit_reply(
        old,
        by=cast.yizheng_head,
        text="关于乡村医生待遇，我委已会同财政部门提高补助标准。",
        reply_class="A",
        contact="张处长",
        phone="0571-1",
        on=date(2025, 3, 4),
    )
    actions.review_reply(old, by=cast.coordinator, passed=True, on=date(2025, 3, 5))
    actions.sign_reply(old, by=cast.leader, approved=True, on=date(2025, 3, 6))
    new = register(cast, on=TODAY, title="关于提高村医待遇的建议")
    actions.assign_case(new, by=cast.coordinator, lead_unit=cast.yizheng)
    actions.accept_case(new, by=cast.yizheng_head)
    page = client_for(cast.yizheng_head).get(f"/cases/{new.pk}/").content.decode()
    assert "相似件的答复" in page
    assert "我委已会同财政部门提高补助标准" in page
    # and the case page's own panel lists it among the similar earlier cases
    assert "相似办件（含往年）" in page

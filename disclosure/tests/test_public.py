"""/disclosure/: only live, published decisions; search and filters; never a mobile number
or an ID-shaped number in the HTML."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disclosure import actions
from disclosure.tests.helpers import FROZEN, REPLY, SECRETS, assert_no_personal_numbers, signed


@pytest.fixture
def world(cast):
    """Five signed cases: full (医疗), summary (养老, a CPPCC proposal of 2025), none, withdrawn,
    and one not decided; every reply and title full of personal data."""
    with FROZEN:
        full = signed(
            cast, number="20260101", title="关于解决患者刘大海（电话13812345678）医疗费用问题的建议"
        )
        summary = signed(
            cast,
            number="20250102",
            category="cppcc_proposal",
            year=2025,
            title="关于发展社区养老服务的提案",
            topics=["养老"],
        )
        hidden = signed(cast, number="20260103", title="关于不公开事项的建议")
        withdrawn = signed(cast, number="20260104", title="关于已撤回公开事项的建议")
        undecided = signed(cast, number="20260105", title="关于尚未决定公开事项的建议")
        by = cast.coordinator
        items = {
            "full": actions.disclose(full, by=by, mode="full"),
            "summary": actions.disclose(
                summary,
                by=by,
                mode="summary",
                summary="已在全市推广社区嵌入式养老服务，联系人：周德明，电话 139-0000-1111，"
                "身份证号码110105194912310021。",
            ),
            "none": actions.disclose(hidden, by=by, mode="none", reason="涉及个人隐私"),
            "withdrawn": actions.disclose(withdrawn, by=by, mode="full"),
        }
        actions.withdraw_disclosure(withdrawn, by=by, reason="需要更正")
        items["undecided"] = undecided
    return items


def test_the_list_shows_only_live_published_replies_newest_first(client, world):
    response = client.get("/disclosure/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "患者刘某某" in html and "关于发展社区养老服务的提案" in html
    for title in ("关于不公开事项的建议", "关于已撤回公开事项的建议", "关于尚未决定公开事项的建议"):
        assert title not in html
    assert "共 2 件公开答复" in html
    assert html.index("社区养老") < html.index(
        "患者刘某某"
    )  # same reply date: the later decision first
    assert_no_personal_numbers(html)
    for secret in SECRETS:
        assert secret not in html, secret
    assert "周德明" not in html and "赵科员" not in html


def test_the_detail_shows_the_masked_reply_and_nothing_else(client, world):
    full = world["full"]
    html = client.get(f"/disclosure/{full.pk}/").content.decode()
    assert "下一步，我委将加快推进基层医疗卫生服务能力提升工程。" in html
    assert "2026年5月25日" in html or "2026-05-25" in html
    assert_no_personal_numbers(html)
    for secret in SECRETS:
        assert secret not in html, secret
    # Never the proposer's name beyond the letter's greeting, a staff member, a note.
    assert "12345678" not in html  # the reply's contact phone
    assert "王协调" not in html and "李主任" not in html and "张处长" not in html
    summary = client.get(f"/disclosure/{world['summary'].pk}/").content.decode()
    assert "已在全市推广社区嵌入式养老服务" in summary and "答复摘要" in summary
    assert "周德明" not in summary and "周某某" in summary
    assert_no_personal_numbers(summary)


def test_none_withdrawn_undecided_and_unknown_ids_are_404(client, world):
    for pk in (world["none"].pk, world["withdrawn"].pk, 999999):
        response = client.get(f"/disclosure/{pk}/")
        assert response.status_code == 404
        assert "没有找到这件答复" in response.content.decode()
    assert client.get("/disclosure/abc/").status_code == 404


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=医疗费用", ["full"]),
        ("q=养老", ["summary"]),
        ("q=加快推进 基层", ["full"]),  # every word, in the text
        ("q=加快推进 养老", []),
        ("q=建议", ["full"]),  # the withdrawn and the none-mode ones are not searched
        ("q=不公开事项", []),
        ("q=刘大海", []),  # masked out: not findable either
        ("q=13812345678", []),
        ("year=2025", ["summary"]),
        ("year=2026", ["full"]),
        ("category=cppcc_proposal", ["summary"]),
        ("category=npc_suggestion&year=2026&q=患者", ["full"]),
        ("", ["full", "summary"]),
    ],
)
def test_search_and_filters(client, world, query, found):
    html = client.get(f"/disclosure/?{query}").content.decode()
    shown = [key for key in ("full", "summary") if f'href="/disclosure/{world[key].pk}/"' in html]
    assert shown == found


def test_the_topic_filter(client, world):
    from cases.models import Topic

    elderly = Topic.objects.get(name="养老")
    html = client.get(f"/disclosure/?topic={elderly.pk}").content.decode()
    assert f'href="/disclosure/{world["summary"].pk}/"' in html
    assert f'href="/disclosure/{world["full"].pk}/"' not in html
    assert f'<option value="{elderly.pk}" selected>养老</option>' in html


@pytest.mark.parametrize(
    "query",
    ["year=abc", "year=99999", "topic=x", "topic=-1", "page=0", "page=abc", "category=supervision",
     "q=%00", "q=" + "长" * 500, "page=999999", "year=2026&page=2"],
)  # fmt: skip
def test_bad_parameters_never_fail(client, world, query):
    response = client.get(f"/disclosure/?{query}")
    assert response.status_code in (200, 400)
    assert_no_personal_numbers(response.content.decode())


def test_pages_of_twenty_and_a_bounded_number_of_queries(client, cast):
    with FROZEN:
        for i in range(23):
            case = signed(cast, number=f"2026{i:04d}", title=f"第{i}件关于医疗的建议",
                          text=f"答复{i}：患者张三电话13812345678。")  # fmt: skip
            actions.disclose(case, by=cast.coordinator, mode="full")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/disclosure/").content.decode()
    assert html.count('class="yj-card gk-item"') == 20
    assert "第 1/2 页" in html and 'rel="next"' in html
    assert len(queries) <= 8, [q["sql"] for q in queries]
    second = client.get("/disclosure/?q=医疗&page=2").content.decode()
    assert second.count('class="yj-card gk-item"') == 3
    assert 'href="?q=%E5%8C%BB%E7%96%97&amp;page=1"' in second
    assert_no_personal_numbers(html + second)


def test_no_login_is_needed_and_a_logged_in_user_sees_the_same(client, cast, world):
    client.force_login(cast.coordinator)
    html = client.get("/disclosure/").content.decode()
    assert "关于不公开事项的建议" not in html and "共 2 件公开答复" in html


def test_too_many_requests_from_one_address_get_429(client, world, settings):
    settings.HUIYIN_PUBLIC_RATE_DISCLOSURE = "3/minute"
    for _ in range(3):
        assert client.get("/disclosure/").status_code == 200
    response = client.get(f"/disclosure/{world['full'].pk}/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 60


def test_a_page_full_of_numbers_in_every_spelling_stays_clean(client, cast):
    text = REPLY + "\n" + "；".join(
        [
            "手机13912345678", "手机 139 1234 5678", "手机139-1234-5678", "+86 13912345678",
            "１３９１２３４５６７８", "身份证330102198001011234", "身份证33010219800101123x",
            "身份证 330102 19800101 1234", "卡号6222021234567890123", "8613912345678",
        ]
    )  # fmt: skip
    with FROZEN:
        case = signed(cast, text=text, title="关于患者13912345678与330102198001011234的建议")
        found = actions.disclose(case, by=cast.coordinator, mode="full")
    for path in ("/disclosure/", f"/disclosure/{found.pk}/", "/disclosure/?q=患者"):
        html = client.get(path).content.decode()
        assert found.published_title in html
        assert_no_personal_numbers(html)
    assert date(2026, 5, 25) == found.replied_on


QUERIES = ["13812345678", "138.1234.5678", "手机 138 1234 5678", "110101199001011234",
           "110101.19900101.123X", "患者 13812345678"]  # fmt: skip


def test_the_query_is_echoed_masked_in_the_box_and_the_paging_links(client, cast, monkeypatch):
    from disclosure import views

    with FROZEN:
        for i in range(21):  # two pages, so that the paging links carry the query
            case = signed(cast, number=f"2026{i:04d}", title=f"关于患者就医的建议{i}")
            actions.disclose(case, by=cast.coordinator, mode="full")
    monkeypatch.setattr(views, "MAX_WORDS", 0)  # every query lists all: the links are shown
    for q in QUERIES:
        html = client.get("/disclosure/", {"q": q}).content.decode()
        assert 'rel="next"' in html and 'name="q" value="' in html
        assert_no_personal_numbers(html)
    plain = client.get("/disclosure/", {"q": "患者 就医"}).content.decode()
    assert 'value="患者 就医"' in plain and "q=%E6%82%A3%E8%80%85" in plain  # as typed


def test_a_page_leaves_no_number_across_lines_of_the_excerpt(client, cast):
    with FROZEN:
        case = signed(cast, text="答复：编号13812\n\n\n\n\n345678已处理。")
        actions.disclose(case, by=cast.coordinator, mode="full")
    assert_no_personal_numbers(client.get("/disclosure/").content.decode())

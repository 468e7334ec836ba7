"""The case page (header, sections, rounds, anchors, downloads) and its print view."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import actions
from cases.tests.factories import register

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(
    datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def rehandled(cast):
    """A case through two rounds: B reply, 不满意, then an A reply signed and rated 满意."""
    case = register(cast, on=date(2026, 8, 3), is_key=True)
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng, cast.fagaiwei],
        assigned_on=date(2026, 8, 5),
        handler=cast.yizheng_handler,
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 8, 6))
    actions.submit_opinion(
        case, by=cast.jiceng_head, text="同意主办处室意见。", on=date(2026, 8, 20)
    )
    actions.communicate(
        case,
        by=cast.yizheng_head,
        stage="before",
        method="face_to_face",
        summary="当面听取陈代表意见",
        participants="陈代表、张处长",
        on=date(2026, 8, 21),
    )
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="第一轮答复正文",
        reply_class="B",
        contact="张处长",
        phone="12345678",
        commitments=[{"what": "出台培养方案", "due": date(2026, 12, 31)}],
        on=date(2026, 9, 1),
    )
    actions.review_reply(
        case,
        by=cast.coordinator,
        passed=True,
        gates=GATES,
        gate_comments={"policy": "引用文件现行有效"},
        on=date(2026, 9, 2),
    )
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 9, 3))
    actions.record_feedback(
        case, by=cast.coordinator, result="unsatisfied", comment="措施不具体", on=date(2026, 9, 10)
    )
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="第二轮答复正文",
        reply_class="A",
        contact="张处长",
        phone="12345678",
        on=date(2026, 9, 20),
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=date(2026, 9, 21))
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 9, 22))
    actions.record_feedback(
        case, by=cast.coordinator, result="satisfied", attitude="satisfied", on=date(2026, 9, 30)
    )
    actions.add_outcome(
        case,
        by=cast.yizheng_head,
        kind="policy",
        title="基层卫生人才培养实施方案",
        on=date(2026, 10, 8),
    )
    return case


@FROZEN
def test_the_page_of_a_case_after_two_rounds(cast, client_for):
    case = rehandled(cast)
    html = client_for(cast.coordinator).get(f"/cases/{case.pk}/").content.decode()
    for text in (
        # header
        case.title,
        "陈代表",
        "刘代表、周代表",
        "主办",
        "已办结",
        "重点件",
        "第2轮 · 重新办理",
        # assignments with each unit's status
        "医政医管处",
        "已签收",
        "基层卫生健康处",
        "市发改委",
        '<span class="badge hy-badge-external">外部</span>',
        "待签收",
        "承办人 赵科员",
        # opinions
        "会办意见",
        "同意主办处室意见。",
        "尚未提交意见。",
        # communications
        "沟通记录",
        "当面听取陈代表意见",
        "参加人员：陈代表、张处长",
        # replies: the last round open, the first folded
        "第二轮答复正文",
        '<details class="hy-round hy-round-old">',
        "第1轮答复（B类） · 评价：不满意",
        "第一轮答复正文",
        "政策法规：</span>引用文件现行有效",
        # feedback, commitments, outcomes
        "代表委员评价",
        "措施不具体",
        "承诺事项",
        "出台培养方案",
        "未开始",
        "成果转化",
        "基层卫生人才培养实施方案",
        # timeline with from/to states
        "办理轨迹",
        '已答复 → <span class="fw-semibold">办理中</span>',
        '已答复 → <span class="fw-semibold">已办结</span>',
        "政策法规意见",
    ):
        assert text in html, text
    # The second round's reply comes first, the first round's folded after it.
    assert html.index("第二轮答复正文") < html.index("第一轮答复正文")
    # Downloads once there is a reply; the print view always.
    assert f'href="/cases/{case.pk}/reply.docx"' in html
    assert f'href="/cases/{case.pk}/feedback-form.docx"' in html
    assert f'href="/cases/{case.pk}/print/"' in html


@FROZEN
def test_deadlines_in_the_header_are_marked(cast, client_for):
    client = client_for(cast.coordinator)
    late = register(cast, on=date(2026, 7, 1), title="逾期的建议")
    actions.assign_case(
        late, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 7, 1)
    )  # due 2026-10-08 (国庆): overdue
    html = client.get(f"/cases/{late.pk}/").content.decode()
    assert 'class="hy-deadline hy-deadline-late"' in html and "2026年10月8日" in html
    assert '<span class="badge text-bg-danger">逾期</span>' in html

    soon = register(cast, on=date(2026, 9, 1), title="即将到期的建议")
    actions.assign_case(
        soon,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        assigned_on=date(2026, 9, 1),
        deadline=date(2026, 11, 26),
    )
    html = client.get(f"/cases/{soon.pk}/").content.decode()
    assert 'class="hy-deadline hy-deadline-soon"' in html and "即将到期" in html

    later = register(cast, on=date(2026, 11, 2), title="期限暂定的建议")
    actions.assign_case(
        later, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 11, 23)
    )
    html = client.get(f"/cases/{later.pk}/").content.decode()
    assert "2027年2月23日" in html and "hy-provisional" in html and "暂定" in html
    assert "hy-deadline-late" not in html and "hy-deadline-soon" not in html


@FROZEN
def test_action_cards_have_anchors_for_the_todo_links(cast, client_for):
    case = register(cast, on=date(2026, 11, 2))
    html = client_for(cast.coordinator).get(f"/cases/{case.pk}/").content.decode()
    for action in ("assign", "edit", "withdraw"):
        assert f'id="action-{action}"' in html
        assert f'id="action-body-{action}"' in html
    # The step that moves the case on comes first and is marked as such.
    assert html.index('id="action-assign"') < html.index('id="action-edit"')
    assert "hy-action-primary" in html
    # No letter to download before there is a reply.
    assert "reply.docx" not in html and "feedback-form.docx" not in html


@FROZEN
def test_print_view(cast, client_for, client):
    case = rehandled(cast)
    path = f"/cases/{case.pk}/print/"
    response = client_for(cast.yizheng_head).get(path)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        case.title,
        "人大代表建议办理情况",
        "data-print",
        "打印",
        "第二轮答复正文",
        "第一轮答复正文",
        "引用文件现行有效",
        "办理轨迹",
        "出台培养方案",
        "基层卫生人才培养实施方案",
        "打印于 2026年11月23日",
        "web/js/case_print.js",
    ):
        assert text in html, text
    assert "hy-topbar" not in html and "退出" not in html  # no navigation
    assert client_for(cast.leader).get(path).status_code == 200
    assert client_for(cast.viewer).get(path).status_code == 200
    assert client_for(cast.jiceng_head).get(path).status_code == 200  # a co-unit sees it
    assert client_for(cast.zhongyi_head).get(path).status_code == 404
    assert client_for(cast.outsider).get(path).status_code == 404
    assert client.get(path).status_code == 302
    assert client_for(cast.coordinator).get("/cases/999999/print/").status_code == 404


@FROZEN
def test_the_case_page_queries_do_not_grow_with_its_history(cast, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # An earlier case like both (the similar-cases panel finds one for each), and a short
    # history with one row of each kind the long one has many of (a talk, a B-class
    # promise): the page reads a table once when it has rows, not once per row or round.
    earlier = register(cast, on=date(2026, 8, 3))
    actions.assign_case(
        earlier, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng]
    )  # every user of the test sees it
    short = register(cast, on=date(2026, 8, 3), title="关于加强基层医疗卫生人才培养的建议")
    actions.assign_case(
        short,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng, cast.fagaiwei],
        assigned_on=date(2026, 8, 5),
    )
    actions.accept_case(short, by=cast.yizheng_head, on=date(2026, 8, 6))
    actions.communicate(
        short, by=cast.yizheng_head, stage="before", method="phone", summary="电话沟通"
    )
    actions.submit_reply(
        short,
        by=cast.yizheng_head,
        text="答复",
        reply_class="B",
        contact="张",
        phone="1",
        commitments=[{"what": "出台方案", "due": date(2026, 12, 31)}],
    )
    actions.review_reply(short, by=cast.coordinator, passed=True, gates=GATES)
    actions.sign_reply(short, by=cast.leader, approved=True)
    actions.record_feedback(short, by=cast.coordinator, result="satisfied")
    long = rehandled(cast)

    def queries(client, case) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cases/{case.pk}/").status_code == 200
        return len(ctx.captured_queries)

    # Each table of the case read once, whatever its history (web/case_page.load_case_rows);
    # the header's commission name comes from the cache after the first page.
    # The coordinator's page also reads the 催办 card's unit heads and notices and the
    # 催办进度 block (issue 11); every page reads the bell's unread count and the supervision
    # items the case was put under (列入督办, issue 13) and the list items raised from it
    # (列入整改清单, issue 14; the coordinator's card asks whether a list is open). Issue 15's
    # panels: the proposers' links and ratings (office), the disclosure (office, leaders),
    # the similar cases (the index's sync, 2; the cases found and their replies, 2; the
    # cases merged into this one, 1), the proposers' word on the talks and the promises'
    # history (1 each, when there are talks or promises).
    for user, most in ((cast.coordinator, 36), (cast.yizheng_head, 31), (cast.jiceng_head, 31)):
        client = client_for(user)
        queries(client, short)
        assert queries(client, short) == queries(client, long) <= most


@FROZEN
def test_a_handling_case_page_takes_as_many_queries_with_a_long_history(cast, client_for):
    """Where most cards are offered (the lead unit's head: reply, handler, communicate,
    extension, outcome): the cards read what the page has read, not a table per card."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def handling(title: str):
        case = register(cast, on=date(2026, 8, 3), title=title)
        actions.assign_case(
            case,
            by=cast.coordinator,
            lead_unit=cast.yizheng,
            co_units=[cast.jiceng, cast.fagaiwei],
            assigned_on=date(2026, 8, 5),
        )
        actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 8, 6))
        return case

    # An earlier case like both, that every user of the test sees: the panel finds one.
    earlier = register(cast, on=date(2026, 8, 3))
    actions.assign_case(
        earlier, by=cast.coordinator, lead_unit=cast.yizheng, co_units=[cast.jiceng]
    )
    fresh = handling("关于加强基层医疗卫生人才培养的建议")
    busy = handling("关于加强基层医疗卫生人才引进的建议")
    # One talk on the fresh case: the proposers' word on talks is read once when there are any.
    actions.communicate(
        fresh, by=cast.yizheng_head, stage="during", method="phone", summary="电话沟通"
    )
    for day in (10, 11, 12, 13, 14):
        actions.communicate(
            busy,
            by=cast.yizheng_head,
            stage="during",
            method="phone",
            summary=f"第{day}日电话沟通",
            on=date(2026, 8, day),
        )
    actions.submit_opinion(busy, by=cast.jiceng_head, text="同意。", on=date(2026, 8, 20))
    actions.add_outcome(
        busy, by=cast.yizheng_head, kind="policy", title="实施方案", on=date(2026, 8, 21)
    )

    def queries(client, case) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cases/{case.pk}/").status_code == 200
        return len(ctx.captured_queries)

    # Issue 15's panels: see the test above.
    for user, most in ((cast.coordinator, 36), (cast.yizheng_head, 37), (cast.jiceng_head, 30)):
        client = client_for(user)
        queries(client, fresh)
        assert queries(client, fresh) == queries(client, busy) <= most, user


@FROZEN
def test_a_rehandled_case_s_reply_form_starts_from_the_signed_reply_of_round_one(cast, client_for):
    # The page builds its cards from the rows it has read (proposals/rows.py): the
    # previous round's signed reply must still fill the form, as the database path does.
    case = register(cast, on=date(2026, 8, 3))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 8, 5)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 8, 6))
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="第一轮答复正文",
        reply_class="B",
        contact="张处长",
        phone="12345678",
        commitments=[{"what": "出台培养方案", "due": date(2026, 12, 31)}],
        on=date(2026, 9, 1),
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=date(2026, 9, 2))
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 9, 3))
    actions.record_feedback(
        case, by=cast.coordinator, result="unsatisfied", comment="措施不具体", on=date(2026, 9, 10)
    )
    html = client_for(cast.yizheng_head).get(f"/cases/{case.pk}/").content.decode()
    form = html.split('id="f-submit_reply-text"', 1)[1].split("</textarea>", 1)[0]
    assert "第一轮答复正文" in form

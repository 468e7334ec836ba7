"""The action forms made for each action: what they show, and that a refused form comes
back (400, same page) with the reason beside the field and everything the user typed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from audit.models import AuditEvent
from cases import actions
from cases.models import Case
from cases.tests.factories import register
from web.tests.pages import case_page_with_cards

pytestmark = pytest.mark.django_db

# The real day this was written: 2026 has its official calendar, 2027 not yet.
FROZEN = time_machine.travel(
    datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
)
GATES = {"format": True, "policy": True, "content": True, "resolution": True}


def url(case, action: str) -> str:
    return f"/cases/{case.pk}/actions/{action}/"


def handling(cast, **overrides) -> Case:
    case = register(cast, on=date(2026, 9, 1), **overrides)
    actions.assign_case(
        case,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng, cast.fagaiwei],
        assigned_on=date(2026, 9, 30),
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 10, 9))
    return case


def reviewing(cast) -> Case:
    case = handling(cast)
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        text="一、关于人才培养。我委将扩大定向培养规模。",
        reply_class="B",
        contact="张处长",
        phone="0571-8888 1234",
        commitments=[{"what": "出台基层卫生人才培养方案", "due": date(2027, 6, 30)}],
        on=date(2026, 11, 10),
    )
    return case


def signing(cast) -> Case:
    case = reviewing(cast)
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES, on=date(2026, 11, 12))
    return case


def refused(response) -> str:
    assert response.status_code == 400
    return response.content.decode()


# --- 交办 -----------------------------------------------------------------------------


@FROZEN
def test_assign_form_has_pickers_people_and_the_deadlines(cast, client_for):
    case = register(cast, on=date(2026, 11, 2))
    html = case_page_with_cards(client_for(cast.coordinator), case.pk)
    assert 'role="radiogroup" aria-labelledby="label-assign-lead_unit"' in html
    assert 'data-picker-search placeholder="输入单位名称筛选"' in html
    # The lead unit is one of ours; an outside agency is offered as a co-unit, marked 外部.
    assert 'name="lead_unit" value="fagaiwei"' not in html
    assert 'name="co_units" value="fagaiwei"' in html
    assert '市发改委 <span class="badge hy-badge-external">外部</span>' in html
    # The handler list knows each person's units, to show the lead unit's people only.
    assert 'value="yizheng_clerk" data-units="yizheng"' in html
    assert '<option value="leader">李主任</option>' in html
    # The preview of today's assignment: 3 months → 2027-02-23 (Tuesday), provisional.
    assert 'id="assign-preview"' in html and "hx-get=" in html
    assert "2027年2月23日" in html and "暂定" in html
    for label in ("答复期限", "处室初稿期限", "协办意见期限", "申请退回截止"):
        assert label in html


@FROZEN
def test_assign_without_a_lead_unit_keeps_the_input(cast, client_for):
    case = register(cast, on=date(2026, 9, 1))
    client = client_for(cast.coordinator)
    before = AuditEvent.objects.count()  # after the login, which is in the trail
    response = client.post(
        url(case, "assign"),
        {
            "co_units": ["jiceng", "fagaiwei"],
            "assigned_on": "2026-09-30",
            "deadline": "",
            "handler": "yizheng_clerk",
            "leader_in_charge": "leader",
        },
    )
    html = refused(response)
    assert "此项必填" in html
    assert 'id="action-body-assign" class="accordion-collapse collapse show"' in html
    assert 'value="jiceng" id="f-assign-co_units-jiceng" checked' in html
    assert 'value="fagaiwei" id="f-assign-co_units-fagaiwei" checked' in html
    assert 'value="2026-09-30"' in html
    assert 'value="yizheng_clerk" data-units="yizheng" selected' in html
    assert '<option value="leader" selected>李主任</option>' in html
    # The preview follows the date typed, not today's.
    assert "按 2026年9月30日 交办计算" in html and "2026年12月30日" in html
    assert AuditEvent.objects.count() == before
    assert Case.objects.get(pk=case.pk).state == "registered"


# --- the deadline preview (htmx) --------------------------------------------------------


def preview(client, case, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(f"/cases/{case.pk}/deadline-preview/?{query}")


@FROZEN
def test_deadline_preview_on_the_2026_calendar(cast, client_for):
    case = register(cast, on=date(2026, 9, 1))
    response = preview(client_for(cast.coordinator), case, assigned_on="2026-09-30")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment for htmx to swap in
    assert "按 2026年9月30日 交办计算" in html
    assert "2026年12月30日" in html  # 答复期限: 3 months
    assert "2026年12月16日" in html  # 处室初稿期限: 10 working days before
    assert "2026年10月30日" in html  # 协办意见期限: 1 month
    assert "2026年10月13日" in html  # 申请退回: 5 working days over 国庆 (10-10 is a 班)
    assert "暂定" not in html


@FROZEN
def test_deadline_preview_is_provisional_where_the_calendar_is_not_published(cast, client_for):
    case = register(cast, on=date(2026, 11, 2))
    html = preview(client_for(cast.coordinator), case, assigned_on="2026-11-23").content.decode()
    assert "2027年2月23日" in html  # 3 months, in 2027: weekends only
    assert html.count("暂定") >= 2  # the reply and the draft deadlines
    assert "该年度法定节假日安排尚未公布" in html


@FROZEN
def test_deadline_preview_uses_the_explicit_deadline(cast, client_for):
    case = register(cast, on=date(2026, 9, 1))
    html = preview(
        client_for(cast.coordinator), case, assigned_on="2026-09-30", deadline="2026-11-30"
    ).content.decode()
    assert "2026年11月30日" in html and "交办机关规定的办理期限" in html
    assert "2026年10月30日" in html  # the co-units still have one month


@FROZEN
def test_deadline_preview_refuses_bad_dates_with_a_reason(cast, client_for):
    case = register(cast, on=date(2026, 9, 1))
    client = client_for(cast.coordinator)
    for params, message in (
        ({"assigned_on": "2026-02-30"}, "日期格式应为 年-月-日"),
        ({"assigned_on": "2026-11-24"}, "办理日期不能晚于今天"),
        ({"assigned_on": "2026-08-31"}, "办理日期不能早于上一步的办理日期（2026年9月1日）"),
        ({"assigned_on": "2026-09-30", "deadline": "2026-09-30"}, "办理期限须晚于交办日期"),
    ):
        response = preview(client, case, **params)
        assert response.status_code == 400, params
        assert message in response.content.decode(), params
    # No date at all: today.
    html = preview(client, case).content.decode()
    assert "按 2026年11月23日 交办计算" in html


@FROZEN
def test_deadline_preview_permissions(cast, client_for, client):
    case = register(cast, on=date(2026, 9, 1))
    assert preview(client, case).status_code == 302  # log in first
    assert preview(client_for(cast.yizheng_head), case).status_code == 404  # cannot see it
    assert preview(client_for(cast.leader), case).status_code == 403  # sees it, may not assign
    assert preview(client_for(cast.viewer), case).status_code == 403
    assert client_for(cast.coordinator).get("/cases/999999/deadline-preview/").status_code == 404
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 9, 30)
    )
    response = preview(client_for(cast.coordinator), case)
    assert response.status_code == 400
    assert "办件当前为“已交办”，不能交办" in response.content.decode()
    assert preview(client_for(cast.yizheng_head), case).status_code == 403  # now visible
    assert (
        client_for(cast.coordinator).post(f"/cases/{case.pk}/deadline-preview/").status_code == 405
    )


# --- 退回, 撤回 --------------------------------------------------------------------------


@FROZEN
def test_return_and_withdraw_warn_and_need_a_reason(cast, client_for):
    case = register(cast, on=date(2026, 11, 2))
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 11, 20)
    )
    head = client_for(cast.yizheng_head)
    html = case_page_with_cards(head, case.pk)
    assert "申请退回后，办件回到“已登记”" in html
    assert "即 2026年11月27日 前" in html  # 5 working days from Friday 11-20
    assert "退回理由" in html
    html = refused(head.post(url(case, "return"), {"reason": " ", "on": "2026-11-23"}))
    assert "此项必填" in html and 'value="2026-11-23"' in html
    html = case_page_with_cards(client_for(cast.coordinator), case.pk)
    assert "撤回后，此件不再由我委办理" in html and "撤回理由" in html


# --- 沟通 -------------------------------------------------------------------------------


@FROZEN
def test_communicate_form_keeps_the_choices(cast, client_for):
    case = handling(cast)
    head = client_for(cast.yizheng_head)
    html = case_page_with_cards(head, case.pk)
    assert 'name="stage" value="before"' in html and 'name="method" value="home_visit"' in html
    assert "沟通日期" in html and 'value="2026-11-23"' in html  # defaults to today
    data = {
        "stage": "during",
        "method": "site_visit",
        "on": "2026-11-20",
        "participants": "陈代表、张处长",
        "summary": "",
    }
    html = refused(head.post(url(case, "communicate"), data))
    assert "此项必填" in html
    assert 'value="during" id="f-communicate-stage-during" autocomplete="off" checked' in html
    assert (
        'value="site_visit" id="f-communicate-method-site_visit" autocomplete="off" checked' in html
    )
    assert 'value="陈代表、张处长"' in html and 'value="2026-11-20"' in html
    response = head.post(url(case, "communicate"), data | {"summary": "实地察看乡镇卫生院"})
    assert response.status_code == 302
    record = case.communications.get()
    assert (record.stage, record.method, record.on) == ("during", "site_visit", date(2026, 11, 20))


# --- 提交答复 ---------------------------------------------------------------------------


@FROZEN
def test_reply_form_explains_the_classes_and_prefills_the_contact(cast, client_for):
    case = handling(cast)
    other = handling(cast, title="另一件建议")
    actions.submit_reply(
        other,
        by=cast.yizheng_head,
        text="答复",
        reply_class="A",
        contact="张处长（医政）",
        phone="0571-8888 1234",
        on=date(2026, 11, 2),
    )
    html = case_page_with_cards(client_for(cast.yizheng_head), case.pk)
    for text in ("已解决或基本解决", "正在解决或列入计划逐步解决", "因条件限制需待以后解决"):
        assert text in html
    assert "须列明承诺事项及完成时间" in html
    assert "data-add-commitment" in html and "<template data-commitment-template>" in html
    assert 'value="张处长（医政）"' in html and 'value="0571-8888 1234"' in html
    # A handler without an earlier reply gets their own name.
    html = case_page_with_cards(client_for(cast.yizheng_handler), case.pk)
    assert 'name="contact" id="f-submit_reply-contact" value="赵科员"' in html


@FROZEN
def test_b_reply_without_a_commitment_keeps_the_input(cast, client_for):
    case = handling(cast)
    head = client_for(cast.yizheng_head)
    before = AuditEvent.objects.count()
    data = {
        "reply_class": "B",
        "text": "一、关于人才培养。\r\n二、关于待遇保障。",
        "contact": "张处长",
        "phone": "12345678",
        "commitments-0-what": "",
        "commitments-0-due": "",
        "on": "2026-11-20",
    }
    html = refused(head.post(url(case, "submit_reply"), data))
    assert "B类答复须列明承诺事项及完成时间" in html
    assert 'value="B" id="f-submit_reply-reply_class-B" autocomplete="off" checked' in html
    assert "一、关于人才培养。\n二、关于待遇保障。</textarea>" in html
    assert 'value="张处长"' in html and 'value="12345678"' in html and 'value="2026-11-20"' in html
    # The commitments box is open (B), showing the error.
    assert 'id="field-submit_reply-commitments" data-commitments>' in html
    assert AuditEvent.objects.count() == before
    # Rows added and removed in the page leave gaps in the numbering: all rows count.
    data |= {
        "commitments-0-what": "年内出台培养方案",
        "commitments-0-due": "2026-12-31",
        "commitments-3-what": "明年扩大定向招生",
        "commitments-3-due": "2027-09-01",
    }
    assert head.post(url(case, "submit_reply"), data).status_code == 302
    assert list(case.commitments.order_by("due").values_list("what", flat=True)) == [
        "年内出台培养方案",
        "明年扩大定向招生",
    ]


@FROZEN
def test_a_commitment_without_a_date_keeps_both_rows(cast, client_for):
    case = handling(cast)
    data = {
        "reply_class": "C",
        "text": "答复",
        "contact": "张处长",
        "phone": "1",
        "commitments-0-what": "第一项",
        "commitments-0-due": "2027-01-31",
        "commitments-1-what": "第二项",
        "commitments-1-due": "",
    }
    html = refused(client_for(cast.yizheng_head).post(url(case, "submit_reply"), data))
    assert "第2项完成时间：此项必填" in html
    assert 'name="commitments-0-what" value="第一项"' in html
    assert 'name="commitments-1-what" value="第二项"' in html
    assert 'name="commitments-0-due" value="2027-01-31"' in html


@FROZEN
def test_a_sent_back_draft_is_revised_not_retyped(cast, client_for):
    case = reviewing(cast)
    actions.review_reply(
        case,
        by=cast.coordinator,
        passed=False,
        gates=GATES | {"content": False},
        gate_comments={"content": "未回应待遇保障问题"},
        on=date(2026, 11, 12),
    )
    html = case_page_with_cards(client_for(cast.yizheng_head), case.pk)
    assert "上一稿已退回修改" in html and "未回应待遇保障问题" in html
    assert "一、关于人才培养。我委将扩大定向培养规模。</textarea>" in html
    assert 'name="commitments-0-what" value="出台基层卫生人才培养方案"' in html
    assert 'name="commitments-0-due" value="2027-06-30"' in html


# --- 审核 (四关) -------------------------------------------------------------------------


@FROZEN
def test_review_shows_the_draft_beside_the_gates(cast, client_for):
    case = reviewing(cast)
    html = case_page_with_cards(client_for(cast.coordinator), case.pk)
    assert 'class="row g-3 hy-review"' in html and 'class="col-lg-6 order-lg-1"' in html
    assert "第1轮答复稿" in html and "出台基层卫生人才培养方案" in html
    for gate in ("答复格式", "政策法规", "答复内容", "解决问题"):
        assert f'placeholder="{gate}意见（未通过时必填）"' in html
    assert 'name="gates-content-comment"' in html


@FROZEN
def test_review_failing_a_gate_without_a_comment_keeps_the_input(cast, client_for):
    case = reviewing(cast)
    client = client_for(cast.coordinator)
    before = AuditEvent.objects.count()
    data = {
        "gates-format": "1",
        "gates-policy": "1",
        "gates-resolution": "1",
        "gates-format-comment": "格式规范",
        "passed": "0",
        "comment": "",
        "on": "2026-11-20",
    }
    html = refused(client.post(url(case, "review"), data))
    assert "请说明“答复内容”未通过的理由" in html
    assert 'name="gates-format" value="1" id="f-review-gates-format" checked' in html
    assert 'name="gates-content" value="1" id="f-review-gates-content" data-gate-check' in html
    assert 'value="格式规范"' in html
    assert 'value="0" id="f-review-passed-0" autocomplete="off" checked' in html
    # The remark input of the unexplained gate is the one marked.
    assert 'is-invalid" type="text" name="gates-content-comment"' in html
    assert 'is-invalid" type="text" name="gates-format-comment"' not in html
    assert AuditEvent.objects.count() == before
    assert Case.objects.get(pk=case.pk).state == "reviewing"


@FROZEN
def test_gate_remarks_are_stored_in_the_review_and_the_event(cast, client_for):
    case = reviewing(cast)
    client = client_for(cast.coordinator)
    data = {
        "gates-format": "1",
        "gates-policy": "1",
        "gates-format-comment": "格式规范",
        "gates-content-comment": "未回应待遇保障问题",
        "gates-resolution-comment": "承诺时间过长",
        "passed": "0",
    }
    assert client.post(url(case, "review"), data).status_code == 302
    case.refresh_from_db()
    assert case.state == "handling"
    reply = case.replies.get()
    record = reply.review["review"]
    remarks = {
        "format": "格式规范",
        "content": "未回应待遇保障问题",
        "resolution": "承诺时间过长",
    }
    assert record["gate_comments"] == remarks
    assert record["gates"] == {
        "format": True,
        "policy": True,
        "content": False,
        "resolution": False,
    }
    # Sent back with remarks on the failed gates only: they make the comment.
    assert record["comment"] == "答复内容：未回应待遇保障问题；解决问题：承诺时间过长"
    event = case.events.last()
    assert event.action == "review" and event.details["gate_comments"] == remarks
    html = case_page_with_cards(client, case.pk)
    assert "未回应待遇保障问题" in html and "答复内容意见" in html  # the timeline names them


@FROZEN
def test_review_passing_with_remarks(cast, client_for):
    case = reviewing(cast)
    data = {f"gates-{g}": "1" for g in GATES} | {
        "gates-policy-comment": "引用文件现行有效",
        "passed": "1",
        "comment": "同意送签",
    }
    assert client_for(cast.coordinator).post(url(case, "review"), data).status_code == 302
    review = case.replies.get().review["review"]
    assert review["approved"] and review["gate_comments"] == {"policy": "引用文件现行有效"}


def test_gate_remarks_through_the_api(cast):
    from api.tests.helpers import ApiClient

    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        case = reviewing(cast)
        response = ApiClient("coordinator").act(
            case.pk,
            "review",
            {
                "passed": False,
                "comment": "请修改",
                "gates": GATES | {"format": False},
                "gate_comments": {"format": "缺少联系人电话"},
            },
        )
    assert response.status_code == 200, response.content
    # The API's dispatcher passes the gates; whether it passes the remarks too is up to
    # cases.dispatch (the payload accepts them either way, and the old contract holds).
    assert case.replies.get().review["review"]["gates"]["format"] is False


# --- 签发 -------------------------------------------------------------------------------


@FROZEN
def test_sign_shows_the_letter_as_it_will_be_sent(cast, client_for):
    case = signing(cast)
    html = case_page_with_cards(client_for(cast.leader), case.pk)
    assert 'class="hy-letter"' in html
    assert '<div class="hy-letter-class">B类</div>' in html
    assert "陈代表：" in html and "收悉" in html and "现答复如下" in html
    assert "关于人才培养。" in html and "我委承诺：" in html
    assert "1. 出台基层卫生人才培养方案（完成时间：2027年6月30日）" in html
    assert "联系人：张处长，联系电话：0571-8888 1234" in html
    assert "2026年11月23日" in html  # signed today
    assert 'name="approved" value="1"' in html and 'name="approved" value="0"' in html
    assert "btn-lg w-100" in html


@FROZEN
def test_sign_send_back_without_a_comment_keeps_the_input(cast, client_for):
    case = signing(cast)
    leader = client_for(cast.leader)
    before = AuditEvent.objects.count()
    html = refused(leader.post(url(case, "sign"), {"approved": "0", "comment": "  "}))
    assert "退回修改时请填写意见" in html
    assert 'id="action-body-sign" class="accordion-collapse collapse show"' in html
    html = refused(
        leader.post(
            url(case, "sign"), {"approved": "0", "comment": "请补充时间安排", "on": "2026-11-30"}
        )
    )
    assert "办理日期不能晚于今天" in html and "请补充时间安排</textarea>" in html
    assert AuditEvent.objects.count() == before
    response = leader.post(url(case, "sign"), {"approved": "0", "comment": "请补充时间安排"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "handling"


# --- 登记评价 ---------------------------------------------------------------------------


@FROZEN
def test_feedback_form_keeps_the_ratings_and_says_what_unsatisfied_means(cast, client_for):
    case = signing(cast)
    actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 11, 16))
    client = client_for(cast.coordinator)
    html = case_page_with_cards(client, case.pk)
    assert "新的答复期限为 <strong>2026年12月23日</strong>" in html  # 1 month from today
    assert 'value="basically_satisfied" id="f-record_feedback-result-basically_satisfied"' in html
    html = refused(
        client.post(url(case, "record_feedback"), {"attitude": "satisfied", "comment": "望加快"})
    )
    assert "此项必填" in html and "望加快</textarea>" in html
    assert (
        'value="satisfied" id="f-record_feedback-attitude-satisfied" autocomplete="off" checked'
        in html
    )


# --- 延期 -------------------------------------------------------------------------------


@FROZEN
def test_extension_forms_show_the_deadline_the_limit_and_the_request(cast, client_for):
    case = handling(cast)
    head = client_for(cast.yizheng_head)
    html = case_page_with_cards(head, case.pk)
    assert "现答复期限" in html and "2026年12月30日" in html
    assert "延期最长至交办后6个月" in html and "2027年3月30日" in html
    html = refused(
        head.post(url(case, "request_extension"), {"until": "2027-04-30", "reason": "需专题调研"})
    )
    assert "延期最长至交办后6个月" in html and "需专题调研</textarea>" in html
    assert 'value="2027-04-30"' in html
    assert (
        head.post(
            url(case, "request_extension"), {"until": "2027-02-26", "reason": "需专题调研"}
        ).status_code
        == 302
    )
    html = case_page_with_cards(client_for(cast.leader), case.pk)
    assert "延期申请" in html and "需专题调研" in html and "2027年2月26日" in html
    assert "张处长" in html and "最长可至" in html
    html = refused(client_for(cast.leader).post(url(case, "decide_extension"), {"approved": "0"}))
    assert "不同意延期时请填写意见" in html


# --- 处室审核, 会办 cases, the opinion card -------------------------------------------------


@FROZEN
def test_unit_head_approves_the_handlers_draft_beside_it(cast, client_for):
    case = handling(cast)
    actions.submit_reply(
        case,
        by=cast.yizheng_handler,
        text="承办人起草的答复",
        reply_class="A",
        contact="赵科员",
        phone="1",
        on=date(2026, 11, 20),
    )
    head = client_for(cast.yizheng_head)
    html = case_page_with_cards(head, case.pk)
    assert 'id="action-approve_reply"' in html and "承办人起草的答复" in html
    assert 'class="col-lg-6 order-lg-1"' in html
    html = refused(head.post(url(case, "approve_reply"), {"approved": "0", "comment": ""}))
    assert "退回修改时请填写意见" in html
    assert 'value="0" id="f-approve_reply-approved-0" autocomplete="off" checked' in html
    assert head.post(url(case, "approve_reply"), {"approved": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.state == "reviewing"


@FROZEN
def test_a_co_case_is_answered_with_an_opinion_to_the_lead_agency(cast, client_for):
    case = register(cast, on=date(2026, 9, 1), mode="co", external_lead="市教育局")
    html = case_page_with_cards(client_for(cast.coordinator), case.pk)
    assert "会办意见期限" in html  # the preview of a 会办 case
    actions.assign_case(
        case, by=cast.coordinator, lead_unit=cast.yizheng, assigned_on=date(2026, 9, 30)
    )
    actions.accept_case(case, by=cast.yizheng_head, on=date(2026, 10, 9))
    head = client_for(cast.yizheng_head)
    html = case_page_with_cards(head, case.pk)
    assert 'name="reply_class"' not in html and "data-commitments" not in html
    actions.submit_reply(
        case, by=cast.yizheng_head, text="我委会办意见如下。", contact="张处长", phone="1"
    )
    actions.review_reply(case, by=cast.coordinator, passed=True, gates=GATES)
    html = case_page_with_cards(client_for(cast.leader), case.pk)
    assert "会办意见</h4>" in html and "市教育局：" in html
    assert 'class="hy-letter-class"' not in html  # no reply class


@FROZEN
def test_the_lead_unit_records_opinions_for_outside_co_units_only(cast, client_for):
    inside = register(cast, on=date(2026, 9, 1))
    actions.assign_case(
        inside,
        by=cast.coordinator,
        lead_unit=cast.yizheng,
        co_units=[cast.jiceng],
        assigned_on=date(2026, 9, 30),
    )
    head = client_for(cast.yizheng_head)
    assert 'id="action-submit_opinion"' not in case_page_with_cards(head, inside.pk)
    html = case_page_with_cards(client_for(cast.jiceng_head), inside.pk)
    assert 'id="action-submit_opinion"' in html and "hy-action-primary" in html
    outside = handling(cast)  # co-units: jiceng and 市发改委 (external)
    html = case_page_with_cards(head, outside.pk)
    assert 'id="action-submit_opinion"' in html
    assert '<option value="fagaiwei">市发改委</option>' in html

"""答复 rules: what a draft must contain (text, contact, phone, class, commitments), the
four-gate review, send-backs and signing. A refused draft writes nothing."""

from datetime import date

import pytest

from audit.models import AuditEvent
from cases import actions
from cases.models import Case, Commitment, Reply
from cases.tests.walks import FROZEN, GATES, case_in, reply_kwargs
from workflow.errors import CaseError

pytestmark = pytest.mark.django_db

ON = date(2026, 5, 20)  # the reply date of the drafts below


def _refused(cast, case, match, *, field, by=None, **overrides):
    before = (Reply.objects.count(), Commitment.objects.count(), AuditEvent.objects.count())
    with pytest.raises(CaseError, match=match) as refused:
        actions.submit_reply(
            case, by=by or cast.yizheng_head, on=ON, **reply_kwargs(case, **overrides)
        )
    assert refused.value.field == field
    after = (Reply.objects.count(), Commitment.objects.count(), AuditEvent.objects.count())
    assert after == before
    assert Case.objects.get(pk=case.pk).state == "handling"


# ── the draft ───────────────────────────────────────────────────────────────────────────


@FROZEN
@pytest.mark.parametrize(
    ("name", "label"), [("text", "答复内容"), ("contact", "联系人"), ("phone", "联系电话")]
)
@pytest.mark.parametrize("value", ["", "  \n ", None])
def test_text_contact_and_phone_are_required(cast, name, label, value):
    case = case_in(cast, "handling")
    _refused(cast, case, label, field=name, **{name: value})


@FROZEN
@pytest.mark.parametrize("reply_class", ["", None, "E", "AB", "甲"])
def test_a_lead_reply_needs_a_known_class(cast, reply_class):
    case = case_in(cast, "handling")
    _refused(cast, case, "答复类别", field="reply_class", reply_class=reply_class)


@FROZEN
def test_the_class_is_stored_in_capitals(cast):
    case = case_in(cast, "handling")
    reply = actions.submit_reply(
        case, by=cast.yizheng_head, on=ON, **reply_kwargs(case, reply_class=" b ")
    )
    reply.refresh_from_db()
    assert (reply.reply_class, reply.text, reply.contact, reply.phone) == (
        "B",
        "答复正文",
        "赵科员",
        "12345678",
    )
    event = case.events.latest("id")
    assert event.details["reply_class"] == "B" and event.details["commitments"] == 1


@FROZEN
@pytest.mark.parametrize(
    ("commitment", "match"),
    [
        ({"what": "", "due": date(2026, 12, 1)}, "第1项承诺事项.*承诺内容"),
        ({"what": "   ", "due": date(2026, 12, 1)}, "第1项承诺事项.*承诺内容"),
        ({"what": None, "due": date(2026, 12, 1)}, "第1项承诺事项.*承诺内容"),
        ({"due": date(2026, 12, 1)}, "第1项承诺事项.*承诺内容"),
        ({"what": "出台方案"}, "第1项承诺事项.*完成时间"),
        ({"what": "出台方案", "due": None}, "第1项承诺事项.*完成时间"),
        ({"what": "出台方案", "due": "2026-12-01"}, "第1项承诺事项.*完成时间"),
        ({"what": "出台方案", "due": date(2026, 5, 19)}, "第1项承诺事项.*不能早于答复日期"),
    ],
)
def test_a_commitment_needs_what_and_a_due_date_not_before_the_reply(cast, commitment, match):
    case = case_in(cast, "handling")
    _refused(cast, case, match, field="commitments", commitments=[commitment])


@FROZEN
def test_the_second_commitment_is_named_as_the_second(cast):
    case = case_in(cast, "handling")
    good = {"what": "出台方案", "due": date(2026, 12, 1)}
    bad = {"what": "", "due": date(2026, 12, 1)}
    _refused(cast, case, "第2项承诺事项", field="commitments", commitments=[good, bad])


@FROZEN
def test_a_commitment_due_on_the_reply_date_is_accepted(cast):
    case = case_in(cast, "handling")
    commitments = [
        {"what": " 当天完成 ", "due": ON},
        {"what": "年内完成", "due": date(2026, 12, 31)},
    ]
    reply = actions.submit_reply(
        case, by=cast.yizheng_head, on=ON, **reply_kwargs(case, commitments=commitments)
    )
    assert list(reply.commitments.order_by("due").values_list("what", "due")) == [
        ("当天完成", ON),
        ("年内完成", date(2026, 12, 31)),
    ]


@FROZEN
@pytest.mark.parametrize("reply_class", ["B", "C"])
def test_classes_b_and_c_need_commitments(cast, reply_class):
    case = case_in(cast, "handling")
    _refused(
        cast,
        case,
        f"{reply_class}类答复.*承诺事项",
        field="commitments",
        reply_class=reply_class,
        commitments=[],
    )


@FROZEN
@pytest.mark.parametrize("reply_class", ["A", "D", "a"])
def test_classes_a_and_d_take_no_commitments(cast, reply_class):
    case = case_in(cast, "handling")
    _refused(
        cast,
        case,
        f"{reply_class.upper()}类答复.*承诺事项",
        field="commitments",
        reply_class=reply_class,
    )


@FROZEN
@pytest.mark.parametrize("reply_class", ["A", "D"])
def test_classes_a_and_d_without_commitments(cast, reply_class):
    case = case_in(cast, "handling")
    actions.submit_reply(
        case,
        by=cast.yizheng_head,
        on=ON,
        **reply_kwargs(case, reply_class=reply_class, commitments=None),
    )
    assert case.replies.get().reply_class == reply_class
    assert not case.commitments.exists()


@FROZEN
def test_a_co_unit_opinion_has_no_class_and_no_commitments(cast):
    case = case_in(cast, "handling", mode="co", external_lead="市发改委")
    _refused(cast, case, "会办意见不分答复类别", field="reply_class", reply_class="A")
    _refused(
        cast,
        case,
        "会办意见不登记承诺事项",
        field="commitments",
        commitments=[{"what": "出台方案", "due": date(2026, 12, 1)}],
    )
    reply = actions.submit_reply(case, by=cast.yizheng_head, on=ON, **reply_kwargs(case))
    assert (reply.reply_class, reply.commitments.count()) == ("", 0)


@FROZEN
def test_the_handlers_draft_goes_to_the_unit_head_the_heads_to_review(cast):
    by_handler = case_in(cast, "handling")
    by_head = case_in(cast, "handling")
    r1 = actions.submit_reply(
        by_handler, by=cast.yizheng_handler, on=ON, **reply_kwargs(by_handler)
    )
    r2 = actions.submit_reply(by_head, by=cast.yizheng_head, on=ON, **reply_kwargs(by_head))
    assert (Case.objects.get(pk=by_handler.pk).state, r1.status) == (
        "unit_approving",
        "unit_approving",
    )
    assert (Case.objects.get(pk=by_head.pk).state, r2.status) == ("reviewing", "reviewing")


# ── the review's four gates ─────────────────────────────────────────────────────────────


def _review(cast, case, **kwargs):
    return actions.review_reply(case, by=cast.coordinator, on=date(2026, 5, 22), **kwargs)


@FROZEN
@pytest.mark.parametrize("missing", sorted(GATES))
def test_a_partial_gate_set_cannot_pass(cast, missing):
    case = case_in(cast, "reviewing")
    gates = {g: True for g in GATES if g != missing}
    label = {"format": "答复格式", "policy": "政策法规", "content": "答复内容"}
    label["resolution"] = "解决问题"
    with pytest.raises(CaseError, match=f"请逐项审核：{label[missing]}$") as refused:
        _review(cast, case, passed=True, gates=gates)
    assert refused.value.field == "gates"
    assert Case.objects.get(pk=case.pk).state == "reviewing"


@FROZEN
def test_a_failed_gate_cannot_pass(cast):
    case = case_in(cast, "reviewing")
    with pytest.raises(CaseError, match="“政策法规”未通过，不能送签发"):
        _review(cast, case, passed=True, gates={**GATES, "policy": False})
    assert Case.objects.get(pk=case.pk).state == "reviewing"


@FROZEN
def test_all_four_gates_pass_and_are_kept(cast):
    case = case_in(cast, "reviewing")
    reply = _review(cast, case, passed=True, gates=GATES, gate_comments={"policy": " 符合 "})
    assert Case.objects.get(pk=case.pk).state == "signing"
    assert reply.status == "signing"
    assert reply.review["review"]["gates"] == GATES
    assert reply.review["review"]["gate_comments"] == {"policy": "符合"}
    assert case.events.latest("id").details["gates"] == GATES


@FROZEN
def test_passing_without_gates_is_allowed_and_records_none(cast):
    case = case_in(cast, "reviewing")
    reply = _review(cast, case, passed=True)
    assert "gates" not in reply.review["review"] and "gate_comments" not in reply.review["review"]
    assert Case.objects.get(pk=case.pk).state == "signing"


@FROZEN
@pytest.mark.parametrize(
    "kwargs",
    [
        {"gates": {**GATES, "spelling": True}},
        {"gates": GATES, "gate_comments": {"grammar": "不通"}},
    ],
)
def test_an_unknown_gate_is_refused(cast, kwargs):
    case = case_in(cast, "reviewing")
    with pytest.raises(CaseError, match="未知的审核项") as refused:
        _review(cast, case, passed=True, **kwargs)
    assert refused.value.field == "gates"


@FROZEN
@pytest.mark.parametrize("comment", ["", "   ", None])
def test_a_send_back_needs_a_comment(cast, comment):
    case = case_in(cast, "reviewing")
    with pytest.raises(CaseError, match="退回修改时请填写意见") as refused:
        _review(cast, case, passed=False, comment=comment)
    assert refused.value.field == "comment"
    assert Case.objects.get(pk=case.pk).state == "reviewing"


@FROZEN
@pytest.mark.parametrize("state", ["unit_approving", "signing"])
@pytest.mark.parametrize("comment", ["", "  ", None])
def test_the_unit_head_and_the_leader_send_back_with_a_comment_too(cast, state, comment):
    case = case_in(cast, state)
    if state == "unit_approving":
        call = actions.approve_reply
        by = cast.yizheng_head
    else:
        call = actions.sign_reply
        by = cast.leader
    with pytest.raises(CaseError, match="退回修改时请填写意见"):
        call(case, by=by, approved=False, comment=comment, on=date(2026, 5, 25))
    assert Case.objects.get(pk=case.pk).state == state


@FROZEN
def test_a_failed_gate_needs_its_reason(cast):
    case = case_in(cast, "reviewing")
    failed = {**GATES, "content": False, "format": False}
    with pytest.raises(CaseError, match="请说明“答复格式、答复内容”未通过的理由"):
        _review(cast, case, passed=False, gates=failed, gate_comments={"content": "  "})
    with pytest.raises(CaseError, match="请说明“答复格式”未通过的理由"):
        _review(cast, case, passed=False, gates=failed, gate_comments={"content": "答非所问"})
    reply = _review(
        cast,
        case,
        passed=False,
        gates=failed,
        gate_comments={"content": "答非所问", "format": "缺文号", "policy": " "},
    )
    assert reply.status == "sent_back"
    assert reply.review["review"]["comment"] == "答复格式：缺文号；答复内容：答非所问"
    # The remarks in the gates' own order, blank ones dropped.
    assert list(reply.review["review"]["gate_comments"].items()) == [
        ("format", "缺文号"),
        ("content", "答非所问"),
    ]
    assert Case.objects.get(pk=case.pk).state == "handling"


@FROZEN
def test_an_overall_comment_explains_the_failed_gates(cast):
    case = case_in(cast, "reviewing")
    reply = _review(
        cast, case, passed=False, comment=" 请重写 ", gates={**GATES, "resolution": False}
    )
    assert reply.review["review"]["comment"] == "请重写"
    assert case.events.latest("id").details["comment"] == "请重写"


@FROZEN
def test_review_acts_on_the_newest_draft_of_the_round(cast):
    case = case_in(cast, "reviewing")
    first = case.replies.get()
    _review(cast, case, passed=False, comment="请补充数据")
    second = actions.submit_reply(
        case, by=cast.yizheng_head, on=date(2026, 5, 26), **reply_kwargs(case, text="第二稿")
    )
    assert case.round == 1 and second.round == 1
    reviewed = actions.review_reply(
        case, by=cast.coordinator, passed=True, gates=GATES, on=date(2026, 5, 27)
    )
    assert reviewed.pk == second.pk
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("sent_back", "signing")
    assert case.events.latest("id").details["reply"] == second.pk
    signed = actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 5, 28))
    assert signed.pk == second.pk


@FROZEN
def test_signing_writes_the_signer_and_the_date(cast):
    case = case_in(cast, "signing")
    reply = actions.sign_reply(case, by=cast.leader, approved=True, comment=None)
    reply = Reply.objects.get(pk=reply.pk)
    assert (reply.status, reply.signed_on, reply.signed_by) == (
        "signed",
        date(2026, 12, 31),
        cast.leader,
    )
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.replied_on, case.reply_class) == ("replied", date(2026, 12, 31), "B")
    assert reply.review["sign"] == {"approved": True, "comment": "", "on": "2026-12-31"}


@FROZEN
def test_a_unit_head_approves_with_no_comment(cast):
    case = case_in(cast, "unit_approving")
    reply = actions.approve_reply(case, by=cast.yizheng_head, approved=True, comment=None)
    assert reply.review["approve_reply"]["comment"] == ""
    assert Case.objects.get(pk=case.pk).state == "reviewing"


@FROZEN
def test_a_case_in_signing_without_a_draft_is_refused_plainly(cast):
    """Data that skipped the draft (a hand-made row): a clear refusal, not a crash."""
    case = case_in(cast, "signing")
    case.replies.all().delete()
    with pytest.raises(CaseError, match="没有找到待处理的答复稿"):
        actions.sign_reply(case, by=cast.leader, approved=True, on=date(2026, 5, 25))
    assert Case.objects.get(pk=case.pk).state == "signing"

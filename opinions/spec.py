"""群众意见建议 "马上就办" (public_opinion): the one declaration of its workflow — states,
groups, every action (transition, who, payload, function, availability, form, timeline
wording) and its 待办 queues. Every entry point reads this (cases.dispatch, the case page,
the timeline, 我的待办, the ledger), as for the 议提案 (proposals/spec.py).

received (待转办) → 签批转办 the same working day → 签收 → 答复 within 5 working days of
receipt (one extension of at most 10) → 回访 → 办结; 退单 within 2 working days of
forwarding; a duplicate is merged (并件) into another open opinion.
"""

from cases.models.choices import Category, FeedbackRating
from cases.payloads import AcceptPayload, DecisionPayload, EmptyPayload
from lists.runs import add_to_list_spec
from opinions import page, queues, runs, wording
from opinions.clocks import CLOCKS, LADDER
from opinions.models import Area, Result
from opinions.payloads import (
    AnswerPayload,
    AreaPayload,
    CallbackPayload,
    FixDonePayload,
    ForwardPayload,
    MergePayload,
    OpinionExtensionPayload,
    OpinionReturnPayload,
)
from opinions.serialize import opinion_fields
from supervision.payloads import SupervisePayload
from supervision.runs import not_supervised
from supervision.runs import supervise as supervise_run
from workflow.tables import (
    EDITS,
    Form,
    Page,
    Queue,
    Wording,
    Workflow,
    register_workflow,
    t,
)
from workflow.vocabulary import Action as A
from workflow.vocabulary import Relation as R
from workflow.vocabulary import State as S

OPINION_STATES: dict[str, str] = {
    S.REGISTERED: "待转办",
    S.ASSIGNED: "已转办",
    S.HANDLING: "办理中",
    S.REPLIED: "已答复",
    S.CLOSED: "已办结",
    S.MERGED: "已并件",
}
RUNNING = (S.REGISTERED, S.ASSIGNED, S.HANDLING)
OPEN = (*RUNNING, S.REPLIED)
HELD = (S.ASSIGNED, S.HANDLING)
GROUPS = {
    "running": frozenset(RUNNING),
    "open": frozenset(OPEN),
    "answered": frozenset({S.REPLIED, S.CLOSED}),
    "held": frozenset(HELD),
    "final": frozenset({S.CLOSED, S.MERGED}),
    # A merged duplicate is answered with its main opinion: counted once, there.
    "uncounted": frozenset({S.MERGED}),
}
COLORS: dict[str, str] = {
    S.REGISTERED: "secondary",
    S.ASSIGNED: "info",
    S.HANDLING: "primary",
    S.REPLIED: "teal",
    S.CLOSED: "success",
    S.MERGED: "dark",
}
COORDINATOR, LEADER = R.COORDINATOR, R.LEADER
LEAD_UNIT, LEAD_HEAD = R.LEAD_UNIT, R.LEAD_HEAD

TRANSITIONS = [
    t(
        A.FORWARD,
        "签批转办",
        [S.REGISTERED],
        [S.ASSIGNED],
        [COORDINATOR, LEADER],
        payload=ForwardPayload,
        run=runs.forward,
        form=Form(on_label="转办日期"),
        wording=Wording(head=wording.forwarded),
        success=lambda case: f"已转办给{case.lead_unit.name if case.lead_unit else ''}",
    ),
    t(
        A.ACCEPT,
        "签收",
        [S.ASSIGNED],
        [S.HANDLING],
        [LEAD_UNIT],
        payload=AcceptPayload,
        run=runs.accept,
        form=Form(on_label="签收日期", hidden=frozenset({"handler"})),
    ),
    t(
        A.ANSWER,
        "答复",
        [S.HANDLING],
        [S.REPLIED],
        [LEAD_UNIT],
        payload=AnswerPayload,
        run=runs.answer,
        form=Form(
            choices={"result": Result},
            on_label="答复日期",
            order=("result", "text", "fix", "fix_due", "on"),
            labels={
                "text": (
                    "答复内容",
                    "反映人可在其查询页看到（并入本件的反映人也会看到），请勿写入他人的姓名、电话",
                ),
                "fix": ("解决措施", "“需要时间解决”的必填，答复后继续跟踪到完成"),
                "fix_due": ("计划完成日期", "“需要时间解决”的必填"),
            },
        ),
        wording=Wording(head=wording.answered),
        success=lambda case: "已答复，等待回访",
    ),
    t(
        A.CALLBACK,
        "回访",
        [S.REPLIED],
        [S.REPLIED, S.CLOSED, S.HANDLING],
        [COORDINATOR],
        payload=CallbackPayload,
        run=runs.callback,
        form=Form(
            on_label="回访日期",
            order=("reached", "rating", "comment", "on"),
            choices={"rating": FeedbackRating},
        ),
        wording=Wording(head=wording.called_back),
        success=lambda case: {
            S.CLOSED: "回访已登记，意见已办结",
            S.HANDLING: "回访不满意，已退回承办单位重新办理",
        }.get(case.state, "已记录本次回访（未联系上）"),
    ),
    t(
        A.CLOSE,
        "办结",
        [S.REPLIED],
        [S.CLOSED],
        [COORDINATOR],
        payload=EmptyPayload,
        run=runs.close,
        form=Form(warning="未经回访评价直接办结（如多次联系不上反映人）"),
    ),
    t(
        A.RETURN,
        "退单",
        HELD,
        [S.REGISTERED],
        [LEAD_UNIT],
        payload=OpinionReturnPayload,
        run=runs.return_,
        available=runs.within_return_window,
        form=Form(danger=True),
        success=lambda case: "已退单，等待重新转办",
    ),
    t(
        A.REQUEST_EXTENSION,
        "申请延期",
        HELD,
        [],
        [LEAD_UNIT],
        payload=OpinionExtensionPayload,
        run=runs.request_extension,
        available=runs.may_request_extension,
    ),
    t(
        A.DECIDE_EXTENSION,
        "审批延期",
        HELD,
        [],
        [COORDINATOR, LEADER],
        payload=DecisionPayload,
        run=runs.decide_extension,
        available=runs.has_pending_extension,
        form=Form(decisions=(("1", "同意延期"), ("0", "不同意延期"))),
    ),
    t(
        A.MERGE,
        "并件",
        [S.REGISTERED, S.ASSIGNED, S.HANDLING],
        [S.MERGED],
        [COORDINATOR],
        payload=MergePayload,
        run=runs.merge,
        form=Form(danger=True, labels={"into": ("并入办件", "主件的办件编号（id）")}),
        wording=Wording(head=wording.merged),
        success=lambda case: "已并件",
    ),
    t(
        A.COMPLETE_FIX,
        "登记解决完成",
        [S.REPLIED, S.CLOSED],
        [],
        [LEAD_UNIT, COORDINATOR],
        payload=FixDonePayload,
        run=runs.complete_fix,
        available=runs.fix_open,
        form=Form(on_label="完成日期"),
        success=lambda case: "已登记解决完成",
    ),
    t(
        A.SET_AREA,
        "确认领域",
        OPEN,
        [],
        [COORDINATOR, LEAD_UNIT],
        payload=AreaPayload,
        run=runs.set_area,
        form=Form(group=EDITS, dated=False, hidden=frozenset({"on"}), choices={"area": Area}),
        wording=Wording(head=wording.area),
    ),
    # 列入整改清单: an item of a list, linked both ways (lists/spec.py).
    add_to_list_spec((*OPEN, S.CLOSED)),
    # 列入督办: a linked supervision item for the office to 交办 (supervision/spec.py).
    t(
        A.SUPERVISE,
        "列入督办",
        OPEN,
        [],
        [COORDINATOR],
        payload=SupervisePayload,
        run=supervise_run,
        available=not_supervised,
        form=Form(group=EDITS, dated=False, hidden=frozenset({"on"})),
        success=lambda case: "已列入督办，请在督办事项中交办",
    ),
]

QUEUES = (
    Queue("coordinator", "opinion_to_forward", queues.to_forward, A.FORWARD),
    Queue("coordinator", "opinion_returned", queues.returned, A.FORWARD),
    Queue("coordinator", "opinion_to_callback", queues.to_callback, A.CALLBACK),
    Queue("coordinator", "opinion_overdue", queues.overdue),
    Queue("leader", "opinion_to_forward", queues.to_forward, A.FORWARD),
    Queue("leader", "opinion_extensions", queues.extensions, A.DECIDE_EXTENSION),
    Queue("unit", "opinion_to_accept", queues.to_accept, A.ACCEPT),
    Queue("unit", "opinion_to_answer", queues.to_answer, A.ANSWER),
)

OPINIONS = register_workflow(
    Workflow(
        category=Category.PUBLIC_OPINION,
        label="群众意见建议",
        initial=S.REGISTERED,
        states=OPINION_STATES,
        transitions={spec.action: spec for spec in TRANSITIONS},
        groups=GROUPS,
        colors=COLORS,
        queues=QUEUES,
        clocks=CLOCKS,
        ladder=LADDER,
        fields=opinion_fields,
        page=Page(
            facts="opinions/case/facts.html",
            details="opinions/case/details.html",
            context=page.page_context,
        ),
    )
)

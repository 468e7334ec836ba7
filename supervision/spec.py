"""督查督办 (supervision): the one declaration of its workflow — states, groups, every action
(transition, who, payload, function, availability, form, wording) and its 待办 queues; read
by every entry point, as the 议提案 (proposals/spec.py) and the opinions (opinions/spec.py).

registered (待交办) → 交办 (a deadline by colour, milestones, the 督办单) → 签收 → 办理中
(进展反馈) → 办结报告 → 核查 (or back) → 分管领导评价 → 销号; a 阶段性办结 stays tracked;
中止 stops the clock until 恢复.
"""

from cases.actions import urge
from cases.models.choices import Category
from cases.payloads import (
    AcceptPayload,
    DecisionPayload,
    EmptyPayload,
    ExtensionRequestPayload,
    UrgePayload,
)
from lists.runs import add_to_list_spec
from supervision import page, queues, runs
from supervision.clocks import CLOCKS, LADDER
from supervision.models import Quality
from supervision.payloads import (
    CheckPayload,
    CompletionPayload,
    ProgressPayload,
    RatePayload,
    SupervisionAssignPayload,
    SuspendPayload,
)
from supervision.serialize import supervision_fields
from workflow.tables import Form, Page, Queue, Workflow, register_workflow, t
from workflow.vocabulary import Action as A
from workflow.vocabulary import Relation as R
from workflow.vocabulary import State as S

SUPERVISION_STATES: dict[str, str] = {
    S.REGISTERED: "待交办",
    S.ASSIGNED: "已交办",
    S.HANDLING: "办理中",
    S.REVIEWING: "办结待核查",
    S.REPLIED: "待质量评价",
    S.PARTIAL: "阶段性办结",
    S.SUSPENDED: "已中止",
    S.CLOSED: "已销号",
}
RUNNING = (S.REGISTERED, S.ASSIGNED, S.HANDLING)
HELD = (S.ASSIGNED, S.HANDLING)
GROUPS = {
    "running": frozenset(RUNNING),
    "open": frozenset({*RUNNING, S.REVIEWING, S.REPLIED, S.PARTIAL, S.SUSPENDED}),
    "answered": frozenset({S.REVIEWING, S.REPLIED, S.PARTIAL, S.CLOSED}),
    "held": frozenset(HELD),
    "final": frozenset({S.CLOSED}),
}
COLORS: dict[str, str] = {
    S.REGISTERED: "secondary",
    S.ASSIGNED: "info",
    S.HANDLING: "primary",
    S.REVIEWING: "warning",
    S.REPLIED: "teal",
    S.PARTIAL: "teal",
    S.SUSPENDED: "dark",
    S.CLOSED: "success",
}
COORDINATOR, LEADER, LEAD_UNIT, LEAD_HEAD = R.COORDINATOR, R.LEADER, R.LEAD_UNIT, R.LEAD_HEAD

TRANSITIONS = [
    t(
        A.ASSIGN,
        "交办",
        [S.REGISTERED],
        [S.ASSIGNED],
        [COORDINATOR],
        payload=SupervisionAssignPayload,
        run=runs.assign,
        form=Form(
            dated=False,
            hidden=frozenset({"on", "handler", "milestones"}),
            aliases={"on": "assigned_on"},
            labels={"deadline": ("办理期限", "不填则按紧急程度计算：红3个工作日、黄5个工作日、蓝15天、绿30天")},
        ),
        success=lambda case: f"已交办，办理期限{case.deadline:%Y年%-m月%-d日}" if case.deadline else "已交办",
    ),
    t(
        A.ACCEPT, "签收", [S.ASSIGNED], [S.HANDLING], [LEAD_UNIT],
        payload=AcceptPayload, run=runs.accept,
        form=Form(on_label="签收日期", hidden=frozenset({"handler"})),
    ),
    t(
        A.REPORT_PROGRESS, "进展反馈", [S.HANDLING, S.PARTIAL], [], [LEAD_UNIT],
        payload=ProgressPayload, run=runs.report_progress,
        form=Form(on_label="反馈日期", hidden=frozenset({"milestone"})),
    ),
    t(
        A.SUBMIT_COMPLETION, "提交办结报告", [S.HANDLING, S.PARTIAL], [S.REVIEWING], [LEAD_UNIT],
        payload=CompletionPayload, run=runs.submit_completion,
        form=Form(on_label="办结日期"),
    ),
    t(
        A.CHECK_COMPLETION, "核查办结", [S.REVIEWING], [S.REPLIED, S.PARTIAL, S.HANDLING],
        [COORDINATOR],
        payload=CheckPayload, run=runs.check_completion,
        form=Form(on_label="核查日期", decisions=(("1", "核查通过"), ("0", "不通过，退回承办单位"))),
    ),
    t(
        A.RATE, "质量评价", [S.REPLIED], [S.CLOSED], [LEADER],
        payload=RatePayload, run=runs.rate,
        form=Form(on_label="评价日期", choices={"quality": Quality}),
        success=lambda case: "已评价，督办事项已销号",
    ),
    t(
        A.REQUEST_EXTENSION, "申请延期", HELD, [], [LEAD_UNIT],
        payload=ExtensionRequestPayload, run=runs.request_extension,
    ),
    t(
        A.DECIDE_EXTENSION, "审批延期", HELD, [], [LEADER],
        payload=DecisionPayload, run=runs.decide_extension,
        available=runs.has_pending_extension,
        form=Form(decisions=(("1", "同意延期"), ("0", "不同意延期"))),
    ),
    # 催办 the unit (a numbered 催办通知单, as for the 议提案); still late some working days
    # after it, the item waits in the office's 待通报 (queues.to_notify).
    t(
        A.URGE, "催办", HELD, [], [COORDINATOR, LEAD_HEAD],
        payload=UrgePayload, run=urge.run, available=urge.can_urge,
        form=Form(on_label="催办日期", order=("note", "target_on", "on")),
    ),
    t(
        A.SUSPEND, "中止", [*RUNNING], [S.SUSPENDED], [COORDINATOR],
        payload=SuspendPayload, run=runs.suspend, form=Form(danger=True),
    ),
    t(
        A.RESUME, "恢复办理", [S.SUSPENDED], [S.HANDLING, S.REGISTERED], [COORDINATOR],
        payload=EmptyPayload, run=runs.resume,
    ),
    # 列入整改清单: an item of a list, linked both ways (lists/spec.py).
    add_to_list_spec(SUPERVISION_STATES),
]  # fmt: skip

QUEUES = (
    Queue("coordinator", "supervision_to_assign", queues.to_assign, A.ASSIGN),
    Queue("coordinator", "supervision_to_check", queues.to_check, A.CHECK_COMPLETION),
    Queue("coordinator", "supervision_overdue", queues.overdue),
    Queue("coordinator", "supervision_to_notify", queues.to_notify),
    Queue("leader", "supervision_to_rate", queues.to_rate, A.RATE),
    Queue("unit", "supervision_to_accept", queues.to_accept, A.ACCEPT),
    Queue("unit", "supervision_in_hand", queues.in_hand, A.REPORT_PROGRESS),
)

SUPERVISION = register_workflow(
    Workflow(
        category=Category.SUPERVISION,
        label="督查督办",
        initial=S.REGISTERED,
        states=SUPERVISION_STATES,
        transitions={spec.action: spec for spec in TRANSITIONS},
        groups=GROUPS,
        colors=COLORS,
        queues=QUEUES,
        clocks=CLOCKS,
        ladder=LADDER,
        fields=supervision_fields,
        page=Page(
            facts="supervision/case/facts.html",
            details="supervision/case/details.html",
            context=page.page_context,
        ),
    )
)

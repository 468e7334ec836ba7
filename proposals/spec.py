"""议提案: the one declaration of the workflow shared by NPC suggestions and CPPCC
proposals (DESIGN.md §2). Its states and their groups, every action (transition, who,
payload, function, availability, form, timeline wording) and the 待办 queues. Every
entry point reads this: cases.dispatch, the case page's cards, the timeline, 我的待办,
the ledger and the statistics. To add a category, copy the shape of this module.
"""

from cases.actions import urge
from cases.models.choices import Category
from cases.payloads import (
    AcceptPayload,
    AssignHandlerPayload,
    AssignPayload,
    CommitmentUpdatePayload,
    CommunicatePayload,
    DecisionPayload,
    EditPayload,
    EmptyPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    OpinionPayload,
    OutcomePayload,
    ReasonPayload,
    ReplyPayload,
    ReviewPayload,
    UrgePayload,
)
from disclosure.spec import proposal_actions as disclosure_actions
from lists.runs import add_to_list_spec
from promises import cards as promise_cards
from proposals import cards, queues, runs, wording
from proposals import messages as done
from proposals.clocks import CLOCKS, LADDER
from similar.merging import not_following, unless_following
from similar.spec import proposal_actions as merge_actions
from supervision.payloads import SupervisePayload
from supervision.runs import not_supervised
from supervision.runs import supervise as supervise_run
from workflow.tables import EDITS, Form, Queue, Wording, Workflow, register_workflow, t
from workflow.vocabulary import Action as A
from workflow.vocabulary import Event
from workflow.vocabulary import Relation as R
from workflow.vocabulary import State as S

PROPOSAL_STATES: dict[str, str] = {
    state: str(state.label)
    for state in (
        S.REGISTERED,
        S.ASSIGNED,
        S.HANDLING,
        S.UNIT_APPROVING,
        S.REVIEWING,
        S.SIGNING,
        S.REPLIED,
        S.CLOSED,
        S.WITHDRAWN,
    )
}
# The reply deadline runs (a case can be overdue).
RUNNING = (S.REGISTERED, S.ASSIGNED, S.HANDLING, S.UNIT_APPROVING, S.REVIEWING, S.SIGNING)
OPEN = (*RUNNING, S.REPLIED)
IN_HANDLING = (S.HANDLING, S.UNIT_APPROVING, S.REVIEWING, S.SIGNING, S.REPLIED, S.CLOSED)
# The lead unit holds the case: from 交办 until the round's reply (the handler may still
# call the proposer while the rating is awaited); not once it is closed or withdrawn.
HELD = tuple(state for state in OPEN if state != S.REGISTERED)
GROUPS = {
    "running": frozenset(RUNNING),
    "open": frozenset(OPEN),
    # The round ended with a reply: the header shows its date, class and rating.
    "answered": frozenset({S.REPLIED, S.CLOSED}),
    # Before the draft goes to review, the unit's own target date is the one that matters.
    "unit_deadline": frozenset({S.ASSIGNED, S.HANDLING}),
    # A handler may be named or changed (assign_handler).
    "held": frozenset(HELD),
    "final": frozenset({S.CLOSED, S.WITHDRAWN}),
    # Not ours (退回交办机关 or 改办): left out of statistics and attachments.
    "uncounted": frozenset({S.WITHDRAWN}),
}
COLORS: dict[str, str] = {
    S.REGISTERED: "secondary",
    S.ASSIGNED: "info",
    S.HANDLING: "primary",
    S.UNIT_APPROVING: "warning",
    S.REVIEWING: "warning",
    S.SIGNING: "warning",
    S.REPLIED: "teal",
    S.CLOSED: "success",
    S.WITHDRAWN: "dark",
}
COORDINATOR, LEADER = R.COORDINATOR, R.LEADER
LEAD_UNIT, LEAD_HEAD, CO_UNIT = R.LEAD_UNIT, R.LEAD_HEAD, R.CO_UNIT
DECISION_WORDS = {
    A.DECIDE_EXTENSION: (("1", "同意延期"), ("0", "不同意延期")),
    A.SIGN: (("1", "同意签发"), ("0", "不同意，退回修改")),
}

PROPOSAL_TRANSITIONS = [
    t(
        A.ASSIGN,
        "交办",
        [S.REGISTERED],
        [S.ASSIGNED],
        [COORDINATOR],
        payload=AssignPayload,
        run=runs.assign,
        available=not_following,
        form=Form(
            template="web/actions/assign.html",
            dated=False,
            # 交办日期 is the action's date.
            hidden=frozenset({"on"}),
            aliases={"on": "assigned_on"},
            initial=cards.assign_initial,
            context=cards.assign_context,
        ),
        wording=Wording(head=wording.units, tail=wording.deadline),
        success=done.assigned,
    ),
    t(
        A.ACCEPT,
        "签收",
        [S.ASSIGNED],
        [S.HANDLING],
        [LEAD_UNIT],
        payload=AcceptPayload,
        run=runs.accept,
        available=not_following,
        form=Form(
            template="web/actions/accept.html",
            on_label="签收日期",
            initial=cards.accept_initial,
            context=cards.accept_context,
        ),
        wording=Wording(head=wording.handler),
        success=done.accepted,
    ),
    t(
        A.ASSIGN_HANDLER,
        "指定承办人",
        HELD,
        [],
        [LEAD_HEAD, COORDINATOR],
        payload=AssignHandlerPayload,
        run=runs.assign_handler,
        available=runs.lead_unit_has_handlers,
        form=Form(
            template="web/actions/assign_handler.html",
            on_label="指定日期",
            context=cards.assign_handler_context,
        ),
        wording=Wording(head=wording.handler),
        success=done.handler_assigned,
    ),
    t(
        A.RETURN,
        "申请退回",
        [S.ASSIGNED],
        [S.REGISTERED],
        [LEAD_UNIT],
        payload=ReasonPayload,
        run=runs.return_,
        available=unless_following(runs.within_return_window),
        form=Form(
            template="web/actions/reason.html",
            danger=True,
            on_label="退回日期",
            labels={"reason": ("退回理由", "说明不属于本处室职责的原因，以及建议改交的单位")},
            warning="申请退回后，办件回到“已登记”，由办公室重新交办；本件各单位的交办一并撤销。",
            context=cards.return_window,
        ),
        success=done.returned,
    ),
    t(
        A.WITHDRAW,
        "撤回",
        [S.REGISTERED, S.ASSIGNED],
        [S.WITHDRAWN],
        [COORDINATOR],
        payload=ReasonPayload,
        run=runs.withdraw,
        form=Form(
            template="web/actions/reason.html",
            danger=True,
            on_label="撤回日期",
            labels={"reason": ("撤回理由", "如：退回交办机关、改由他单位办理")},
            warning="撤回后，此件不再由我委办理（退回交办机关或改办），不计入统计，且不能恢复。",
        ),
        success=done.withdrawn,
    ),
    t(
        A.EDIT,
        "修改",
        OPEN,
        [],
        [COORDINATOR],
        payload=EditPayload,
        run=runs.edit,
        form=Form(group=EDITS, dated=False, only_changed=True, initial=cards.edit_initial),
        wording=Wording(tail=wording.edited),
        success=done.edited,
    ),
    t(
        A.COMMUNICATE,
        "沟通",
        IN_HANDLING,
        [],
        [LEAD_UNIT],
        payload=CommunicatePayload,
        run=runs.communicate,
        form=Form(template="web/actions/communicate.html", on_label="沟通日期"),
        wording=Wording(head=wording.communication),
        success=done.communicated,
    ),
    t(
        A.SUBMIT_OPINION,
        "提交会办意见",
        [S.ASSIGNED, S.HANDLING],
        [],
        [CO_UNIT, LEAD_UNIT],
        payload=OpinionPayload,
        run=runs.submit_opinion,
        available=unless_following(runs.opinion_possible),
        # A co-unit's opinion is its one job on the case, though it moves nothing on.
        form=Form(
            template="web/actions/submit_opinion.html",
            primary=True,
            on_label="提交日期",
            context=cards.opinion_context,
        ),
        wording=Wording(head=wording.unit),
        success=done.opinion_given,
    ),
    t(
        A.REQUEST_EXTENSION,
        "申请延期",
        [S.HANDLING],
        [],
        [LEAD_UNIT],
        payload=ExtensionRequestPayload,
        run=runs.request_extension,
        available=unless_following(runs.no_pending_extension),
        form=Form(
            template="web/actions/request_extension.html",
            on_label="申请日期",
            labels={"reason": ("延期理由", "说明需要延期的原因和办理安排")},
            context=cards.request_extension_context,
        ),
        success=done.extension_requested,
    ),
    t(
        A.DECIDE_EXTENSION,
        "审批延期",
        [S.HANDLING],
        [],
        [LEADER],
        payload=DecisionPayload,
        run=runs.decide_extension,
        available=runs.pending_extension_exists,
        form=Form(
            template="web/actions/decide_extension.html",
            on_label="审批日期",
            labels={"comment": ("审批意见", "不同意延期时必填")},
            decisions=DECISION_WORDS[A.DECIDE_EXTENSION],
            context=cards.decide_extension_context,
        ),
        wording=Wording(yes="同意延期"),
        success=done.extension_decided,
    ),
    t(
        A.SUBMIT_REPLY,
        "提交答复",
        [S.HANDLING],
        [S.REVIEWING, S.UNIT_APPROVING],
        [LEAD_UNIT],
        payload=ReplyPayload,
        run=runs.submit_reply,
        available=not_following,
        form=Form(
            template="web/actions/submit_reply.html",
            on_label="提交日期",
            initial=cards.reply_initial,
            fields=cards.reply_fields,
            context=cards.reply_context,
        ),
        wording=Wording(head=wording.reply_class),
        success=done.reply_submitted,
    ),
    t(
        A.APPROVE_REPLY,
        "处室审核",
        [S.UNIT_APPROVING],
        [S.REVIEWING, S.HANDLING],
        [LEAD_HEAD],
        payload=DecisionPayload,
        run=runs.approve_reply,
        form=Form(
            template="web/actions/review.html",
            on_label="审核日期",
            labels={"comment": ("审核意见", "退回修改时必填")},
            context=cards.unit_review_context,
        ),
        success=done.reply_approved,
    ),
    t(
        A.REVIEW,
        "审核",
        [S.REVIEWING],
        [S.SIGNING, S.HANDLING],
        [COORDINATOR],
        payload=ReviewPayload,
        run=runs.review,
        form=Form(
            template="web/actions/review.html",
            on_label="审核日期",
            labels={"comment": ("审核意见", "不通过时必填；也可只在未通过的各关写明意见")},
            # Check, then decide; the per-gate remarks are read by the gates checklist.
            order=("gates", "passed", "comment"),
            hidden=frozenset({"gate_comments"}),
            aliases={"gate_comments": "gates"},
            context=cards.review_context,
        ),
        wording=Wording(labels=cards.GATE_LABELS),
        success=done.reviewed,
    ),
    t(
        A.SIGN,
        "签发",
        [S.SIGNING],
        [S.REPLIED, S.CLOSED, S.HANDLING],
        [LEADER],
        payload=DecisionPayload,
        run=runs.sign,
        form=Form(
            template="web/actions/sign.html",
            on_label="签发日期",
            decisions=DECISION_WORDS[A.SIGN],
            context=cards.sign_context,
        ),
        success=done.signed,
    ),
    t(
        A.RECORD_FEEDBACK,
        "登记评价",
        [S.REPLIED],
        [S.CLOSED, S.HANDLING],
        [COORDINATOR],
        payload=FeedbackPayload,
        run=runs.record_feedback,
        form=Form(
            template="web/actions/record_feedback.html",
            on_label="评价日期",
            labels={"comment": ("代表委员的意见和建议", "")},
            context=cards.feedback_context,
        ),
        wording=Wording(tail=wording.feedback),
        success=done.feedback_recorded,
    ),
    t(
        A.CLOSE,
        "办结",
        [S.REPLIED],
        [S.CLOSED],
        [COORDINATOR],
        payload=EmptyPayload,
        run=runs.close,
        available=runs.feedback_window_over,
        form=Form(
            template="web/actions/close.html",
            on_label="办结日期",
            context=cards.close_context,
        ),
        success=done.closed,
    ),
    t(
        A.REOPEN,
        "重新办理",
        [S.CLOSED],
        [S.HANDLING],
        [COORDINATOR],
        payload=ReasonPayload,
        run=runs.reopen,
        form=Form(
            template="web/actions/reason.html",
            danger=True,
            on_label="办理日期",
            labels={"reason": ("重新办理的理由", "")},
            warning="重新办理将开启新一轮办理，主办处室按新的答复期限重新答复。",
            context=cards.reopen_context,
        ),
        wording=Wording(tail=wording.deadline),
        success=done.reopened,
    ),
    t(
        A.ADD_OUTCOME,
        "登记成果转化",
        IN_HANDLING,
        [],
        [LEAD_UNIT],
        payload=OutcomePayload,
        run=runs.add_outcome,
        wording=Wording(tail=wording.outcome),
        success=done.outcome_added,
    ),
    t(
        A.UPDATE_COMMITMENT,
        "更新承诺事项",
        IN_HANDLING,
        [],
        # The owner unit, and the office for any promise (cases.actions.handling:
        # may_update_commitment); after closing too (回头看).
        [LEAD_UNIT, COORDINATOR],
        payload=CommitmentUpdatePayload,
        run=runs.update_commitment,
        available=runs.has_commitments,
        form=Form(
            template="promises/update_commitment.html",
            on_label="更新日期",
            options={"id": promise_cards.commitment_options},
            order=("id", "status", "note", "reason", "on"),
            context=promise_cards.commitment_context,
        ),
        wording=Wording(tail=wording.commitment),
        success=done.commitment_updated,
    ),
    # While the lead unit holds the draft: the office urges its handler and head, the
    # head its handler (cases.actions.urge).
    t(
        A.URGE,
        "催办",
        [S.ASSIGNED, S.HANDLING, S.UNIT_APPROVING],
        [],
        [COORDINATOR, LEAD_HEAD],
        payload=UrgePayload,
        run=urge.run,
        available=unless_following(urge.can_urge),
        form=Form(
            template="web/actions/urge.html",
            on_label="催办日期",
            order=("note", "target_on", "on"),
            labels={
                "note": ("催办意见", "发给被催办人，并印在催办通知单上"),
                "target_on": ("新的目标日期", "可不填；填写后即为主办处室的初稿期限"),
            },
            context=cards.urge_context,
        ),
        wording=Wording(head=wording.urge),
        success=done.urged,
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
    # 并案 and 取消并案 (similar/spec.py); 公开答复 and 撤回公开 (disclosure/spec.py).
    *merge_actions(),
    *disclosure_actions(),
]
# Imported history lands in whatever state the ledger says, through the engine's one path.
IMPORT_HISTORY = t(
    Event.IMPORT,
    str(Event.IMPORT.label),
    PROPOSAL_STATES,
    PROPOSAL_STATES,
    # Who may import: cases.actions.importing_rows.check_importer reads this.
    [COORDINATOR],
    hidden=True,
)

QUEUES = (
    Queue("coordinator", "to_assign", queues.to_assign, A.ASSIGN),
    Queue("coordinator", "returned", queues.returned, A.ASSIGN),
    Queue("coordinator", "to_review", queues.to_review, A.REVIEW),
    Queue("coordinator", "to_rate", queues.to_rate, A.RECORD_FEEDBACK),
    Queue("coordinator", "to_close", queues.to_close, A.CLOSE),
    Queue("coordinator", "overdue", queues.overdue),
    Queue("coordinator", "rehandling", queues.rehandling),
    Queue("leader", "to_sign", queues.to_sign, A.SIGN),
    Queue("leader", "extensions", queues.extensions, A.DECIDE_EXTENSION),
    Queue("leader", "key_overdue", queues.key_overdue),
    # The cases given to the user first; the unit's unassigned ones are the head's.
    Queue("unit", "mine", queues.mine, A.SUBMIT_REPLY),
    Queue("unit", "to_accept", queues.to_accept, A.ACCEPT),
    Queue("unit", "unassigned", queues.unassigned, A.ASSIGN_HANDLER),
    Queue("unit", "to_approve", queues.to_approve, A.APPROVE_REPLY),
    Queue("unit", "drafting", queues.drafting),
    Queue("unit", "opinions", queues.opinions, A.SUBMIT_OPINION),
    Queue("unit", "unit_overdue", queues.unit_overdue),
    Queue("viewer", "viewer_overdue", queues.viewer_overdue),
)

PROPOSALS = register_workflow(
    Workflow(
        categories=(Category.NPC_SUGGESTION, Category.CPPCC_PROPOSAL),
        label="议提案",
        initial=S.REGISTERED,
        states=PROPOSAL_STATES,
        transitions={spec.action: spec for spec in [*PROPOSAL_TRANSITIONS, IMPORT_HISTORY]},
        groups=GROUPS,
        colors=COLORS,
        queues=QUEUES,
        clocks=CLOCKS,
        ladder=LADDER,
    )
)

"""The 议提案 workflow (DESIGN.md §2), shared by NPC suggestions and CPPCC proposals."""

from workflow.tables import Transition, Workflow, register_workflow, t
from workflow.vocabulary import Event

PROPOSAL_STATES = {
    "registered": "已登记",
    "assigned": "已交办",
    "handling": "办理中",
    "unit_approving": "处室审核中",
    "reviewing": "审核中",
    "signing": "待签发",
    "replied": "已答复",
    "closed": "已办结",
    "withdrawn": "已撤回",
}

IN_HANDLING = "handling unit_approving reviewing signing replied closed"
OPEN = "registered assigned handling unit_approving reviewing signing replied"

PROPOSAL_TRANSITIONS = [
    t("assign", "交办", "registered", "assigned", "coordinator"),
    t("accept", "签收", "assigned", "handling", "lead_unit"),
    t("return", "申请退回", "assigned", "registered", "lead_unit"),
    t("withdraw", "撤回", "registered assigned", "withdrawn", "coordinator"),
    t("edit", "修改", OPEN, "", "coordinator"),
    t("communicate", "沟通", IN_HANDLING, "", "lead_unit"),
    t("submit_opinion", "提交会办意见", "assigned handling", "", "co_unit lead_unit"),
    t("request_extension", "申请延期", "handling", "", "lead_unit"),
    t("decide_extension", "审批延期", "handling", "", "leader"),
    t("submit_reply", "提交答复", "handling", "reviewing unit_approving", "lead_unit"),
    t("approve_reply", "处室审核", "unit_approving", "reviewing handling", "lead_head"),
    t("review", "审核", "reviewing", "signing handling", "coordinator"),
    t("sign", "签发", "signing", "replied closed handling", "leader"),
    t("record_feedback", "登记评价", "replied", "closed handling", "coordinator"),
    t("close", "办结", "replied", "closed", "coordinator"),
    t("reopen", "重新办理", "closed", "handling", "coordinator"),
    t("add_outcome", "登记成果转化", IN_HANDLING, "", "lead_unit"),
    t("update_commitment", "更新承诺事项", IN_HANDLING, "", "lead_unit"),
]


# Imported history lands in whatever state the ledger says, through the engine's one path.
IMPORT_HISTORY = Transition(
    action=Event.IMPORT,
    label=Event.IMPORT.label,
    sources=frozenset(PROPOSAL_STATES),
    targets=frozenset(PROPOSAL_STATES),
    actors=frozenset({"coordinator", "admin"}),
    hidden=True,
)


def _proposal_workflow(category: str) -> Workflow:
    return Workflow(
        category=category,
        initial="registered",
        states=PROPOSAL_STATES,
        transitions={tr.action: tr for tr in [*PROPOSAL_TRANSITIONS, IMPORT_HISTORY]},
        closed_states=frozenset({"replied", "closed", "withdrawn"}),
    )


NPC_SUGGESTION = register_workflow(_proposal_workflow("npc_suggestion"))
CPPCC_PROPOSAL = register_workflow(_proposal_workflow("cppcc_proposal"))

"""The names of states and actions, declared once for every category.

Code never spells a state or an action as a string literal: it names a member here
(`State.HANDLING`, `Action.SIGN`). Members are `str`, so they compare equal to the values
stored in the database and in audit events, and serialise as plain strings. A name that
only one category uses may live in that category's module instead; names that several
categories share (`accept`, `return`, `close`, `handling`, `closed` …) live here.

The labels are the defaults; a category may word an action its own way in its spec.
"""

from django.db import models


class State(models.TextChoices):
    REGISTERED = "registered", "已登记"
    ASSIGNED = "assigned", "已交办"
    HANDLING = "handling", "办理中"
    UNIT_APPROVING = "unit_approving", "处室审核中"
    REVIEWING = "reviewing", "审核中"
    SIGNING = "signing", "待签发"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"
    MERGED = "merged", "已并件"
    PARTIAL = "partial", "阶段性办结"
    SUSPENDED = "suspended", "已中止"


class Action(models.TextChoices):
    ASSIGN = "assign", "交办"
    ACCEPT = "accept", "签收"
    ASSIGN_HANDLER = "assign_handler", "指定承办人"
    RETURN = "return", "申请退回"
    WITHDRAW = "withdraw", "撤回"
    EDIT = "edit", "修改"
    COMMUNICATE = "communicate", "沟通"
    SUBMIT_OPINION = "submit_opinion", "提交会办意见"
    REQUEST_EXTENSION = "request_extension", "申请延期"
    DECIDE_EXTENSION = "decide_extension", "审批延期"
    SUBMIT_REPLY = "submit_reply", "提交答复"
    APPROVE_REPLY = "approve_reply", "处室审核"
    REVIEW = "review", "审核"
    SIGN = "sign", "签发"
    RECORD_FEEDBACK = "record_feedback", "登记评价"
    CLOSE = "close", "办结"
    REOPEN = "reopen", "重新办理"
    ADD_OUTCOME = "add_outcome", "登记成果转化"
    UPDATE_COMMITMENT = "update_commitment", "更新承诺事项"
    URGE = "urge", "催办"
    FORWARD = "forward", "转办"
    ANSWER = "answer", "答复"
    CALLBACK = "callback", "回访"
    MERGE = "merge", "并件"
    SET_AREA = "set_area", "确认领域"
    COMPLETE_FIX = "complete_fix", "登记解决完成"
    REPORT_PROGRESS = "report_progress", "进展反馈"
    SUBMIT_COMPLETION = "submit_completion", "提交办结报告"
    CHECK_COMPLETION = "check_completion", "核查办结"
    RATE = "rate", "质量评价"
    SUSPEND = "suspend", "中止"
    RESUME = "resume", "恢复办理"
    SUPERVISE = "supervise", "列入督办"
    ADD_MEASURE = "add_measure", "增加举措"
    EDIT_MEASURE = "edit_measure", "修改举措"
    SUBMIT_MEASURE = "submit_measure", "举措申请销号"
    REVIEW_MEASURE = "review_measure", "举措销号审核"
    REOPEN_MEASURE = "reopen_measure", "举措重新整改"
    REQUEST_STRIKE_OFF = "request_strike_off", "申请销号"
    STRIKE_OFF = "strike_off", "销号审核"
    ADD_TO_LIST = "add_to_list", "列入整改清单"
    DISCLOSE = "disclose", "公开答复"
    WITHDRAW_DISCLOSURE = "withdraw_disclosure", "撤回公开"
    UNMERGE = "unmerge", "取消并案"


class Event(models.TextChoices):
    """Audit events that are not actions of a workflow table."""

    REGISTER = "register", "登记"
    RECOMPUTE_DEADLINES = "recompute_deadlines", "重算期限"
    IMPORT = "import", "导入"
    ATTACH = "attach", "添加附件"
    REMOVE_ATTACHMENT = "remove_attachment", "删除附件"
    CREATE_LIST = "create_list", "建立清单"
    EDIT_LIST = "edit_list", "修改清单"
    IMPORT_LIST = "import_list", "导入清单"
    # The proposer's side (portal): their link, and what they do through it.
    ISSUE_LINK = "issue_link", "生成征询链接"
    REVOKE_LINK = "revoke_link", "作废征询链接"
    OPEN_LINK = "open_link", "代表委员查看"
    CONFIRM_COMMUNICATION = "confirm_communication", "代表委员确认沟通"
    PROPOSER_RATING = "proposer_rating", "代表委员评价"


# The relations of a user to a case that a spec may name as actors (cases.permissions).
class Relation(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    COORDINATOR = "coordinator", "议提案管理员"
    LEADER = "leader", "委领导"
    VIEWER = "viewer", "查阅"
    LEAD_UNIT = "lead_unit", "主办处室"
    LEAD_HEAD = "lead_head", "主办处室负责人"
    CO_UNIT = "co_unit", "协办处室"
    REVIEWER = "reviewer", "销号审核人"

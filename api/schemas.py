"""What the API reads and returns. Action payloads live in cases.payloads, shared with the UI."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from huiyin.text import Line, Text


class ErrorOut(Schema):
    detail: str


class CaseErrorOut(Schema):
    detail: str
    field: str | None = None


class FieldErrorOut(Schema):
    field: str
    message: str


class InvalidOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class TokenIn(Schema):
    username: Line = Field(title="用户名", min_length=1, max_length=150)
    password: Text = Field(title="密码", min_length=1, max_length=4096)
    otp: Line | None = Field(
        None,
        title="动态口令",
        max_length=32,
        description="须第二重验证的用户（管理员等）：验证器上的6位数字，或一个恢复码",
    )


class OtpRequiredOut(Schema):
    detail: str
    otp_required: bool = Field(description="须提供（正确的）动态口令 otp")


class TokenOut(Schema):
    token: str
    expires_at: datetime


class UnitOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None = Field(description="上级单位代码")


class CaseListQuery(Schema):
    state: str = Field("", title="状态", description="registered、assigned、handling …")
    category: str = Field(
        "",
        title="类别",
        description="npc_suggestion、cppcc_proposal、public_opinion 或 supervision",
    )
    level: str = Field("", title="级别", description="provincial、municipal 或 county")
    year: str = Field("", title="年度")
    unit: str = Field("", title="处室", description="单位代码：主办处室或协办处室")
    overdue: str = Field("", title="是否超期", description="true 或 false")
    q: str = Field("", title="关键词", description="标题、编号或提出人；群众意见另查内容")
    sort: str = Field("", title="排序", description="number、-number、deadline、-deadline、recent")
    page: int = Field(1, title="页码", ge=1)
    page_size: int = Field(20, title="每页条数", description="1–100", ge=1, le=100)


class CaseItemOut(Schema):
    id: int
    category: str
    level: str
    year: int
    number: str
    title: str
    state: str
    state_label: str
    mode: str
    role: str
    lead_unit: str | None
    lead_unit_name: str | None
    deadline: date | None
    deadline_provisional: bool
    overdue: bool
    reply_class: str | None
    handler: str | None = Field(description="承办人（主办处室指定的承办人的用户名），未指定为 null")


class CasePageOut(Schema):
    count: int
    count_capped: bool = Field(description="为 true 时实际条数多于 count")
    page: int
    pages: int
    items: list[CaseItemOut]


class AssignmentOut(Schema):
    unit: str
    unit_name: str
    kind: str
    status: str
    deadline: date | None = Field(
        description="主办处室为办件的答复期限（已退回的为空），协办处室为其会办意见期限"
    )
    deadline_provisional: bool
    handler: str | None
    accepted_on: date | None
    returned_on: date | None
    return_reason: str
    opinion: str
    opinion_on: date | None


class ReplyOut(Schema):
    id: int
    round: int
    status: str
    reply_class: str | None
    text: str
    contact: str
    phone: str
    submitted_on: date
    signed_on: date | None
    review: dict[str, Any]


class CommunicationOut(Schema):
    id: int
    round: int
    stage: str
    method: str
    on: date
    participants: str
    summary: str
    recorded_by: str | None


class FeedbackOut(Schema):
    id: int
    round: int
    result: str
    attitude: str | None
    comment: str
    on: date


class CommitmentOut(Schema):
    id: int
    what: str
    due: date
    status: str
    note: str


class OutcomeOut(Schema):
    id: int
    kind: str
    title: str
    on: date


class ExtensionOut(Schema):
    id: int
    until: date
    reason: str
    requested_on: date
    approved: bool | None
    comment: str
    decided_on: date | None


class EventOut(Schema):
    action: str
    actor: str | None
    on: date
    at: datetime
    from_state: str
    to_state: str
    details: dict[str, Any]


class OpinionOut(Schema):
    code: str | None = Field(
        description="查询码（反映人查询进度用）；只有议提案管理员（办公室）可见"
    )
    received_at: datetime
    requester: str
    phone: str = Field(
        description="联系电话，隐去中间四位；完整号码见 POST /cases/{case_id}/reveal（记入安全审计）"
    )
    email: str
    campaign: int | None
    forward_target: date = Field(description="转办目标日期（收到当日，休息日收到的为下一个工作日）")
    forwarded_on: date | None
    result: str | None = Field(description="solvable、needs_time、not_solvable 或 unfounded")
    answer: str
    fix: str
    fix_due: date | None
    answered_on: date | None
    merged_into: int | None
    merged: list[int]


class MilestoneOut(Schema):
    id: int
    title: str
    due: date
    reached_on: date | None


class SupervisionOut(Schema):
    document_number: str
    document_date: date | None
    instruction: str
    notice_number: int | None = Field(description="督办单编号（当年第几号），交办时生成")
    progress_percent: int
    completion_report: str
    completed_on: date | None
    partial: bool
    quality: str | None = Field(description="excellent、good、fair 或 poor")
    linked_case: int | None = Field(description="列入督办的办件 id")
    milestones: list[MilestoneOut]


# 清单事项 (category list_item): its list, target and measures (lists.serialize).


class MeasureOut(Schema):
    id: int
    seq: int
    text: str
    unit: str
    unit_name: str
    handler: str | None
    deadline: date
    weight: int
    status: str
    percent: int
    started_on: date | None
    submitted_on: date | None
    struck_off_on: date | None
    refused_reason: str | None
    evidence: list[int] = Field(description="佐证材料（附件 id）")
    light: str = Field(description="not_started、normal、approaching、behind、overdue 或 done")


class IndicatorOut(Schema):
    name: str
    unit: str
    baseline: float | None
    target: float | None
    current: float | None
    direction: str


MeasureList = list[MeasureOut]


class ListRefOut(Schema):
    id: int
    code: str
    name: str


class CaseDetailOut(CaseItemOut):
    issuer: str
    session: str
    content: str
    external_lead: str
    topics: list[str]
    led_by: str
    is_key: bool
    leader_in_charge: str | None
    lead_proposer: str | None
    joint_proposers: list[str]
    received_on: date
    assigned_on: date | None
    unit_deadline: date | None
    unit_deadline_provisional: bool
    replied_on: date | None
    feedback_result: str | None
    round: int
    assignments: list[AssignmentOut]
    replies: list[ReplyOut]
    communications: list[CommunicationOut]
    feedbacks: list[FeedbackOut]
    commitments: list[CommitmentOut]
    outcomes: list[OutcomeOut]
    extensions: list[ExtensionOut]
    available_actions: list[str]
    timeline: list[EventOut]
    # 群众意见建议 (category public_opinion) only.
    channel: str | None = Field(
        None, description="渠道：web、phone、email、wechat、app、book、forwarded、visit"
    )
    suggested_area: str | None = Field(
        None,
        description="系统建议的领域：talent、primary、digital、service、management、enforcement、other",
    )
    area: str | None = Field(None, description="已确认的领域")
    opinion: OpinionOut | None = None
    similar: list[int] | None = Field(
        None, description="登记时发现的相似在办意见（同一电话或内容相近）"
    )
    # 督办事项 (category supervision) only.
    source: str | None = Field(
        None,
        description="来源：superior_decision、superior_instruction、meeting、leader_instruction、"
        "office_supervision、public_concern",
    )
    urgency: str | None = Field(None, description="紧急程度：red、yellow、blue、green")
    light: str | None = Field(
        None,
        description="状态灯。督办事项：blue（临近期限）、yellow（进度滞后）、red（逾期）或 none；"
        "清单事项：not_started、normal、approaching、behind、overdue 或 done",
    )
    timing: str | None = Field(
        None, description="完成时效：early、on_time、late、partial（核查后）"
    )
    supervision: SupervisionOut | None = None
    # 清单事项 (category list_item) only; `source` is the problem's source, `light` above.
    list: ListRefOut | None = None
    seq: int | None = None
    item_category: str | None = Field(None, description="清单中的类别")
    leader_name: str | None = Field(None, description="责任领导")
    indicator: IndicatorOut | None = None
    progress: int | None = Field(None, description="完成进度（%），由各具体举措按权重汇总")
    started_on: date | None = None
    completed_on: date | None = Field(None, description="申请销号日期")
    struck_off_on: date | None = Field(None, description="销号日期")
    linked_case: int | None = Field(None, description="来源办件")
    measures: MeasureList | None = None

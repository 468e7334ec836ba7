"""The payloads of the 督查督办 actions (the API validates with these; the web builds its
forms from them). Docstrings are the API's descriptions, in Chinese."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cases.payloads import MAX_LIST, AssignPayload, LongText, Payload, Title
from huiyin.dates import BoundedDate
from huiyin.text import LINE_RULE

SourceCode = Literal[
    "superior_decision",
    "superior_instruction",
    "meeting",
    "leader_instruction",
    "office_supervision",
    "public_concern",
]
UrgencyCode = Literal["red", "yellow", "blue", "green"]
QualityCode = Literal["excellent", "good", "fair", "poor"]
DocNumber = Annotated[str, Field(max_length=60), LINE_RULE]
Issuer = Annotated[str, Field(max_length=100), LINE_RULE]


class SupervisionRegisterPayload(Payload):
    """登记一项督办事项（category 为 supervision）。

    - source：superior_decision 上级重大决策部署和重要文件、superior_instruction 上级领导批示交办及建议提案、meeting 重要会议议定事项、leader_instruction 委主要领导批示交办、office_supervision 市委办市政府办督查督办、public_concern 群众关心的热点问题。
    - urgency：red 红、yellow 黄、blue 蓝、green 绿；未规定期限的，交办时按颜色计算办理期限（红3个工作日、黄5个工作日、蓝15天、绿30天）。
    """

    category: Literal["supervision"] = Field(title="类别")
    source: SourceCode = Field(title="来源")
    urgency: UrgencyCode = Field(title="紧急程度")
    title: Title = Field(title="标题", min_length=1)
    content: LongText = Field("", title="内容")
    received_on: BoundedDate = Field(title="收到日期")
    document_number: DocNumber = Field("", title="文号")
    document_date: BoundedDate | None = Field(None, title="来文日期")
    issuer: Issuer = Field("", title="来文单位")
    instruction: LongText = Field("", title="领导批示")


class MilestoneIn(BaseModel):
    """一个阶段性目标：内容和完成时限。"""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: Annotated[str, Field(min_length=1, max_length=200), LINE_RULE] = Field(
        title="阶段性目标"
    )
    due: BoundedDate = Field(title="完成时限")


class SupervisionAssignPayload(AssignPayload):
    """交办：与议提案的交办相同；未填 deadline 的，按紧急程度自交办日期计算办理期限。

    - milestones：可选的阶段性目标（序时进度），时限须在交办日期之后、办理期限之前。
    """

    milestones: list[MilestoneIn] = Field(
        default_factory=list, title="阶段性目标", max_length=MAX_LIST
    )


class ProgressPayload(Payload):
    """进展反馈：进展情况，可同时填写完成进度（0–100）或已完成的阶段性目标（milestone 为其 id）。"""

    text: LongText = Field(title="进展情况", min_length=1)
    percent: int | None = Field(None, title="完成进度（%）", ge=0, le=100)
    milestone: int | None = Field(None, title="已完成的阶段性目标", ge=1)


class CompletionPayload(Payload):
    """提交办结报告；partial 为 true 表示阶段性办结（继续跟踪）。"""

    report: LongText = Field(title="办结报告", min_length=1)
    partial: bool = Field(False, title="阶段性办结")


class CheckPayload(Payload):
    """核查办结报告：同意（approved 为 true）即计算完成时效、待分管领导评价；不同意须写明理由，退回承办单位。"""

    approved: bool = Field(title="同意")
    comment: LongText = Field("", title="核查意见")


class RatePayload(Payload):
    """分管领导评价办理质量：优秀、良好、一般、差，评价后销号。"""

    quality: QualityCode = Field(title="办理质量")
    comment: LongText = Field("", title="评价意见")


class SuspendPayload(Payload):
    """中止：写明理由；中止期间期限不计，恢复时顺延。"""

    reason: LongText = Field(title="中止理由", min_length=1)


class SupervisePayload(Payload):
    """列入督办：为本件建立一项督办事项（互相关联），由督查室交办。"""

    urgency: UrgencyCode = Field(title="紧急程度")
    source: SourceCode = Field("superior_instruction", title="来源")
    instruction: LongText = Field("", title="督办要求")

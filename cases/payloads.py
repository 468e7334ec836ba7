"""The payload of each case action, declared once: the API validates requests with these
models and the web UI builds its action forms from them."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Stage = Literal["before", "during", "after"]
Method = Literal[
    "face_to_face", "meeting", "site_visit", "phone", "video", "wechat", "email", "home_visit"
]
Rating = Literal["satisfied", "basically_satisfied", "unsatisfied"]


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    on: date | None = Field(None, title="办理日期")


class AssignPayload(Payload):
    lead_unit: str = Field(title="主办处室")
    co_units: list[str] = Field(default_factory=list, title="协办处室")
    assigned_on: date | None = Field(None, title="交办日期")
    leader_in_charge: str | None = Field(None, title="分管领导")
    handler: str | None = Field(None, title="承办人")
    deadline: date | None = Field(None, title="办理期限（交办机关规定时填写）")


class EmptyPayload(Payload):
    pass


class ReasonPayload(Payload):
    reason: str = Field(title="理由", min_length=1)


class EditPayload(Payload):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    level: str | None = Field(None, title="级别")
    issuer: str | None = Field(None, title="交办机关")
    year: int | None = Field(None, title="年度")
    session: str | None = Field(None, title="届次")
    number: str | None = Field(None, title="编号")
    title: str | None = Field(None, title="标题")
    content: str | None = Field(None, title="内容")
    mode: Literal["lead", "undertake", "split", "co"] | None = Field(None, title="办理方式")
    external_lead: str | None = Field(None, title="主办单位（外部）")
    topics: list[str] | None = Field(None, title="主题")
    led_by: str | None = Field(None, title="领办领导")
    is_key: bool | None = Field(None, title="重点件")
    lead_proposer: str | None = Field(None, title="领衔人")
    joint_proposers: list[str] | None = Field(None, title="联名人")
    received_on: date | None = Field(None, title="收到日期")
    leader_in_charge: str | None = Field(None, title="分管领导")
    explicit_deadline: date | None = Field(None, title="办理期限（交办机关）")


class OpinionPayload(Payload):
    text: str = Field(title="会办意见", min_length=1)
    unit: str | None = Field(None, title="协办单位（代外部单位登记时选择）")


class CommunicatePayload(Payload):
    stage: Stage = Field(title="沟通阶段")
    method: Method = Field(title="沟通方式")
    summary: str = Field(title="沟通情况", min_length=1)
    participants: str = Field("", title="参加人员")


class ExtensionRequestPayload(Payload):
    until: date = Field(title="延期至")
    reason: str = Field(title="延期理由", min_length=1)


class DecisionPayload(Payload):
    approved: bool = Field(title="同意")
    comment: str = Field("", title="意见")


class CommitmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    what: str = Field(title="承诺事项", min_length=1)
    due: date = Field(title="完成时间")


class ReplyPayload(Payload):
    text: str = Field(title="答复内容", min_length=1)
    reply_class: Literal["A", "B", "C", "D", ""] = Field("", title="答复类别")
    contact: str = Field(title="联系人", min_length=1)
    phone: str = Field(title="联系电话", min_length=1)
    commitments: list[CommitmentIn] = Field(default_factory=list, title="承诺事项")


class Gates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: bool = Field(title="答复格式")
    policy: bool = Field(title="政策法规")
    content: bool = Field(title="答复内容")
    resolution: bool = Field(title="解决问题")


class GateComments(BaseModel):
    """The reviewer's remark on each gate, optional; a failed gate needs one (or `comment`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    format: str = Field("", title="答复格式意见", max_length=500)
    policy: str = Field("", title="政策法规意见", max_length=500)
    content: str = Field("", title="答复内容意见", max_length=500)
    resolution: str = Field("", title="解决问题意见", max_length=500)


class ReviewPayload(Payload):
    passed: bool = Field(title="审核通过")
    comment: str = Field("", title="审核意见")
    gates: Gates | None = Field(None, title="四关审核")
    gate_comments: GateComments | None = Field(None, title="四关审核意见")


class FeedbackPayload(Payload):
    result: Rating = Field(title="办理结果评价")
    attitude: Rating | None = Field(None, title="办理态度评价")
    comment: str = Field("", title="意见")


class OutcomePayload(Payload):
    kind: Literal["policy", "plan", "project", "system"] = Field(title="成果类型")
    title: str = Field(title="成果名称", min_length=1)


class CommitmentUpdatePayload(Payload):
    id: int = Field(title="承诺事项")
    status: Literal["open", "in_progress", "fulfilled", "cancelled"] = Field(title="状态")
    note: str = Field("", title="进展情况")


class RegisterPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    category: Literal["npc_suggestion", "cppcc_proposal"] = Field(title="类别")
    level: Literal["provincial", "municipal", "county"] = Field(title="级别")
    issuer: str = Field("", title="交办机关")
    year: int = Field(title="年度", ge=2000, le=2100)
    session: str = Field("", title="届次")
    number: str = Field(title="编号", min_length=1, max_length=40)
    title: str = Field(title="标题", min_length=1, max_length=300)
    content: str = Field("", title="内容")
    lead_proposer: str = Field(title="领衔人", min_length=1, max_length=100)
    joint_proposers: list[str] = Field(default_factory=list, title="联名人")
    mode: Literal["lead", "undertake", "split", "co"] = Field(title="办理方式")
    external_lead: str = Field("", title="主办单位（外部）")
    topics: list[str] = Field(default_factory=list, title="主题")
    led_by: str = Field("", title="领办领导")
    is_key: bool = Field(False, title="重点件")
    received_on: date | None = Field(None, title="收到日期")
    deadline: date | None = Field(None, title="办理期限（交办机关规定时填写）")

"""The payload of each case action, declared once: the API validates requests with these
models and the web UI builds its action forms from them.

A model's docstring is the API's description of it (in Chinese, as the API speaks): the
first paragraph says what the payload is; each line "- …" is a rule its schema cannot
express, listed in the OpenAPI description of every action that takes the model, and
"- assign、edit：…" is a rule of those actions only. Rules of a base class apply to its
subclasses."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyin.dates import BoundedDate, BoundedYear
from huiyin.text import LINE_RULE, LONG_TEXT_MAX, TEXT_RULE, Line, Text

Stage = Literal["before", "during", "after"]
Method = Literal[
    "face_to_face", "meeting", "site_visit", "phone", "video", "wechat", "email", "home_visit"
]
Rating = Literal["satisfied", "basically_satisfied", "unsatisfied"]
# Text fields, bounded by their columns (huiyin.text: no control characters; line breaks
# only in multi-line text). Dates fall in the configured window (huiyin.dates).
UnitCode = Annotated[str, Field(max_length=40), LINE_RULE]
Username = Annotated[str, Field(max_length=150), LINE_RULE]
Name = Annotated[str, Field(max_length=100), LINE_RULE]
TopicName = Annotated[str, Field(max_length=50), LINE_RULE]
ShortCode = Annotated[str, Field(max_length=40), LINE_RULE]  # a level, a case number
Title = Annotated[str, Field(max_length=300), LINE_RULE]
LongText = Annotated[str, Field(max_length=LONG_TEXT_MAX), TEXT_RULE]
MAX_LIST = 50


class Payload(BaseModel):
    """所有办理操作共有的参数。

    - on（办理日期）可省略，默认为今天；不能晚于今天，也不能早于此办件上一步的办理日期。
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    on: BoundedDate | None = Field(None, title="办理日期")


class AssignPayload(Payload):
    """交办：确定主办处室和协办处室（均填单位代码），并按交办日期计算各项期限。

    - 主办处室须为在用的内部处室，不能是外部单位；协办处室不能与主办处室相同，也不能重复。
    - leader_in_charge 须为委领导的用户名；handler 须为主办处室负责人或承办人的用户名。
    - deadline（交办机关规定了办理期限时填写）须晚于交办日期。
    """

    lead_unit: UnitCode = Field(title="主办处室")
    co_units: list[UnitCode] = Field(default_factory=list, title="协办处室", max_length=MAX_LIST)
    assigned_on: BoundedDate | None = Field(None, title="交办日期")
    leader_in_charge: Username | None = Field(None, title="分管领导")
    handler: Username | None = Field(None, title="承办人")
    deadline: BoundedDate | None = Field(None, title="办理期限（交办机关规定时填写）")


class EmptyPayload(Payload):
    """无其他参数。

    - close：征询意见期满后方可直接办结；期内请先登记评价（record_feedback）。
    """


class AcceptPayload(Payload):
    """签收：主办处室接收办件；处室负责人可同时指定承办人（handler，可省略）。

    - handler 须为主办处室在用的承办人（角色为承办人）的用户名；承办人本人签收时只能填自己或不填（不填即为本人承办）。
    """

    handler: Username | None = Field(None, title="承办人")


class AssignHandlerPayload(Payload):
    """指定或更换承办人：主办处室负责人或议提案管理员把办件交给本处室的一名承办人。

    - handler 须为主办处室在用的承办人（角色为承办人）的用户名，且不能是现在的承办人。
    - 只在主办处室持有办件时（已交办至已答复）可用。
    """

    handler: Username = Field(title="承办人", min_length=1)


class ReasonPayload(Payload):
    """理由（reason）必填。

    - return：主办处室须在交办后的申请退回期限内（期限规则“申请退回”）提出；期满后不提供此操作。
    """

    reason: LongText = Field(title="理由", min_length=1)


class EditPayload(Payload):
    """修改办件信息：只改请求中带的字段。

    - 值为 null 的字段不变；但 topics、joint_proposers、leader_in_charge、explicit_deadline 为 null 时清空。
    - leader_in_charge 须为委领导的用户名。
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    level: ShortCode | None = Field(None, title="级别")
    issuer: Name | None = Field(None, title="交办机关")
    year: BoundedYear | None = Field(None, title="年度")
    session: Name | None = Field(None, title="届次")
    number: ShortCode | None = Field(None, title="编号")
    title: Title | None = Field(None, title="标题")
    content: LongText | None = Field(None, title="内容")
    mode: Literal["lead", "undertake", "split", "co"] | None = Field(None, title="办理方式")
    external_lead: Name | None = Field(None, title="主办单位（外部）")
    topics: list[TopicName] | None = Field(None, title="主题", max_length=MAX_LIST)
    led_by: Name | None = Field(None, title="领办领导")
    is_key: bool | None = Field(None, title="重点件")
    lead_proposer: Name | None = Field(None, title="领衔人")
    joint_proposers: list[Name] | None = Field(None, title="联名人", max_length=MAX_LIST)
    received_on: BoundedDate | None = Field(None, title="收到日期")
    leader_in_charge: Username | None = Field(None, title="分管领导")
    explicit_deadline: BoundedDate | None = Field(None, title="办理期限（交办机关）")


class OpinionPayload(Payload):
    """会办意见：协办单位向主办处室提出的意见。

    - 协办处室提交本处室的意见时不填 unit。
    - 主办处室只能代外部协办单位（没有本系统用户的单位）登记意见，unit 填该单位的代码；办件没有外部协办单位时，主办处室不能执行此操作。
    """

    text: LongText = Field(title="会办意见", min_length=1)
    unit: UnitCode | None = Field(None, title="协办单位（代外部单位登记时选择）")


class CommunicatePayload(Payload):
    """与代表委员的一次沟通：阶段、方式和沟通情况。"""

    stage: Stage = Field(title="沟通阶段")
    method: Method = Field(title="沟通方式")
    summary: LongText = Field(title="沟通情况", min_length=1)
    participants: Line = Field("", title="参加人员", max_length=300)


class ExtensionRequestPayload(Payload):
    """申请延期：延期至的日期和理由。

    - until 须晚于现在的答复期限，且不晚于交办后的延期上限（期限规则“延期上限”）。
    - 已有待审批的延期申请时不能再申请。
    """

    until: BoundedDate = Field(title="延期至")
    reason: LongText = Field(title="延期理由", min_length=1)


class DecisionPayload(Payload):
    """同意（approved 为 true）或不同意；不同意时须填写意见（comment）。

    - decide_extension：只在有待审批的延期申请时可用；同意后答复期限改为申请延期至的日期。
    - approve_reply：处室负责人审核答复稿；同意即送审核，不同意即退回承办人修改（办件回到办理中）。
    - sign：委领导签发答复；同意即为已答复（会办件即办结），不同意即退回主办处室修改（办件回到办理中）。
    """

    approved: bool = Field(title="同意")
    comment: LongText = Field("", title="意见")


class CommitmentIn(BaseModel):
    """一项承诺事项：承诺的内容和完成时间。"""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    what: Line = Field(title="承诺事项", min_length=1, max_length=300)
    due: BoundedDate = Field(title="完成时间")


class ReplyPayload(Payload):
    """答复：答复内容、联系人和联系电话必填。

    - 主办的件须选答复类别 A、B、C 或 D（小写也可）；会办件（我委会办、外单位主办）的会办意见不分类别，也不登记承诺事项。
    - B、C 类答复须列明承诺事项（commitments，至少一项）；A、D 类不登记承诺事项。
    - 承诺事项的完成时间不能早于答复日期。
    - 承办人提交的答复先由处室负责人审核（approve_reply）；处室负责人提交的直接送审核（review）。
    """

    text: LongText = Field(title="答复内容", min_length=1)
    reply_class: Literal["A", "B", "C", "D", ""] = Field("", title="答复类别")
    contact: Line = Field(title="联系人", min_length=1, max_length=50)
    phone: Line = Field(title="联系电话", min_length=1, max_length=40)
    commitments: list[CommitmentIn] = Field(
        default_factory=list, title="承诺事项", max_length=MAX_LIST
    )


class Gates(BaseModel):
    """四关审核的结果，每关 true 为通过。"""

    model_config = ConfigDict(extra="forbid")
    format: bool = Field(title="答复格式")
    policy: bool = Field(title="政策法规")
    content: bool = Field(title="答复内容")
    resolution: bool = Field(title="解决问题")


class GateComments(BaseModel):
    """The reviewer's remark on each gate, optional; a failed gate needs one (or `comment`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    format: Text = Field("", title="答复格式意见", max_length=500)
    policy: Text = Field("", title="政策法规意见", max_length=500)
    content: Text = Field("", title="答复内容意见", max_length=500)
    resolution: Text = Field("", title="解决问题意见", max_length=500)


class ReviewPayload(Payload):
    """四关审核（答复格式、政策法规、答复内容、解决问题）：通过即送签发，不通过即退回主办处室修改（办件回到办理中）。

    - passed 为 true 时，gates 若填写须四关齐全且全部通过。
    - passed 为 false 时须填写 comment，或在 gate_comments 中为每个未通过的关说明理由。
    - gates 和 gate_comments 只接受 format、policy、content、resolution 四项。
    """

    passed: bool = Field(title="审核通过")
    comment: LongText = Field("", title="审核意见")
    gates: Gates | None = Field(None, title="四关审核")
    gate_comments: GateComments | None = Field(None, title="四关审核意见")


class FeedbackPayload(Payload):
    """登记代表委员对办理结果（result，必填）和办理态度的评价。

    - 满意、基本满意即办结；不满意则重新办理：新一轮，重新计算答复期限。
    """

    result: Rating = Field(title="办理结果评价")
    attitude: Rating | None = Field(None, title="办理态度评价")
    comment: LongText = Field("", title="意见")


class OutcomePayload(Payload):
    """登记一项成果转化：政策、规划、项目或制度。"""

    kind: Literal["policy", "plan", "project", "system"] = Field(title="成果类型")
    title: Line = Field(title="成果名称", min_length=1, max_length=300)


class CommitmentUpdatePayload(Payload):
    """更新一项承诺事项的进展或兑现情况（办结后仍可更新，即“回头看”）。

    - id 须为此办件的承诺事项；办件没有承诺事项时不提供此操作。
    - 状态：open 未开始、in_progress 推进中、fulfilled 已兑现、partial 部分兑现、unfulfilled 未兑现；后三种即认定兑现情况，认定日期为办理日期（on）。
    - 部分兑现、未兑现须填写原因（reason）。
    - 承诺事项由其责任处室（作出答复时的主办处室）更新；议提案管理员可更新任何承诺事项（含已不再主办此件的处室的）。
    - 每次更新都记入该承诺事项的进展记录。
    """

    id: int = Field(title="承诺事项", ge=1, le=2**63 - 1)
    status: Literal["open", "in_progress", "fulfilled", "partial", "unfulfilled"] = Field(
        title="状态"
    )
    note: LongText = Field("", title="进展情况")
    reason: LongText = Field("", title="未兑现或部分兑现的原因")


URGE_NOTE_MAX = 1000  # a note, not a letter: printed on the 催办通知单 (letters.urge)


class UrgePayload(Payload):
    """催办：议提案管理员催主办处室的承办人和处室负责人，处室负责人催本处室的承办人；催办意见必填，可同时定一个新的目标日期。每次催办生成一份编号的催办通知单。

    - target_on（新的目标日期）可省略；填写时不能早于办理日期，也不能晚于答复期限，填写后即为主办处室的初稿期限。
    - 处室负责人只能催本处室此件的承办人：尚未指定承办人（或承办人就是本人）时不能催办。
    """

    target_on: BoundedDate | None = Field(None, title="新的目标日期")
    note: Text = Field(title="催办意见", min_length=1, max_length=URGE_NOTE_MAX)


class RegisterPayload(BaseModel):
    """登记一件议提案。

    - 同一年度、同类别、同级别、同交办机关的办件编号不能重复。
    - 会办件（mode 为 co）须填写主办单位（external_lead）。
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    category: Literal["npc_suggestion", "cppcc_proposal"] = Field(title="类别")
    level: Literal["provincial", "municipal", "county"] = Field(title="级别")
    issuer: Name = Field("", title="交办机关")
    year: BoundedYear = Field(title="年度")
    session: Name = Field("", title="届次")
    number: Line = Field(title="编号", min_length=1, max_length=40)
    title: Line = Field(title="标题", min_length=1, max_length=300)
    content: LongText = Field("", title="内容")
    lead_proposer: Name = Field(title="领衔人", min_length=1)
    joint_proposers: list[Name] = Field(default_factory=list, title="联名人", max_length=MAX_LIST)
    mode: Literal["lead", "undertake", "split", "co"] = Field(title="办理方式")
    external_lead: Name = Field("", title="主办单位（外部）")
    topics: list[TopicName] = Field(default_factory=list, title="主题", max_length=MAX_LIST)
    led_by: Name = Field("", title="领办领导")
    is_key: bool = Field(False, title="重点件")
    received_on: BoundedDate | None = Field(None, title="收到日期")
    deadline: BoundedDate | None = Field(None, title="办理期限（交办机关规定时填写）")

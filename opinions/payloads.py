"""The payloads of the 群众意见建议 actions (the API validates with these; the web builds
its forms from them). Docstrings are the API's descriptions, in Chinese."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from cases.payloads import MAX_LIST, LongText, Payload, Title, UnitCode
from huiyin.dates import BoundedDate
from huiyin.text import LINE_RULE

ChannelCode = Literal["web", "phone", "email", "wechat", "app", "book", "forwarded", "visit"]
AreaCode = Literal["talent", "primary", "digital", "service", "management", "enforcement", "other"]
ResultCode = Literal["solvable", "needs_time", "not_solvable", "unfounded"]
RatingCode = Literal["satisfied", "basically_satisfied", "unsatisfied"]
PersonName = Annotated[str, Field(max_length=50), LINE_RULE]
Phone = Annotated[str, Field(max_length=20, pattern=r"^[0-9+\-() ]*$"), LINE_RULE]
Email = Annotated[str, Field(max_length=100), LINE_RULE]


class OpinionRegisterPayload(Payload):
    """登记一条群众意见建议（category 为 public_opinion）。

    - 答复期限自收到日期起按工作日计算（默认5个工作日）；转办目标为收到当日（休息日收到的为下一个工作日）。
    - suggested_area 由系统根据内容建议；area 可直接填写已确认的领域。
    - 与在办意见相似（同一电话或内容相近）的，在返回的 similar 中列出，不会拒绝登记。
    """

    category: Literal["public_opinion"] = Field(title="类别")
    channel: ChannelCode = Field(title="渠道")
    title: Title = Field(title="标题", min_length=1)
    content: LongText = Field(title="内容", min_length=1)
    received_on: BoundedDate = Field(title="收到日期")
    received_at: datetime | None = Field(None, title="收到时间")
    requester: PersonName = Field("", title="反映人")
    phone: Phone = Field("", title="联系电话")
    email: Email = Field("", title="电子邮箱")
    campaign: int | None = Field(None, title="征集活动")
    area: AreaCode | None = Field(None, title="领域")


class ForwardPayload(Payload):
    """签批转办：确定承办单位（lead_unit）和协办单位（co_units），均填单位代码。

    - 委领导或议提案管理员转办；答复期限不变（自收到日期起计算）。
    - 收到当日转办为及时（休息日收到的，下一个工作日）；晚于此为转办超时。
    """

    lead_unit: UnitCode = Field(title="承办单位")
    co_units: list[UnitCode] = Field(default_factory=list, title="协办单位", max_length=MAX_LIST)


class OpinionReturnPayload(Payload):
    """退单：承办单位认为不属本单位职责的，在转办后2个工作日内说明理由退回，由管理员重新转办。"""

    reason: LongText = Field(title="退单理由", min_length=1)


class OpinionExtensionPayload(Payload):
    """申请延期：延长的工作日数（不超过10个工作日）和理由；每件只能延期一次。"""

    days: int = Field(title="延长工作日数", ge=1, le=10)
    reason: LongText = Field(title="延期理由", min_length=1)


class AnswerPayload(Payload):
    """答复：答复内容和办理结果类别；“需要时间解决”的须写明解决措施和计划完成日期。"""

    text: LongText = Field(title="答复内容", min_length=1)
    result: ResultCode = Field(title="办理结果")
    fix: LongText = Field("", title="解决措施")
    fix_due: BoundedDate | None = Field(None, title="计划完成日期")


class CallbackPayload(Payload):
    """回访：是否联系上（reached）及评价；满意、基本满意即办结，不满意则重新办理。

    - 联系上时须填写评价（rating）；未联系上的只记录本次回访。
    """

    reached: bool = Field(title="已联系上")
    rating: RatingCode | None = Field(None, title="评价")
    comment: LongText = Field("", title="意见")


class MergePayload(Payload):
    """并件：把本件并入另一条在办的群众意见（into 为其办件 id）；两件互相关联，本件随主件办理和答复。"""

    into: int = Field(title="并入办件", ge=1)


class AreaPayload(Payload):
    """确认或更改领域；确认后的领域用于重新训练领域建议。"""

    area: AreaCode = Field(title="领域")


class FixDonePayload(Payload):
    """登记“需要时间解决”的意见已解决：完成日期（on）和情况说明。"""

    note: LongText = Field(title="完成情况", min_length=1)

"""The payloads of the list items' actions (the API validates with these; the web builds
its forms from them). Docstrings are the API's descriptions, in Chinese."""

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from cases.payloads import LongText, Payload, Title
from huiyin.dates import BoundedDate
from huiyin.text import LINE_RULE

UnitCode = Annotated[str, Field(max_length=40), LINE_RULE]
Username = Annotated[str, Field(max_length=150), LINE_RULE]
Value = Annotated[Decimal, Field(max_digits=14, decimal_places=4)]


class ProgressPayload(Payload):
    """进展反馈：measure 为具体举措的 id（不填为事项整体）；percent 为完成进度（0–100）；
    value 为指标当前值（有量化目标的事项）。"""

    measure: int | None = Field(None, title="具体举措", ge=1)
    text: LongText = Field(title="进展情况", min_length=1)
    percent: int | None = Field(None, title="完成进度（%）", ge=0, le=100)
    value: Value | None = Field(None, title="指标当前值")


class MeasurePayload(Payload):
    """增加一条具体举措：内容、责任处室（单位代码）、经办人（用户名，可不填）、完成时限、权重（默认1）。"""

    text: LongText = Field(title="具体举措", min_length=1)
    owner_unit: UnitCode = Field(title="责任处室", min_length=1)
    handler: Username = Field("", title="经办人")
    deadline: BoundedDate = Field(title="完成时限")
    weight: int = Field(1, title="权重", ge=1, le=100)


class MeasureEditPayload(Payload):
    """修改一条具体举措（measure 为其 id），只改填写的项。"""

    measure: int = Field(title="具体举措", ge=1)
    text: LongText = Field("", title="具体举措内容")
    owner_unit: UnitCode = Field("", title="责任处室")
    handler: Username = Field("", title="经办人")
    deadline: BoundedDate | None = Field(None, title="完成时限")
    weight: int | None = Field(None, title="权重", ge=1, le=100)


class MeasureSubmitPayload(Payload):
    """具体举措申请销号：须已上传该举措的佐证材料。"""

    measure: int = Field(title="具体举措", ge=1)
    note: LongText = Field("", title="完成情况说明")


class MeasureReviewPayload(Payload):
    """具体举措销号审核：同意（approved 为 true）即销号；不同意须写明理由，退回继续整改。"""

    measure: int = Field(title="具体举措", ge=1)
    approved: bool = Field(title="同意")
    comment: LongText = Field("", title="审核意见")


class MeasureReopenPayload(Payload):
    """已销号的具体举措重新整改（问题反弹）：写明理由。"""

    measure: int = Field(title="具体举措", ge=1)
    reason: LongText = Field(title="理由", min_length=1)


class StrikeOffRequestPayload(Payload):
    """事项申请销号：写明整改完成情况；各具体举措均已销号（无举措的事项须已上传佐证材料）。"""

    note: LongText = Field(title="整改完成情况", min_length=1)


class StrikeOffPayload(Payload):
    """事项销号审核：同意即销号；不同意须写明理由，退回继续整改。"""

    approved: bool = Field(title="同意")
    comment: LongText = Field("", title="审核意见")


class ReopenPayload(Payload):
    """问题反弹：已销号的事项重新整改，写明理由；可重新确定完成时限。"""

    reason: LongText = Field(title="反弹情况及理由", min_length=1)
    deadline: BoundedDate | None = Field(None, title="新的完成时限")


class ItemEditPayload(Payload):
    """修改事项，只改填写的项：事项（title）、具体问题（content）、类别（item_category）、责任领导（leader_name）、完成时限（deadline，不早于清单开始日期）。"""

    title: Title = Field("", title="事项")
    content: LongText = Field("", title="具体问题/项目内容")
    item_category: Annotated[str, Field(max_length=100), LINE_RULE] = Field("", title="类别")
    leader_name: Annotated[str, Field(max_length=100), LINE_RULE] = Field("", title="责任领导")
    deadline: BoundedDate | None = Field(None, title="完成时限")


class AddToListPayload(Payload):
    """列入整改清单：在清单（rect_list 为其 id）中为本件建立一个事项（互相关联）。"""

    rect_list: int = Field(title="清单", ge=1)
    deadline: BoundedDate = Field(title="完成时限")
    owner_unit: UnitCode = Field("", title="牵头处室")

"""The payloads of 公开答复 and 撤回公开 (the API validates with these; the case page builds
its forms from them). Docstrings are the API's descriptions, in Chinese."""

from typing import Literal

from pydantic import Field

from cases.payloads import LongText, Payload

ModeCode = Literal["full", "summary", "none"]


class DisclosePayload(Payload):
    """公开答复：对已签发的答复作出公开决定，立即生效。

    - mode：full 全文公开（公开答复全文）、summary 摘要公开（公开 summary）、none 不公开。
    - summary：摘要公开时必填；reason：不公开时必填，写明理由。
    - 公开的标题和内容自动遮蔽个人信息（姓名、电话号码、身份证号码、门牌地址、床号和病历号等）。
    - 再次作出决定时，原决定自动撤回，以新的决定为准。
    """

    mode: ModeCode = Field(title="公开方式")
    summary: LongText = Field("", title="公开摘要")
    reason: LongText = Field("", title="不公开理由")

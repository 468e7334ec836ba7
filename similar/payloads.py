"""The payloads of 并案 and 取消并案 (the API validates them; the case page's cards are
built from them)."""

from pydantic import Field

from cases.payloads import LongText, Payload


class MergePayload(Payload):
    """并案：把本件并入主件（lead_case_id，主件的办件 id）一并办理，各件仍各自答复、各自计入统计。

    - 本件须为已登记或已交办、未并入他件、也不是他件主件的主办件；主件须为未答复的主办议提案，且未并入他件。
    - 本件已交办时，主件须已交办给同一主办处室。
    """

    lead_case_id: int = Field(title="主件", ge=1, le=2**31 - 1)
    reason: LongText = Field("", title="并案理由")


class UnmergePayload(Payload):
    """取消并案：主件答复签发前，本件恢复单独办理（已有的交办保留）。"""

    reason: LongText = Field("", title="理由")

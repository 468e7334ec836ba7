"""GET /stats: the year's 议提案 statistics, the same object as `huiyin stats --json`."""

from ninja import Field, Query, Router, Schema

from api.errors import RequestInvalid
from api.schemas import ErrorOut, InvalidOut
from huiyin.types import AuthedRequest
from reports.access import MAX_YEAR, MIN_YEAR, UnknownUnit, stats_unit
from reports.stats import year_stats

router = Router(tags=["统计"])


class StatsQuery(Schema):
    year: int = Field(..., title="年度", ge=MIN_YEAR, le=MAX_YEAR)
    unit: str = Field(
        "",
        title="主办处室",
        description="单位代码：只统计该单位主办的办件。处室负责人省略时为本处室，且只能查本处室",
        max_length=40,
    )


class UnitStatsOut(Schema):
    unit: str
    name: str
    kind: str
    total: int
    by_role: dict[str, int]
    leader_led: int
    replied: int
    replied_on_time: int
    on_time_rate: float | None
    reply_class: dict[str, int]
    feedback: dict[str, int]
    satisfaction_rate: float | None
    face_to_face: int
    face_to_face_rate: float | None
    overdue_unreplied: int


class StatsOut(Schema):
    year: int
    unit: str | None = Field(description="统计的主办处室代码；全委为 null")
    total: int = Field(description="议提案件数（不含已撤回）")
    by_category_level: dict[str, dict[str, int]]
    by_role: dict[str, int] = Field(description="lead：主办（含承办、分办）；co：会办")
    leader_led: int = Field(description="领办件数")
    as_of: str = Field(description="统计截止日期（超期未复按此日计算），YYYY-MM-DD")
    replied: int = Field(description="已答复：有已签发答复的办件（含已办结、不满意后重新办理的）")
    replied_on_time: int = Field(description="按期答复：答复日期不晚于答复期限（含批准的延期）")
    on_time_rate: float | None = Field(
        description="按期答复率 = 按期答复 ÷ 已答复，0–1；无答复时为 null。超期未复不计入"
    )
    overdue_unreplied: int = Field(
        description="超期未复：截至 as_of 已过答复期限、尚未答复的在办件（含重新办理）"
    )
    reply_class: dict[str, int] = Field(description="主办件答复类别 A/B/C/D")
    feedback: dict[str, int]
    satisfaction_rate: float | None
    face_to_face: int
    face_to_face_rate: float | None
    by_topic: dict[str, int]
    by_unit: list[UnitStatsOut]
    outcomes: int
    commitments: dict[str, int] = Field(
        description="B类、C类答复的承诺事项（回头看）：total 总数、fulfilled 已兑现、partial 部分兑现、"
        "unfulfilled 未兑现、open 推进中或未开始、overdue 其中已过承诺完成时间"
    )
    commitment_fulfilment_rate: float | None = Field(
        description="承诺兑现率 = 已兑现 ÷（已兑现 + 部分兑现 + 未兑现 + 逾期未兑现），0–1；无已认定或已到期的承诺时为 null"
    )


@router.get(
    "",
    response={200: StatsOut, 401: ErrorOut, 403: ErrorOut, 422: InvalidOut},
    summary="年度统计",
)
def stats(request: AuthedRequest, query: Query[StatsQuery]):
    """DESIGN.md §5's figures for a year, optionally for one lead unit: the same object as
    `huiyin stats --year Y [--unit CODE] --json`. 议提案管理员、委领导、查阅人员、系统管理员
    may ask for any unit; a unit head gets their own unit's figures, and only those."""
    try:
        unit = stats_unit(request.user, query.unit)
    except UnknownUnit as exc:
        problem = {"field": "unit", "message": exc.message, "sentence": f"主办处室：{exc.message}"}
        raise RequestInvalid([problem]) from None
    return year_stats(query.year, unit)

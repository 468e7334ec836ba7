"""API operations under /api/v1/cases of the similar app: similar cases by title and
content (mounted before the cases router: /cases/similar is not a case id)."""

from typing import Annotated

from ninja import Field, Query, Router, Schema

from api.schemas import ErrorOut, InvalidOut
from huiyin.text import LINE_RULE, LONG_TEXT_MAX, TEXT_RULE
from huiyin.types import AuthedRequest
from similar.queries import similar_for

router = Router(tags=["办件"])

MAX_LIMIT = 50


class SimilarQuery(Schema):
    title: Annotated[str, Field(max_length=300), LINE_RULE] = Field("", title="标题")
    content: Annotated[str, Field(max_length=LONG_TEXT_MAX), TEXT_RULE] = Field("", title="内容")
    limit: int = Field(10, title="条数", description="1–50", ge=1, le=MAX_LIMIT)
    exclude: int | None = Field(None, title="排除的办件", ge=1, le=2**63 - 1)


class SimilarOut(Schema):
    id: int
    title: str
    year: int
    score: float


@router.get(
    "/similar",
    response={200: list[SimilarOut], 401: ErrorOut, 422: InvalidOut},
    summary="相似办件",
)
def similar(request: AuthedRequest, query: Query[SimilarQuery]):
    """与标题、内容相似的议提案（人大代表建议、政协提案），按相似度（0–1）从高到低，至多 limit 件
    （默认10，最多50）；只含调用者可见的办件，不含已撤回的，刚登记的办件也在内。exclude：不列出的办件 id
    （如正在查看的办件）。标题和内容都为空时返回空列表。"""
    found = similar_for(
        request.user,
        query.title,
        query.content,
        limit=query.limit,
        exclude={query.exclude} if query.exclude else frozenset(),
    )
    return [
        {"id": s.case.pk, "title": s.case.title, "year": s.case.year, "score": round(s.score, 3)}
        for s in found
    ]

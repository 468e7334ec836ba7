"""API operations under /api/v1/cases of the portal app: the proposer's signed link."""

import json
from datetime import date
from typing import Any

import pydantic
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from api.errors import JsonInvalid, RequestInvalid, describe
from api.openapi import CASE_PATH
from api.schemas import CaseErrorOut, ErrorOut, InvalidOut
from cases.models import Proposer
from cases.queries import case_for_user
from huiyin.types import AuthedRequest
from portal.actions import NOT_A_PROPOSER, check_coordinator, issue_link
from portal.links import link_url
from workflow.errors import CaseError

router = Router(tags=["办件"])


class ProposerLinkIn(pydantic.BaseModel):
    """生成征询链接: for this proposer of the case (default: the lead proposer)."""

    model_config = ConfigDict(extra="forbid")
    proposer_id: int | None = Field(None, title="代表委员", ge=1, le=2**31 - 1)


class ProposerLinkOut(Schema):
    url: str
    expires_on: date
    proposer_id: int
    proposer_name: str


def _body(request: AuthedRequest) -> ProposerLinkIn:
    raw: Any = {}
    if request.body.strip():
        try:
            raw = json.loads(request.body)
        except ValueError as exc:
            raise JsonInvalid from exc
    try:
        return ProposerLinkIn.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise RequestInvalid(describe(exc.errors(include_url=False), ProposerLinkIn)) from exc


@router.post(
    "/{case_id}/proposer-link",
    response={
        200: ProposerLinkOut,
        400: CaseErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: CaseErrorOut,
        422: InvalidOut,
    },
    summary="生成代表委员征询链接",
    openapi_extra=CASE_PATH,
)
def proposer_link(request: AuthedRequest, case_id: int):
    """A new signed link for a proposer of the case (议提案管理员): the lead proposer, or
    `proposer_id`. Their earlier link is revoked. `url` opens the proposer's page without
    login until `expires_on` (inclusive); it is shown this once (only its hash is kept).
    It is on HUIYIN_PUBLIC_URL when that is set, else on the request's own host."""
    case = case_for_user(request.user, case_id)  # 404 for a case the caller may not see
    check_coordinator(request.user, case, "生成")  # 403 before the body is read
    body = _body(request)
    proposer = None
    if body.proposer_id is not None:
        proposer = Proposer.objects.filter(pk=body.proposer_id).first()
        if proposer is None:
            raise CaseError(NOT_A_PROPOSER, field="proposer_id")
    link, token = issue_link(case, by=request.user, proposer=proposer)
    return 200, {
        "url": link_url(token, request),
        "expires_on": link.expires_on,
        "proposer_id": link.proposer_id,
        "proposer_name": link.proposer.name,
    }

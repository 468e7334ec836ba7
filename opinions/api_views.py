"""显示完整联系方式 in the API (issue 16): the case answers give a person's phone and e-mail
masked to everyone (opinions.serialize), as the page does; those who answer the person
(opinions.privacy.sees_phone) ask for them in full with `POST /cases/{case_id}/reveal`,
which is kept as one REVEAL security event (the case named, never the number). Anyone else
gets 403, and a case they cannot see, or one that is not a public opinion, 404."""

from django.db import transaction
from django.http import Http404
from ninja import Router, Schema
from pydantic import Field

from api.openapi import CASE_PATH
from api.schemas import ErrorOut
from audit.trail import SecurityAction, record_security_event
from cases.models import Case, Category
from cases.queries import case_for_user
from huiyin.errors import Forbidden
from huiyin.types import AuthedRequest
from opinions.models import Opinion
from opinions.privacy import sees_phone

router = Router(tags=["办件"])
REVEALED = "phone,email"


class RevealedContactOut(Schema):
    case_id: int
    number: str
    requester: str
    phone: str
    email: str


class RevealOut(RevealedContactOut):
    merged: list[RevealedContactOut] = Field(description="并入本件的意见的反映人（随本件一并答复）")


def _contact(opinion: Opinion) -> dict[str, object]:
    return {
        "case_id": opinion.pk,
        "number": opinion.case.number,
        "requester": opinion.requester,
        "phone": opinion.phone,
        "email": opinion.email,
    }


def reveal_contact(request: AuthedRequest, case_id: int) -> tuple[Case, dict[str, object]]:
    """The person's phone and e-mail in full (and those of the opinions merged into it),
    for one who answers them; one REVEAL security event."""
    case = case_for_user(request.user, case_id)  # 404 for a case the caller may not see
    if case.category != Category.PUBLIC_OPINION:
        raise Http404("办件不存在")
    if not sees_phone(request.user, case):
        raise Forbidden("只有答复反映人的单位和议提案管理员可以查看完整联系方式")
    opinion = Opinion.objects.select_related("case").get(pk=case.pk)
    merged = Opinion.objects.filter(merged_into=case).select_related("case").order_by("pk")
    answer = {**_contact(opinion), "merged": [_contact(o) for o in merged]}
    with transaction.atomic():
        record_security_event(
            request,
            action=SecurityAction.REVEAL,
            case=case,
            subject=f"case:{case.pk}",
            details={"field": REVEALED},
        )
    return case, answer


@router.post(
    "/{case_id}/reveal",
    response={200: RevealOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="显示反映人的完整联系方式",
    openapi_extra=CASE_PATH,
)
def reveal(request: AuthedRequest, case_id: int):
    """群众意见建议：办件详情中的联系电话和电子邮箱对所有人都隐去一部分；答复反映人的
    承办单位和议提案管理员可以用本操作取得完整的号码和邮箱（含并入本件的意见），
    每次调用都记入安全审计。其他人 403，看不到的办件或不是群众意见建议的办件 404。"""
    _, answer = reveal_contact(request, case_id)
    return 200, answer

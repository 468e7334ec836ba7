"""Cases: the ledger, one case, registering, and performing an action."""

import json
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import Http404
from ninja import Query, Router

from api.errors import JsonInvalid, RequestInvalid
from api.idempotency import HEADER, Replay, clean_key, once
from api.openapi import CASE_PATH, action_body, action_operation, body_schema
from api.schemas import (
    CaseDetailOut,
    CaseErrorOut,
    CaseListQuery,
    CasePageOut,
    ErrorOut,
    InvalidOut,
)
from api.serialize import case_detail, case_item, load_for_detail, username_of
from audit.record import today
from cases.actions import register_case
from cases.actions.register import check_registrar
from cases.dispatch import action_payloads, check_actor, perform
from cases.listing import PARAM_LABELS, CaseFilter, InvalidFilter, list_cases
from cases.models import Case, Category
from cases.payloads import RegisterPayload
from cases.queries import case_for_user, lead_handlers
from huiyin.types import AuthedRequest
from opinions.payloads import OpinionRegisterPayload
from supervision.payloads import SupervisionRegisterPayload
from workflow.errors import CaseError

router = Router(tags=["办件"])

MAX_PAGE_SIZE = 100
ERRORS = {400: CaseErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut}
ACTION_RESPONSES = {200: CaseDetailOut, **ERRORS, 409: CaseErrorOut}


def _detail(request: AuthedRequest, pk: int) -> dict[str, Any]:
    return case_detail(load_for_detail(pk), request.user, today())


def _key(request: AuthedRequest) -> str | None:
    return clean_key(request.headers.get(HEADER))


@router.get("", response={200: CasePageOut, 401: ErrorOut, 422: InvalidOut}, summary="办件台账")
def list_(request: AuthedRequest, filters: Query[CaseListQuery]):
    """The caller's visible cases, filtered and paged (page_size at most 100). A filter
    value that does not parse is a 422 naming the parameter, never an empty list."""
    page_size = min(max(filters.page_size, 1), MAX_PAGE_SIZE)
    try:
        case_filter = CaseFilter.from_params(request.GET)
    except InvalidFilter as exc:
        raise RequestInvalid(
            [
                {"field": k, "message": m, "sentence": f"{PARAM_LABELS.get(k, k)}（{k}）{m}"}
                for k, m in exc.problems
            ]
        ) from exc
    found = list_cases(request.user, case_filter, filters.page, page_size)
    on = today()
    handlers = lead_handlers(found.items)
    return {
        "count": found.count,
        "count_capped": found.count_capped,
        "page": found.page,
        "pages": found.pages,
        "items": [case_item(case, on, username_of(handlers.get(case.pk))) for case in found.items],
    }


@router.post(
    "",
    response={201: CaseDetailOut, **ERRORS},
    summary="登记办件",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            body_schema(RegisterPayload),
                            body_schema(OpinionRegisterPayload),
                            body_schema(SupervisionRegisterPayload),
                        ]
                    }
                }
            },
        }
    },
)
def register(request: AuthedRequest):
    """Register a case (the coordinator). A role that may not register gets 403 before
    the body is read, as for every action; then the body is checked (422)."""
    check_registrar(request.user)
    key = _key(request)
    body = _json_body(request)
    if isinstance(body, dict) and body.get("category") == Category.PUBLIC_OPINION:
        work = _opinion_registration(request, OpinionRegisterPayload.model_validate(body))
    elif isinstance(body, dict) and body.get("category") == Category.SUPERVISION:
        work = _supervision_registration(request, SupervisionRegisterPayload.model_validate(body))
    else:
        payload = RegisterPayload.model_validate(body)
        fields = payload.model_dump(exclude={"deadline"})

        @transaction.atomic
        def work() -> tuple[Case, dict[str, Any]]:
            case = register_case(by=request.user, explicit_deadline=payload.deadline, **fields)
            return case, _detail(request, case.pk)  # inside the transaction, as for actions

    done = once(
        user=request.user,
        key=key,
        action="register",
        case=None,
        work=work,
        case_of=lambda result: result[0],
        status=201,
    )
    if isinstance(done, Replay):
        if done.case_id is None:  # the case registered under the key was deleted since
            raise Http404("办件不存在")
        return done.status, _detail(request, done.case_id)
    return 201, done[1]


def _opinion_registration(
    request: AuthedRequest, p: OpinionRegisterPayload
) -> Callable[[], tuple[Case, dict[str, Any]]]:
    """A public opinion from a staff channel (never rate-limited: that is the public page's).
    Similar open opinions are named in `similar`, never refused."""
    from opinions.actions import register_opinion
    from opinions.models import Campaign
    from opinions.similar import similar_open

    campaign = None
    if p.campaign is not None:
        campaign = Campaign.objects.filter(pk=p.campaign).first()
        if campaign is None:
            raise CaseError("没有这个征集活动", field="campaign")

    @transaction.atomic
    def work() -> tuple[Case, dict[str, Any]]:
        case = register_opinion(
            by=request.user,
            channel=p.channel,
            title=p.title,
            content=p.content,
            received_on=p.received_on,
            received_at=p.received_at,
            requester=p.requester,
            phone=p.phone,
            email=p.email,
            campaign=campaign,
            area=p.area or "",
        )
        detail = _detail(request, case.pk)
        detail["similar"] = similar_open(text=p.content, phone=p.phone, exclude_id=case.pk)
        return case, detail

    return work


def _supervision_registration(
    request: AuthedRequest, p: SupervisionRegisterPayload
) -> Callable[[], tuple[Case, dict[str, Any]]]:
    from supervision.actions import register_supervision

    @transaction.atomic
    def work() -> tuple[Case, dict[str, Any]]:
        case = register_supervision(by=request.user, **p.model_dump(exclude={"category", "on"}))
        return case, _detail(request, case.pk)

    return work


@router.get(
    "/{case_id}",
    response={200: CaseDetailOut, **ERRORS},
    summary="办件详情",
    openapi_extra=CASE_PATH,
)
def detail(request: AuthedRequest, case_id: int):
    """The case with its handling record, the caller's available actions and the timeline."""
    case = case_for_user(request.user, case_id)
    return _detail(request, case.pk)


def _json_body(request: AuthedRequest) -> Any:
    if not request.body.strip():
        return {}
    try:
        return json.loads(request.body)
    except ValueError as exc:
        raise JsonInvalid from exc


def _act(request: AuthedRequest, case_id: int, action: str) -> dict[str, Any]:
    """Every action's one path: the case (404 if the caller may not see it), the action
    (404 if there is none of that name), the caller's role (403 before the body is even
    read, as on the web: `check_actor`), the payload (422), then the action itself."""
    case = case_for_user(request.user, case_id)
    if action not in action_payloads():
        raise Http404("没有此操作")
    # The case's own category says what the action takes (退单 and 申请退回 share a name).
    model = check_actor(request.user, case, action).payload
    assert model is not None  # every offered action of a category declares its payload
    key = _key(request)
    payload = model.model_validate(_json_body(request))

    @transaction.atomic
    def work() -> dict[str, Any]:
        perform(case, action, by=request.user, payload=payload)
        # The answer is built inside the action's transaction, from what it wrote: once
        # committed, nothing is left to fail (a connection lost after the commit would
        # otherwise turn a saved write into a 500, and the client would retry it). Built
        # without the visibility check: after e.g. 申请退回 the unit no longer sees the
        # case, but the answer to its own action is still the case as it left it.
        return _detail(request, case.pk)

    done = once(user=request.user, key=key, action=action, case=case, work=work)
    if isinstance(done, Replay):
        return _detail(request, case.pk)  # the same key again: the first one's result
    return done


def _action_view(action: str) -> Callable[[AuthedRequest, int], dict[str, Any]]:
    def view(request: AuthedRequest, case_id: int) -> dict[str, Any]:
        return _act(request, case_id, action)

    view.__name__ = f"act_{action}"
    return view


# One operation per action, so that the OpenAPI document shows each action's own body and
# rules; they are registered before the generic route below, which serves any action name
# (those a category declares later included) in the same way.
for _action, _model in action_payloads().items():
    router.add_api_operation(
        f"/{{case_id}}/actions/{_action}",
        ["POST"],
        _action_view(_action),
        response=ACTION_RESPONSES,
        **action_operation(_action, _model),
    )


@router.post(
    "/{case_id}/actions/{action}",
    response=ACTION_RESPONSES,
    summary="办理操作（按操作名）",
    openapi_extra=action_body(),
)
def act(request: AuthedRequest, case_id: int, action: str):
    """Perform one action (assign, accept, submit_reply, review, sign …) on the case;
    the answer is the case as it is afterwards. `available_actions` of the detail lists
    what the caller may do now. Each action's body and rules: its own operation above."""
    return _act(request, case_id, action)


@router.get(
    "/{case_id}/reply.docx",
    response={200: None, 400: CaseErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="答复函（Word）",
    openapi_extra=CASE_PATH,
)
def reply_docx(request: AuthedRequest, case_id: int):
    """The reply letter in the official layout (GB/T 9704-2012), as .docx."""
    from letters.build import reply_letter, reply_letter_filename
    from letters.views import docx_response

    case = case_for_user(request.user, case_id)
    return docx_response(
        reply_letter(case), reply_letter_filename(case), f"reply-letter-{case.pk}.docx"
    )


@router.get(
    "/{case_id}/urge/{notice_id}.docx",
    response={200: None, 400: CaseErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="催办通知单（Word）",
    openapi_extra=CASE_PATH,
)
def urge_notice_docx(request: AuthedRequest, case_id: int, notice_id: int):
    """One 催办通知单 of the case (its id is the audit event's `notice_id`), in the layout of
    the reply letter, as .docx."""
    from letters.urge import urge_notice, urge_notice_filename
    from letters.views import docx_response, notice_for_user

    notice = notice_for_user(request.user, case_id, notice_id)
    return docx_response(
        urge_notice(notice),
        urge_notice_filename(notice),
        f"urge-notice-{notice.year}-{notice.number}.docx",
    )

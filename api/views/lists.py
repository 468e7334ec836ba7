"""清单 (rectification lists and project ledgers): the lists the caller may see, one list
with its items, measures, progress and lights, making a list, adding an item with its
measures, and uploading 佐证材料. The items' and measures' actions are the cases' own
(`POST /cases/{id}/actions/{action}`): an item is a case of category `list_item`."""

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import pydantic
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import ConfigDict

from api.errors import JsonInvalid, RequestInvalid, describe
from api.idempotency import HEADER, Replay, clean_key, once
from api.schemas import (
    CaseDetailOut,
    CaseErrorOut,
    ErrorOut,
    IndicatorOut,
    InvalidOut,
    MeasureOut,
)
from api.serialize import case_detail, load_for_detail
from audit.record import today
from cases.dispatch import unit_by_code, user_by_name
from cases.payloads import LongText, Title, UnitCode, Username
from cases.permissions import visible_cases
from cases.queries import case_for_user
from huiyin.dates import BoundedDate
from huiyin.text import LINE_RULE
from huiyin.types import AuthedRequest, User
from lists import actions, measures
from lists.access import list_for_user, visible_lists, with_counts
from lists.actions import Indicator, ItemIn, MeasureIn, check_list_editor, check_list_maker
from lists.light import Lights
from lists.models import Direction, Evidence, Item, ListKind, Measure, RectList
from lists.page import item_rows
from lists.serialize import item_own_fields
from orgs.models import Unit
from workflow.errors import CaseError
from workflow.tables import workflow_for

router = Router(tags=["清单"])

MAX_PAGE_SIZE = 100
ERRORS = {400: CaseErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut}
Short = Annotated[str, Field(max_length=100), LINE_RULE]
Named = Annotated[str, Field(max_length=200), LINE_RULE]
Value = Annotated[Decimal, Field(max_digits=14, decimal_places=4)]


# --- what the endpoints read -----------------------------------------------------------


class ListPageQuery(Schema):
    page: int = Field(1, title="页码", ge=1, le=1_000_000)
    page_size: int = Field(20, title="每页条数", description="1–100", ge=1, le=MAX_PAGE_SIZE)


class Body(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ListBody(Body):
    """建立清单（议提案管理员）：名称、开始日期必填；owner 为销号审核负责人的用户名（默认本人），
    delegates 为其他可审核销号的用户名。"""

    name: Named = Field(title="清单名称", min_length=1)
    kind: str = Field(ListKind.PROBLEMS, title="类型", description="problems 或 projects")
    origin: Named = Field("", title="来源")
    reports_to: Short = Field("", title="报告对象")
    starts_on: BoundedDate = Field(title="开始日期")
    ends_on: BoundedDate | None = Field(None, title="结束日期")
    description: LongText = Field("", title="说明")
    owner: Username = Field("", title="负责人")
    delegates: list[Username] = Field([], title="销号审核人", max_length=20)


class MeasureBody(Body):
    text: LongText = Field(title="具体举措", min_length=1)
    unit: UnitCode = Field(title="责任处室", min_length=1, description="单位代码")
    deadline: BoundedDate = Field(title="完成时限")
    handler: Username = Field("", title="经办人", description="用户名，可不填")
    weight: int = Field(1, title="权重", ge=1, le=100)


class IndicatorBody(Body):
    name: Short = Field(title="指标", min_length=1)
    unit: Annotated[str, Field(max_length=20), LINE_RULE] = Field("", title="计量单位")
    baseline: Value | None = Field(None, title="基线值")
    target: Value | None = Field(None, title="目标值")
    current: Value | None = Field(None, title="当前值")
    direction: str = Field(Direction.UP, title="方向", description="up 或 down")


class ItemBody(Body):
    """增加事项：事项、牵头处室（单位代码）、完成时限必填；leader 为责任领导（委领导的用户名，
    或姓名等文字）；co_units 为协办处室代码；measures 为具体举措。"""

    title: Title = Field(title="事项", min_length=1)
    lead_unit: UnitCode = Field(title="牵头处室", min_length=1)
    deadline: BoundedDate = Field(title="完成时限")
    description: LongText = Field("", title="具体问题")
    category: Short = Field("", title="类别")
    source: LongText = Field("", title="问题来源")
    leader: Short = Field("", title="责任领导")
    co_units: list[UnitCode] = Field([], title="协办处室", max_length=30)
    indicator: IndicatorBody | None = Field(None, title="量化指标")
    measures: list[MeasureBody] = Field([], title="具体举措", max_length=100)


# --- what they answer ------------------------------------------------------------------


class CountsOut(Schema):
    items: int
    items_struck_off: int


class ListOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    origin: str
    reports_to: str
    starts_on: date
    ends_on: date | None
    owner: str
    counts: CountsOut


class ListPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[ListOut]


class ItemFieldsOut(Schema):
    seq: int
    item_category: str
    source: str
    leader_name: str
    indicator: IndicatorOut | None
    progress: int = Field(description="完成进度（%），由各具体举措按权重汇总")
    light: str = Field(description="not_started、normal、approaching、behind、overdue 或 done")
    started_on: date | None
    completed_on: date | None
    struck_off_on: date | None
    linked_case: int | None
    measures: list[MeasureOut]


class ListItemOut(ItemFieldsOut):
    id: int = Field(description="事项的办件 id（其操作见 POST /cases/{id}/actions/{action}）")
    number: str
    title: str
    state: str
    state_label: str
    lead_unit: str
    lead_unit_name: str
    deadline: date | None


class ListDetailOut(ListOut):
    description: str
    delegates: list[str]
    items: list[ListItemOut]


class EvidenceOut(Schema):
    id: int = Field(description="附件 id")
    filename: str
    item: int
    measure: int | None


# --- the endpoints ---------------------------------------------------------------------


def _counted(lists: Any, user: User) -> Any:
    return with_counts(lists, user, today())


def _list_row(rect_list: RectList) -> dict[str, Any]:
    return {
        "id": rect_list.pk,
        "code": rect_list.code,
        "name": rect_list.name,
        "kind": rect_list.kind,
        "origin": rect_list.origin,
        "reports_to": rect_list.reports_to,
        "starts_on": rect_list.starts_on,
        "ends_on": rect_list.ends_on,
        "owner": rect_list.owner.get_username(),
        "counts": {
            "items": getattr(rect_list, "n_items", 0),
            "items_struck_off": getattr(rect_list, "n_closed", 0),
        },
    }


@router.get("", response={200: ListPageOut, 401: ErrorOut, 422: InvalidOut}, summary="清单列表")
def list_(request: AuthedRequest, query: Query[ListPageQuery]):
    """The lists the caller may see (the office, leaders and viewers: all; a unit: those in
    which it holds an item or a measure; the owner and delegates: theirs), newest first,
    with their items and items struck off counted; `count` is exact."""
    lists = visible_lists(request.user)
    count = lists.count()
    pages = max(1, -(-count // query.page_size))
    start = (query.page - 1) * query.page_size
    rows = (
        _counted(visible_lists(request.user), request.user)
        .select_related("owner")
        .order_by("-year", "-id")
    )
    return {
        "count": count,
        "page": query.page,
        "pages": pages,
        "items": [_list_row(r) for r in rows[start : start + query.page_size]],
    }


def item_rows_batch(
    items: list[Item], lights: Lights
) -> list[tuple[Item, str, list[tuple[Measure, str]]]]:
    """lists.page.item_rows for many items with one calendar (items carry their case and
    prefetched measures)."""
    found = []
    for item in items:
        item_light, rows = item_rows(item, list(item.measures.all()), lights.today, lights)
        found.append((item, item_light, rows))
    return found


def _item_row(item: Item, item_light: str, rows: list[tuple[Measure, str]]) -> dict[str, Any]:
    """An item of GET /lists/{id}: the keys of lists.serialize.item_fields (but the list),
    with the case's number, title, state, lead unit and deadline."""
    case = item.case
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_label": workflow_for(case.category).state_label(case.state),
        "lead_unit": case.lead_unit.code if case.lead_unit else "",
        "lead_unit_name": case.lead_unit.name if case.lead_unit else "",
        "deadline": case.deadline,
        **item_own_fields(item, item_light, rows),
    }


@router.get("/{list_id}", response={200: ListDetailOut, **ERRORS}, summary="清单详情")
def detail(request: AuthedRequest, list_id: int):
    """The list with the items the caller may see, each with its measures (their status,
    progress, evidence and light), in a fixed number of queries however many items."""
    rect_list = list_for_user(request.user, list_id)
    rect_list = (
        _counted(RectList.objects.filter(pk=rect_list.pk), request.user)
        .select_related("owner")
        .prefetch_related("delegates")
        .get()
    )
    measures_ = Measure.objects.select_related("unit", "handler").prefetch_related(
        Prefetch("evidence", Evidence.objects.only("attachment_id", "measure_id"))
    )
    items = list(
        Item.objects.filter(rect_list=rect_list, case__in=visible_cases(request.user))
        .select_related("case", "case__lead_unit")
        .prefetch_related(Prefetch("measures", measures_.order_by("seq")))
        .order_by("seq")
    )
    on = today()
    days = [on, rect_list.starts_on]
    for item in items:
        days += [item.case.received_on, *(d for d in [item.case.deadline] if d)]
        days += [m.deadline for m in item.measures.all()]
    lights = Lights(on, min(days), max(days))
    return {
        **_list_row(rect_list),
        "description": rect_list.description,
        "delegates": [u.get_username() for u in rect_list.delegates.all()],
        "items": [_item_row(*row) for row in item_rows_batch(items, lights)],
    }


def _key(request: AuthedRequest) -> str | None:
    return clean_key(request.headers.get(HEADER))


def _json(request: AuthedRequest) -> Any:
    if not request.body.strip():
        return {}
    try:
        return json.loads(request.body)
    except ValueError as exc:
        raise JsonInvalid from exc


def _validated(model: type[pydantic.BaseModel], request: AuthedRequest) -> Any:
    """The body as `model` (a 422 naming each field's problem in Chinese)."""
    try:
        return model.model_validate(_json(request))
    except pydantic.ValidationError as exc:
        raise RequestInvalid(describe(exc.errors(include_url=False), model)) from None


def _users(names: list[str], field: str) -> list[User]:
    return [u for u in (user_by_name(n, field) for n in names) if u is not None]


@router.post("", response={201: ListDetailOut, **ERRORS, 409: CaseErrorOut}, summary="建立清单",
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": ListBody.model_json_schema()}}}})  # fmt: skip
def create(request: AuthedRequest):
    """Make a list (the office). Another role gets 403 before the body is read; a bad
    body is 422. With `Idempotency-Key`, the same key again answers the first list."""
    check_list_maker(request.user)
    key = _key(request)
    body: ListBody = _validated(ListBody, request)

    @transaction.atomic
    def work() -> RectList:
        made = actions.create_list(
            by=request.user, name=body.name, starts_on=body.starts_on,
            owner=user_by_name(body.owner, "owner"), kind=body.kind, origin=body.origin,
            reports_to=body.reports_to, ends_on=body.ends_on, description=body.description,
            delegates=_users(body.delegates, "delegates"),
        )  # fmt: skip
        _remember(request.user, key, made)
        return made

    done = once(user=request.user, key=key, action="create_list", case=None, work=work,
                summary="", status=201)  # fmt: skip
    if isinstance(done, Replay):
        # The list made under the key: its id is kept as the record's summary.
        if not done.summary.isdigit():
            raise Http404("清单不存在")
        return 201, detail(request, int(done.summary))
    return 201, detail(request, done.pk)


def _remember(user: User, key: str | None, rect_list: RectList) -> None:
    """Keep the list's id on the key's record (records name cases, not lists), in the
    transaction that made both."""
    if key is None:
        return
    from api.models import IdempotencyKey

    IdempotencyKey.objects.filter(user=user, key=key).update(summary=str(rect_list.pk))


def _leader(text: str) -> tuple[str, User | None]:
    """责任领导: a user named by username (linked), or free text."""
    if not text:
        return "", None
    user = get_user_model().objects.filter(username=text, is_active=True).first()
    if user is None:
        return text, None
    return user.get_full_name() or user.first_name or user.get_username(), user


def _unit(code: str, field: str) -> Unit:
    unit = unit_by_code(code, field)
    if unit is None:
        raise CaseError("请填写单位代码", field=field)
    return unit


def _item_in(body: ItemBody) -> ItemIn:
    leader_name, leader = _leader(body.leader)
    ind = body.indicator
    return ItemIn(
        title=body.title,
        lead_unit=_unit(body.lead_unit, "lead_unit"),
        deadline=body.deadline,
        description=body.description,
        category=body.category,
        source=body.source,
        leader_name=leader_name,
        leader=leader,
        co_units=[_unit(c, f"co_units.{n}") for n, c in enumerate(body.co_units)],
        indicator=Indicator(
            ind.name, ind.unit, ind.baseline, ind.target, ind.current, ind.direction
        )
        if ind is not None
        else Indicator(),
        measures=[
            MeasureIn(
                text=m.text,
                unit=_unit(m.unit, f"measures.{n}.unit"),
                deadline=m.deadline,
                handler=user_by_name(m.handler, f"measures.{n}.handler"),
                weight=m.weight,
            )
            for n, m in enumerate(body.measures)
        ],
    )


@router.post("/{list_id}/items", response={201: CaseDetailOut, **ERRORS, 409: CaseErrorOut},
             summary="增加事项", openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": ItemBody.model_json_schema()}}}})  # fmt: skip
def add_item(request: AuthedRequest, list_id: int):
    """Add an item with its measures (the office, or the list's owner or a delegate); the
    answer is the item as GET /cases/{id} gives it."""
    rect_list = list_for_user(request.user, list_id)
    check_list_editor(request.user, rect_list)
    key = _key(request)
    body: ItemBody = _validated(ItemBody, request)

    @transaction.atomic
    def work() -> tuple[Any, dict[str, Any]]:
        case = actions.add_item(rect_list, _item_in(body), by=request.user)
        return case, case_detail(load_for_detail(case.pk), request.user, today())

    done = once(user=request.user, key=key, action="add_item", case=None, work=work,
                case_of=lambda result: result[0], status=201)  # fmt: skip
    if isinstance(done, Replay):
        if done.case_id is None:
            raise Http404("事项不存在")
        return 201, case_detail(load_for_detail(done.case_id), request.user, today())
    return 201, done[1]


@router.post("/items/{item_id}/evidence", response={201: EvidenceOut, **ERRORS},
             summary="上传佐证材料")  # fmt: skip
def evidence(
    request: AuthedRequest,
    item_id: int,
    file: File[UploadedFile],
    measure: Form[int | None] = None,
):
    """佐证材料 (multipart: `file`, and `measure`, the measure's id; without it, for the
    item as a whole): the measure's unit, the item's lead unit or the office."""
    case = case_for_user(request.user, item_id)
    if not Item.objects.filter(pk=case.pk).exists():
        raise Http404("清单事项不存在")
    found = measures.attach_evidence(case, by=request.user, upload=file, measure_id=measure)
    return 201, {
        "id": found.attachment_id,
        "filename": found.attachment.filename,
        "item": found.item_id,
        "measure": found.measure_id,
    }

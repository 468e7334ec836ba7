"""How errors become JSON: one shape per status, messages in Chinese.

Every refusal of the domain is a huiyin.errors.DomainError, answered by one handler
(`domain_error_response`) with its kind's status: 400 {"detail", "field"}: refused (e.g.
CaseError); 403 {"detail"}: never allowed (Forbidden, e.g. ActionForbidden); 404
{"detail"}: not found (NotFound, Http404, and a path parameter that is not an integer);
409 {"detail", "field"}: changed by someone else meanwhile (Conflict).
422 {"detail", "errors": [{"field", "message"}]}: the request did not validate, with each
field named by its Chinese title; 500 {"detail"} without a traceback.
"""

import logging
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pydantic
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from cases import payloads
from huiyin.dates import DATE_MESSAGES
from huiyin.errors import DomainError, Forbidden, NotFound
from huiyin.middleware import busy_response, is_database_busy
from huiyin.text import TEXT_MESSAGES

logger = logging.getLogger("api")

DATE_FORMAT = "日期格式应为 YYYY-MM-DD"
BOOL = "应为 true 或 false"
INT = "应为整数"
OBJECT = "应为 JSON 对象"
JSON_INVALID = "请求体不是有效的 JSON"
MESSAGES = {
    "missing": "必填",
    "literal_error": "取值无效",
    "enum": "取值无效",
    "date_parsing": DATE_FORMAT,
    "date_from_datetime_parsing": DATE_FORMAT,
    "date_from_datetime_inexact": DATE_FORMAT,
    "date_type": DATE_FORMAT,
    "int_parsing": INT,
    "int_type": INT,
    "int_from_float": INT,
    "bool_parsing": BOOL,
    "bool_type": BOOL,
    "string_too_short": "不能为空",
    "string_too_long": "不能超过{max_length}个字符",
    "string_type": "应为文字",
    "too_long": "最多{max_length}项",
    "list_type": "应为列表",
    "extra_forbidden": "不接受此字段",
    "json_invalid": JSON_INVALID,
    "greater_than_equal": "不能小于{ge}",
    "less_than_equal": "不能大于{le}",
    "greater_than": "应大于{gt}",
    "less_than": "应小于{lt}",
    "model_type": OBJECT,
    "model_attributes_type": OBJECT,
    "dict_type": OBJECT,
    **TEXT_MESSAGES,
    **DATE_MESSAGES,
}
DEFAULT_MESSAGE = "取值无效"

# Models whose validation errors are the client's fault (422): these, and the payload of
# every action a category declares (_action_payload). Any other model failing (above all
# ninja's response schemas) is our bug: 500.
PAYLOAD_MODELS: dict[str, type[pydantic.BaseModel]] = {
    name: obj
    for name, obj in vars(payloads).items()
    if isinstance(obj, type) and issubclass(obj, pydantic.BaseModel)
}


def _inner_model(annotation: Any) -> type[pydantic.BaseModel] | None:
    """The model inside list[...], X | None and the like, if any."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return None
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def field_label(model: type[pydantic.BaseModel] | None, loc: tuple[Any, ...]) -> str:
    """("commitments", 0, "due") → 承诺事项第1项的完成时间."""
    label, previous = "", None
    current = model
    for key in loc:
        if isinstance(key, int):
            label += f"第{key + 1}项"
            continue
        info = current.model_fields.get(key) if current is not None else None
        if info is None:
            name, current = f"“{key}”", None
        else:
            title, current = info.title, _inner_model(info.annotation)
            if title is None and current is not None:
                continue  # ninja's wrapper around a body or query schema: not a field
            name = title or key
        if name == previous:
            continue  # 承诺事项第1项, not 承诺事项第1项的承诺事项
        label += ("的" if label else "") + name
        previous = name
    return label


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    text = MESSAGES.get(kind, DEFAULT_MESSAGE)
    ctx = error.get("ctx") or {}
    if kind == "literal_error" and ctx.get("expected"):
        expected = str(ctx["expected"]).replace(" or ", "、").replace(", ", "、")
        return f"{text}（可选：{expected}）"
    try:
        return text.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return text.split("{")[0] or DEFAULT_MESSAGE


def _sentence(kind: str, label: str, message: str) -> str:
    if not label:
        return message
    if kind == "missing":
        return f"请填写{label}"
    if kind == "extra_forbidden":
        return f"不接受字段{label}"
    return f"{label}：{message}"


def problem(
    error: Mapping[str, Any],
    model: type[pydantic.BaseModel] | None,
    public_loc: tuple[Any, ...] | None = None,
) -> dict[str, str]:
    """One pydantic error → {"field": "a.b", "message": 中文, "sentence": 中文}.

    The label is found by walking `model` along the error's own location; `public_loc`
    is the location as the client knows it (without ninja's wrapper parameter names)."""
    loc = tuple(error.get("loc") or ())
    public = loc if public_loc is None else tuple(public_loc)
    # Validator names such as "function-after[...]" are not fields.
    public = tuple(k for k in public if not (isinstance(k, str) and "[" in k))
    message = _message(error)
    label = field_label(model, tuple(k for k in loc if not (isinstance(k, str) and "[" in k)))
    return {
        "field": ".".join(str(k) for k in public),
        "message": message,
        "sentence": _sentence(error.get("type", ""), label, message),
    }


def describe(
    errors: Sequence[Mapping[str, Any]], model: type[pydantic.BaseModel] | None
) -> list[dict[str, str]]:
    return [problem(error, model) for error in errors]


class JsonInvalid(Exception):
    """The request body is not JSON."""


class RequestInvalid(NinjaValidationError):
    """A ninja validation error already described in Chinese."""


class PathInvalid(NinjaValidationError):
    """A path parameter that does not parse (`/cases/abc`): the path names nothing, 404."""


# The 404 answer for a path parameter that does not parse, by the parameter's name.
PATH_NOT_FOUND = {"case_id": "办件不存在"}
NOT_FOUND = "请求的对象不存在"


def error_body(exc: DomainError) -> dict[str, Any]:
    """The JSON of a domain error: {"detail"} for 403 and 404, {"detail", "field"} else."""
    if isinstance(exc, Forbidden | NotFound):
        return {"detail": exc.message}
    return {"detail": exc.message, "field": exc.field}


def invalid_response(api: NinjaAPI, request: HttpRequest, problems: list[dict[str, str]]):
    sentences = list(dict.fromkeys(p["sentence"] for p in problems)) or ["请求数据有误"]
    detail = "；".join(sentences[:5]) + ("等" if len(sentences) > 5 else "")
    errors = [{"field": p["field"], "message": p["message"]} for p in problems]
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def json_invalid(api: NinjaAPI, request: HttpRequest) -> HttpResponse:
    problem = {"field": "", "message": JSON_INVALID, "sentence": JSON_INVALID}
    return invalid_response(api, request, [problem])


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API (later registrations win over ninja's defaults)."""

    def domain_error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
        """The one mapping of the domain's errors to answers (see the module docstring)."""
        return api.create_response(request, error_body(exc), status=exc.status)

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else ""
        # Django's own 404 messages are English and name models: not for users.
        if not message or message.isascii():
            message = "办件不存在"
        return api.create_response(request, {"detail": message}, status=404)

    def ninja_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        if isinstance(exc, PathInvalid):
            names = [str(e["loc"][0]) for e in exc.errors if e.get("loc")]
            detail = next((PATH_NOT_FOUND[n] for n in names if n in PATH_NOT_FOUND), NOT_FOUND)
            return api.create_response(request, {"detail": detail}, status=404)
        if isinstance(exc, RequestInvalid):
            return invalid_response(api, request, exc.errors)
        # ninja's own errors start with the parameter source ("body", "query", "path").
        problems = [problem({**e, "loc": tuple(e.get("loc") or ())[1:]}, None) for e in exc.errors]
        return invalid_response(api, request, problems)

    def pydantic_invalid(request: HttpRequest, exc: pydantic.ValidationError) -> HttpResponse:
        model = PAYLOAD_MODELS.get(exc.title) or _action_payload(exc.title)
        if model is None:
            return server_error(request, exc)
        return invalid_response(api, request, describe(exc.errors(include_url=False), model))

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            detail = "未登录或令牌无效、已过期，请先获取访问令牌"
        elif isinstance(exc, Throttled):
            detail = "请求过于频繁，请稍后再试"
        elif isinstance(exc.__cause__, RequestDataTooBig):
            return too_big(request, exc.__cause__)
        elif exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # ninja could not parse the body: the client sent something that is not JSON.
            return json_invalid(api, request)
        else:
            detail = exc.message if not exc.message.isascii() else "请求无效"
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        if is_database_busy(exc):  # SQLite's write lock not had in time: nothing written
            return busy_response(request)
        logger.error(
            "API error on %s %s",
            request.method,
            request.path,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        return api.create_response(request, {"detail": "服务器内部错误"}, status=500)

    def body_not_json(request: HttpRequest, exc: JsonInvalid) -> HttpResponse:
        return json_invalid(api, request)

    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return api.create_response(request, {"detail": "请求体过大"}, status=413)

    # ninja's annotation wants handlers that also take the exception's class; ours never do.
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (JsonInvalid, body_not_json),
        (RequestDataTooBig, too_big),
        (DomainError, domain_error_response),
        (Http404, not_found),
        (NinjaValidationError, ninja_invalid),
        (pydantic.ValidationError, pydantic_invalid),
        (HttpError, http_error),
        (Exception, server_error),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def _action_payload(title: str) -> type[pydantic.BaseModel] | None:
    """The payload model (by its name) of any action of any category, or of a category's
    registration (e.g. opinions.payloads.OpinionRegisterPayload)."""
    from opinions.payloads import OpinionRegisterPayload
    from supervision.payloads import SupervisionRegisterPayload
    from workflow.tables import all_workflows

    models: list[type[pydantic.BaseModel]] = [OpinionRegisterPayload, SupervisionRegisterPayload]
    models += [
        spec.payload for w in all_workflows() for spec in w.transitions.values() if spec.payload
    ]
    return next((m for m in models if m.__name__ == title), None)

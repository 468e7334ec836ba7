"""What the OpenAPI document says about performing actions, read from the payload models.

Each action has its own operation (POST /cases/{case_id}/actions/assign …) whose request
body is its payload model's schema; the rules a schema cannot express come from the
model's docstring, written once in `cases.payloads` (the convention is described there).
The generic POST /cases/{case_id}/actions/{action} lists every payload as one union.
"""

import inspect
import re
from typing import Any

import pydantic

from cases.dispatch import action_payloads
from workflow.vocabulary import Action

# A docstring line "- assign、edit：…" applies to the actions named before the colon only.
_FOR_ACTIONS = re.compile(r"^([a-z][a-z0-9_]*(?:[、,，]\s*[a-z][a-z0-9_]*)*)\s*[：:]\s*(.+)$")

CASE_NOT_FOUND = "办件不存在或无权查看；路径中的 case_id 不是整数时也是 404"
CASE_PATH = {"responses": {404: {"description": CASE_NOT_FOUND}}}
ACTION_NOTE = (
    "在办件当前状态下、以调用者的身份可以执行的操作，见办件详情的 `available_actions`。"
    "调用者的身份根本不能执行此操作时（如查阅人员），先于检查请求体答复 403。"
)


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """Replace local "#/$defs/X" references: the schema is embedded in a larger document,
    where they would point nowhere."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def _own_doc(cls: type) -> str:
    return inspect.cleandoc(cls.__dict__.get("__doc__") or "")


def payload_doc(model: type[pydantic.BaseModel]) -> tuple[str, list[tuple[set[str], str]]]:
    """The model's docstring as (what the payload is, [(for which actions, rule)]), with
    the rules of its base models first; an empty set of actions means every action that
    takes the model."""
    bases = [
        c
        for c in reversed(model.__mro__[1:])
        if issubclass(c, pydantic.BaseModel) and c is not pydantic.BaseModel
    ]
    inherited = [rule for base in bases for rule in _parse(_own_doc(base))[1]]
    about, rules = _parse(_own_doc(model))
    return about, rules + inherited


def _parse(doc: str) -> tuple[str, list[tuple[set[str], str]]]:
    text: list[str] = []
    rules: list[tuple[set[str], str]] = []
    for line in doc.splitlines():
        line = line.strip()
        if line.startswith("- "):
            rule = line[2:].strip()
            match = _FOR_ACTIONS.match(rule)
            if match:
                names = {n.strip() for n in re.split(r"[、,，]", match.group(1))}
                rules.append((names, match.group(2).strip()))
            else:
                rules.append((set(), rule))
        elif line and rules:
            names, rule = rules[-1]  # a rule continued on the next line
            rules[-1] = (names, rule + line)
        elif line:
            text.append(line)
    return "".join(text), rules


def rules_for(action: str, model: type[pydantic.BaseModel]) -> list[str]:
    """The conditions of the action that its payload's schema cannot express."""
    return [rule for names, rule in payload_doc(model)[1] if not names or action in names]


def body_schema(model: type[pydantic.BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    inlined = _inline(schema, schema.get("$defs", {}))
    about = payload_doc(model)[0]
    if about:
        inlined["description"] = about
    else:
        inlined.pop("description", None)
    return inlined


def action_label(action: str) -> str:
    return Action(action).label if action in Action.values else action


def action_operation(action: str, model: type[pydantic.BaseModel]) -> dict[str, Any]:
    """summary, description and openapi_extra (the request body) of one action's operation."""
    about, _ = payload_doc(model)
    parts = [f"{about}" if about else "执行此操作；答复为操作后的办件。"]
    rules = rules_for(action, model)
    if rules:
        parts.append("请求体格式之外的条件：\n\n" + "\n".join(f"- {rule}" for rule in rules))
    parts.append(ACTION_NOTE)
    required = any(field.is_required() for field in model.model_fields.values())
    body = {
        "required": required,
        "description": f"{action_label(action)}的参数（{model.__name__}）"
        + ("" if required else "；无参数时可为空"),
        "content": {"application/json": {"schema": body_schema(model)}},
    }
    return {
        "summary": f"{action_label(action)}（{action}）",
        "description": "\n\n".join(parts),
        "openapi_extra": {**CASE_PATH, "requestBody": body},
    }


def action_body() -> dict[str, Any]:
    """The generic operation's request body: any action's payload."""
    variants = []
    for name, model in action_payloads().items():
        schema = body_schema(model)
        schema["title"] = f"{name}（{model.__name__}）"
        variants.append(schema)
    return {
        **CASE_PATH,
        "requestBody": {
            "required": False,
            "description": "操作的参数，按路径中的操作名取用下列之一；无参数时可为空。"
            "各操作的参数和条件另见该操作自己的接口（/cases/{case_id}/actions/操作名）",
            "content": {"application/json": {"schema": {"anyOf": variants}}},
        },
    }

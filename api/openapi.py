"""The request body of POST /cases/{id}/actions/{action} for the OpenAPI document:
one schema per action, since the body depends on the action named in the path."""

from typing import Any

from cases.dispatch import ACTIONS


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


def action_body() -> dict[str, Any]:
    variants = []
    for name, spec in ACTIONS.items():
        schema = spec.payload.model_json_schema()
        inlined = _inline(schema, schema.get("$defs", {}))
        inlined["title"] = f"{name}（{spec.payload.__name__}）"
        variants.append(inlined)
    return {
        "requestBody": {
            "required": False,
            "description": "操作的参数，按路径中的操作名取用下列之一；无参数时可为空",
            "content": {"application/json": {"schema": {"anyOf": variants}}},
        }
    }

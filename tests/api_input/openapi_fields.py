"""Fields of an API answer that its OpenAPI schema does not list (the document must tell the truth)."""

from __future__ import annotations

from typing import Any


def resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its local $ref followed."""
    seen = 0
    while "$ref" in schema and seen < 50:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
        seen += 1
    return schema


def undocumented_fields(value: Any, schema: dict[str, Any], document: dict[str, Any], where: str = "") -> list[str]:
    """Dotted paths of the object keys in `value` that `schema` does not list."""
    schema = resolve(schema, document)
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        candidates = [
            undocumented_fields(value, option, document, where)
            for option in alternatives
            if _matches_type(value, resolve(option, document))
        ]
        return min(candidates, key=len) if candidates else []
    for part in schema.get("allOf", []):
        merged = resolve(part, document)
        schema = {**schema, "properties": {**merged.get("properties", {}), **schema.get("properties", {})}}
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key, item in value.items():
            name = f"{where}.{key}" if where else key
            if key in properties:
                found += undocumented_fields(item, properties[key], document, name)
            elif isinstance(schema.get("additionalProperties"), dict):
                found += undocumented_fields(item, schema["additionalProperties"], document, name)
            else:
                found.append(name)
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += undocumented_fields(item, schema["items"], document, f"{where}.{index}" if where else str(index))
    return found


def _matches_type(value: Any, schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind is None:
        return True
    return {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "null": value is None,
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }.get(kind, True)


def answer_schema(
    document: dict[str, Any], path: str, method: str, status: int, mimetype: str
) -> dict[str, Any] | None:
    """The schema the document gives for that answer, if any."""
    operation = document["paths"].get(path, {}).get(method.lower(), {})
    answer = operation.get("responses", {}).get(str(status))
    if answer is None:
        return None
    return answer.get("content", {}).get(mimetype, {}).get("schema")

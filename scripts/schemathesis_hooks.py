"""schemathesis hooks for scripts/schemathesis: one more check, that an answer lists no undocumented field."""

from __future__ import annotations

import re

import schemathesis

from tests.api_input.openapi_fields import answer_schema, undocumented_fields


@schemathesis.check
def every_field_documented(ctx, response, case):
    """Every field of a JSON answer appears in the schema of that answer in the document."""
    mimetype = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    if not mimetype.endswith("json"):
        return None
    document = case.operation.schema.raw_schema
    schema = answer_schema(document, case.operation.path, case.method, response.status_code, mimetype)
    if schema is None:
        return None
    missing = undocumented_fields(response.json(), schema, document)
    if missing:
        names = sorted({re.sub(r"\.\d+(?=\.|$)", "[]", name) for name in missing})
        raise AssertionError(f"fields missing from the documented schema: {', '.join(names)}")
    return None

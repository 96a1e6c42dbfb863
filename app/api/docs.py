"""Turn the OpenAPI document into rows the docs page renders without any script.

The page needs no CDN and no JavaScript (the CSP forbids inline scripts), so references are
resolved here, once, into plain lists: operations with their parameters and answers, and the
schemas they point at, each with an anchor to link to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

METHODS = ("get", "post", "put", "patch", "delete")
REF_PREFIX = "#/components/"


@dataclass
class TypeInfo:
    """A type shown as `text`, optionally followed by a link to the schema `ref`."""

    text: str = ""
    ref: str | None = None
    nullable: bool = False

    @property
    def anchor(self) -> str:
        return anchor_for("schema", self.ref or "")


@dataclass
class Row:
    name: str
    type: TypeInfo
    required: bool = False
    location: str = ""
    description: str = ""
    details: list[str] = field(default_factory=list)


@dataclass
class Answer:
    status: str
    description: str
    type: TypeInfo | None


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    public: bool
    parameters: list[Row]
    body: TypeInfo | None
    answers: list[Answer]


@dataclass
class Section:
    name: str
    description: str
    operations: list[Operation]


@dataclass
class SchemaDoc:
    name: str
    anchor: str
    description: str
    properties: list[Row]


def anchor_for(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")


def describe_type(schema: dict | None) -> TypeInfo:
    """'integer', 'string (date-time)', 'array of' + link, a link alone, or 'one of: a, b'."""
    schema = schema or {}
    nullable = bool(schema.get("nullable"))
    if "$ref" in schema:
        return TypeInfo(ref=schema["$ref"].rsplit("/", 1)[-1], nullable=nullable)
    for combinator in ("allOf", "anyOf", "oneOf"):
        if combinator in schema:
            # apispec writes a nullable nested object as anyOf [{nullable object}, {$ref}].
            parts = [describe_type(part) for part in schema[combinator]]
            linked = next((part for part in parts if part.ref), None)
            nullable = nullable or any(part.nullable for part in parts)
            if linked:
                return TypeInfo(ref=linked.ref, nullable=nullable)
            return TypeInfo(text=" | ".join(part.text for part in parts), nullable=nullable)
    if schema.get("type") == "array":
        inner = describe_type(schema.get("items"))
        return TypeInfo(text=f"array of {inner.text}".strip(), ref=inner.ref, nullable=nullable)
    if "enum" in schema:
        return TypeInfo(text="one of: " + ", ".join(str(v) for v in schema["enum"]), nullable=nullable)
    text = schema.get("type", "any")
    if schema.get("format"):
        text += f" ({schema['format']})"
    return TypeInfo(text=text, nullable=nullable)


def _constraints(schema: dict) -> list[str]:
    names = {"minimum": "≥", "maximum": "≤", "minLength": "min length", "maxLength": "max length"}
    found = [f"{label} {schema[key]}" for key, label in names.items() if key in schema]
    if schema.get("readOnly"):
        found.append("read-only")
    if schema.get("writeOnly"):
        found.append("write-only")
    return found


def _resolve(spec: dict, item: dict) -> dict:
    """Follow one $ref into components (responses, parameters); schemas stay links."""
    ref = item.get("$ref", "")
    if not ref.startswith(REF_PREFIX):
        return item
    kind, name = ref[len(REF_PREFIX) :].split("/", 1)
    return spec.get("components", {}).get(kind, {}).get(name, {})


def _json_schema(content: dict | None) -> dict | None:
    for media_type, body in (content or {}).items():
        if media_type.endswith("json"):
            return body.get("schema")
    return None


def _parameters(spec: dict, path_item: dict, operation: dict) -> list[Row]:
    rows = []
    for raw in path_item.get("parameters", []) + operation.get("parameters", []):
        param = _resolve(spec, raw)
        schema = param.get("schema", {})
        rows.append(
            Row(
                name=param["name"],
                type=describe_type(schema),
                required=bool(param.get("required")),
                location=param.get("in", ""),
                description=param.get("description", ""),
                details=_constraints(schema),
            )
        )
    return rows


def _answers(spec: dict, operation: dict) -> list[Answer]:
    answers = []
    # Numbered statuses in order, the catch-all "default" last.
    for status in sorted(operation.get("responses", {}), key=lambda s: (not s.isdigit(), s)):
        response = _resolve(spec, operation["responses"][status])
        schema = _json_schema(response.get("content"))
        answers.append(Answer(status, response.get("description", ""), describe_type(schema) if schema else None))
    return answers


def _operation(spec: dict, path: str, method: str, path_item: dict) -> Operation:
    operation = path_item[method]
    body = operation.get("requestBody")
    body_schema = _json_schema(_resolve(spec, body).get("content")) if body else None
    return Operation(
        method=method.upper(),
        path=path,
        anchor=anchor_for(method, path),
        summary=operation.get("summary", ""),
        description=operation.get("description", ""),
        public=operation.get("security", spec.get("security")) == [],
        parameters=_parameters(spec, path_item, operation),
        body=describe_type(body_schema) if body_schema else None,
        answers=_answers(spec, operation),
    )


def _schemas(spec: dict) -> list[SchemaDoc]:
    schemas = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        properties = [
            Row(
                name=prop_name,
                type=describe_type(prop),
                required=prop_name in required,
                description=prop.get("description", ""),
                details=_constraints(prop),
            )
            for prop_name, prop in schema.get("properties", {}).items()
        ]
        schemas.append(SchemaDoc(name, anchor_for("schema", name), schema.get("description", ""), properties))
    return schemas


def describe(spec: dict) -> dict:
    """Everything the docs page shows, grouped by tag in the order the blueprints were registered."""
    tag_text = {tag["name"]: tag.get("description", "") for tag in spec.get("tags", [])}
    sections: dict[str, Section] = {name: Section(name, text, []) for name, text in tag_text.items()}
    for path, path_item in spec.get("paths", {}).items():
        for method in METHODS:
            if method not in path_item:
                continue
            tag = (path_item[method].get("tags") or ["other"])[0]
            section = sections.setdefault(tag, Section(tag, "", []))
            section.operations.append(_operation(spec, path, method, path_item))
    return {
        "title": spec.get("info", {}).get("title", ""),
        "version": spec.get("info", {}).get("version", ""),
        "sections": [section for section in sections.values() if section.operations],
        "schemas": _schemas(spec),
    }

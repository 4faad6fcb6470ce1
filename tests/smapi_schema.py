"""Offline SMAPI validation: the skill manifest and interaction models against Amazon's schema.

`ask_smapi_model` (Python) deserializes but drops keys it does not know and checks no
required field, so a manifest without `events.endpoint` passes it. The npm package
`ask-smapi-model` ships the SMAPI specification itself (Swagger 2.0, `spec.json`); the
definitions a skill package uses are kept in tests/data/smapi/ (see its README), turned
here into a JSON Schema that jsonschema checks:

- every object is closed (SMAPI refuses a manifest "instance has properties which are not
  allowed by the schema"), unless the specification says what extra keys may hold;
- a polymorphic type (an interface's `type`, a slot validation's `type`) is checked against
  the subtype its discriminator names, and an unknown discriminator value is refused.

    python -m tests.smapi_schema path/to/package/spec.json   # refresh the kept definitions
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

DEFINITIONS = Path(__file__).parent / "data" / "smapi" / "definitions.json"
MANIFEST = "v1.skill.Manifest.SkillManifestEnvelope"
INTERACTION_MODEL = "v1.skill.interactionModel.InteractionModelData"
_REF = "#/definitions/"


def _name(ref: str) -> str:
    return ref.removeprefix(_REF)


def _subtypes(definitions: dict[str, Any], base: str) -> dict[str, str]:
    """Discriminator value -> subtype definition, for a base type with a discriminator."""
    return {
        definition["x-discriminator-value"]: name
        for name, definition in definitions.items()
        if "x-discriminator-value" in definition
        and any(part.get("$ref") == _REF + base for part in definition.get("allOf", ()))
    }


def reachable(definitions: dict[str, Any], roots: tuple[str, ...]) -> dict[str, Any]:
    """The definitions the roots refer to, subtypes of their polymorphic types included."""
    seen: dict[str, Any] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen[name] = definitions[name]
        refs = re.findall(r'"(#/definitions/[^"]+)"', json.dumps(seen[name]))
        pending += [_name(ref) for ref in refs]
        if "discriminator" in definitions[name]:
            pending += _subtypes(definitions, name).values()
    return dict(sorted(seen.items()))


def _closed(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    """An inline or merged object schema with its properties converted and no other keys."""
    properties = {k: _convert(v, definitions) for k, v in schema.get("properties", {}).items()}
    closed: dict[str, Any] = {"type": "object", "properties": properties}
    if schema.get("required"):
        closed["required"] = list(schema["required"])
    extra = schema.get("additionalProperties", False)
    closed["additionalProperties"] = _convert(extra, definitions) if extra else False
    return closed


def _merged(parts: list[dict[str, Any]], definitions: dict[str, Any]) -> dict[str, Any]:
    """allOf [base, own]: one object with the properties and requirements of every part."""
    merged: dict[str, Any] = {"properties": {}, "required": []}
    for part in parts:
        body = definitions[_name(part["$ref"])] if "$ref" in part else part
        if "allOf" in body:
            body = _merged(body["allOf"], definitions)
        merged["properties"] |= body.get("properties", {})
        merged["required"] += [r for r in body.get("required", ()) if r not in merged["required"]]
    return merged


def _convert(schema: Any, definitions: dict[str, Any]) -> Any:
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return {"$ref": schema["$ref"]}
    if "allOf" in schema:
        return _closed(_merged(schema["allOf"], definitions), definitions)
    if schema.get("type") == "object" or "properties" in schema:
        return _closed(schema, definitions)
    if schema.get("type") == "array" and "items" in schema:
        return {**schema, "items": _convert(schema["items"], definitions)}
    return schema


def _definition(name: str, definitions: dict[str, Any]) -> dict[str, Any]:
    definition = definitions[name]
    discriminator = definition.get("discriminator")
    if not discriminator:
        return dict(_convert(definition, definitions))
    subtypes = _subtypes(definitions, name)
    return {
        "type": "object",
        "required": [discriminator],
        "properties": {discriminator: {"enum": sorted(subtypes)}},
        "allOf": [
            {
                "if": {"properties": {discriminator: {"const": value}}},
                "then": {"$ref": _REF + subtype},
            }
            for value, subtype in sorted(subtypes.items())
        ],
    }


@cache
def _validator(root: str) -> Draft7Validator:
    definitions = json.loads(DEFINITIONS.read_text(encoding="utf-8"))
    schema = {
        "definitions": {name: _definition(name, definitions) for name in definitions},
        "allOf": [{"$ref": _REF + root}],
    }
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def _problems(document: Any, root: str) -> Iterator[str]:
    for error in _validator(root).iter_errors(document):
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        yield f"{where}: {error.message}"


def manifest_problems(envelope: Any) -> list[str]:
    """What SMAPI's schema refuses in a skill.json (`{"manifest": ...}`), [] when it accepts."""
    return sorted(_problems(envelope, MANIFEST))


def model_problems(model: Any) -> list[str]:
    """What SMAPI's schema refuses in an interactionModels/custom/<locale>.json."""
    return sorted(_problems(model, INTERACTION_MODEL))


def main(argv: list[str]) -> int:
    """Keep the definitions a skill package uses, from the npm package's spec.json."""
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    kept = reachable(spec["definitions"], (MANIFEST, INTERACTION_MODEL))
    DEFINITIONS.write_text(json.dumps(kept, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{DEFINITIONS}: {len(kept)} definitions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

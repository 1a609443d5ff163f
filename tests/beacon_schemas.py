"""Offline validation of any document against the Beacon v2 JSON schemas.

The schemas (``/work/shared/beacon-v2-schemas``, see its PROVENANCE.md; override with
``CNVB_BEACON_SCHEMAS``) have no ``$id`` and refer to each other by relative paths and by
absolute URLs under the spec repository's ``main`` branch, so every file is registered under
``https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/<relative path>``. Two gaps
are bridged: VRS 1.3 (``https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json``) maps to the local
copy, and ``models/.../common/info.json``, which five v2.1.1 model schemas name but only the
framework has, maps to ``framework/json/common/info.json``.

Usage: ``validate(record, "models/json/beacon-v2-default-model/genomicVariations/
defaultSchema.json")`` raises ``jsonschema.ValidationError``; ``validation_errors`` lists all.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_ROOT = Path(os.environ.get("CNVB_BEACON_SCHEMAS", "/work/shared/beacon-v2-schemas"))
SPEC_BASE_URL = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"
VRS_URL = "https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json"
VRS_PATH = "external/vrs-1.3.0/vrs.json"
MISSING_MODEL_INFO = "models/json/beacon-v2-default-model/common/info.json"
FRAMEWORK_INFO = "framework/json/common/info.json"

GENOMIC_VARIATION = "models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json"

__all__ = [
    "GENOMIC_VARIATION",
    "SCHEMA_ROOT",
    "ValidationError",
    "load_json",
    "registry",
    "validate",
    "validation_errors",
    "validator",
]


def _resource(path: Path) -> Resource[Any]:
    contents = json.loads(path.read_text(encoding="utf-8"))
    # Files without "$schema" (e.g. the OpenAPI endpoints.json) are read as 2020-12 schemas;
    # VRS declares draft-07 itself.
    return Resource.from_contents(contents, default_specification=DRAFT202012)


@cache
def registry() -> Registry[Any]:
    """Every schema file under its spec URL, plus the VRS and info.json mappings."""
    if not SCHEMA_ROOT.is_dir():
        raise FileNotFoundError(f"Beacon v2 schemas not found at {SCHEMA_ROOT}")
    resources = [
        (SPEC_BASE_URL + path.relative_to(SCHEMA_ROOT).as_posix(), _resource(path))
        for tree in ("framework", "models")
        for path in sorted((SCHEMA_ROOT / tree).rglob("*.json"))
    ]
    resources.append((VRS_URL, _resource(SCHEMA_ROOT / VRS_PATH)))
    resources.append((SPEC_BASE_URL + MISSING_MODEL_INFO, _resource(SCHEMA_ROOT / FRAMEWORK_INFO)))
    return Registry().with_resources(resources)


@cache
def validator(relative_schema_path: str) -> Draft202012Validator:
    """A validator for one schema file, given by its path relative to the schema root.

    The schema is referenced by URL rather than passed as a dict so that its relative
    ``$ref``s resolve against its own location.
    """
    if not (SCHEMA_ROOT / relative_schema_path).is_file():
        raise FileNotFoundError(f"no schema {relative_schema_path} under {SCHEMA_ROOT}")
    return Draft202012Validator(
        {"$ref": SPEC_BASE_URL + relative_schema_path},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def validate(instance: object, relative_schema_path: str) -> None:
    """Raise ``jsonschema.ValidationError`` (the most relevant one) unless valid."""
    validator(relative_schema_path).validate(instance)


def validation_errors(instance: object, relative_schema_path: str) -> list[str]:
    """Every violation, as ``path: message`` lines (empty when valid)."""
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator(relative_schema_path).iter_errors(instance)
    ]


def load_json(relative_path: str) -> Any:
    """A file of the schema tree, e.g. one of the spec's own examples."""
    return json.loads((SCHEMA_ROOT / relative_path).read_text(encoding="utf-8"))

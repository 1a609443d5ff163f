"""Offline validation against the official Beacon v2.1.1 JSON schemas.

The schemas (``shared/beacon-v2-schemas``, see its PROVENANCE.md) have no ``$id`` and
refer to each other by relative paths and by absolute URLs under the spec repository's
``main`` branch, so every schema file is registered under that URL. Two gaps are
bridged: the genomicVariations model's VRS 1.3 reference (a local copy), and the
``../common/info.json`` five model schemas point at but which only exists in the
framework (a known v2.1.1 defect).
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

SCHEMA_ROOT = Path(
    os.environ.get(
        "CNVB_BEACON_SCHEMAS",
        Path(__file__).resolve().parents[2].parent / "shared" / "beacon-v2-schemas",
    )
)
SPEC_BASE_URL = "https://raw.githubusercontent.com/ga4gh-beacon/beacon-v2/main/"
GENOMIC_VARIATION = "models/json/beacon-v2-default-model/genomicVariations/defaultSchema.json"
VRS_URL = "https://w3id.org/ga4gh/schema/vrs/1.3/vrs.json"
VRS_PATH = "external/vrs-1.3.0/vrs.json"
MISSING_MODEL_INFO = "models/json/beacon-v2-default-model/common/info.json"
FRAMEWORK_INFO = "framework/json/common/info.json"


def _resource(path: Path) -> Resource[Any]:
    contents = json.loads(path.read_text(encoding="utf-8"))
    return Resource.from_contents(contents, default_specification=DRAFT202012)


def _schema_files() -> list[Path]:
    return [
        path
        for tree in ("framework/json", "models/json")
        for path in sorted((SCHEMA_ROOT / tree).rglob("*.json"))
        if not any(part.startswith("examples") for part in path.relative_to(SCHEMA_ROOT).parts)
    ]


@cache
def registry() -> Registry[Any]:
    if not SCHEMA_ROOT.is_dir():
        raise FileNotFoundError(f"Beacon v2 schemas not found at {SCHEMA_ROOT}")
    resources = [
        (SPEC_BASE_URL + path.relative_to(SCHEMA_ROOT).as_posix(), _resource(path))
        for path in _schema_files()
    ]
    resources.append((VRS_URL, _resource(SCHEMA_ROOT / VRS_PATH)))
    resources.append((SPEC_BASE_URL + MISSING_MODEL_INFO, _resource(SCHEMA_ROOT / FRAMEWORK_INFO)))
    return Registry().with_resources(resources)


@cache
def validator(relative_schema_path: str) -> Draft202012Validator:
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


def load_example(relative_path: str) -> Any:
    return json.loads((SCHEMA_ROOT / relative_path).read_text(encoding="utf-8"))


__all__ = [
    "GENOMIC_VARIATION",
    "ValidationError",
    "load_example",
    "validate",
    "validation_errors",
]

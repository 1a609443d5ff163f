"""``/map`` (beaconMapResponse): every endpoint, as absolute URLs under the base URL."""

from __future__ import annotations

from urllib.parse import urlsplit

from cnvbeacon.gateway.beacon.entry_types import (
    ANALYSIS,
    BIOSAMPLE,
    COHORT,
    DATASET,
    ENTRY_TYPES,
    GENOMIC_VARIANT,
    INDIVIDUAL,
    RUN,
    EntryType,
)
from cnvbeacon.gateway.beacon.identity import BeaconIdentity
from cnvbeacon.gateway.beacon.json_types import JsonObject
from cnvbeacon.gateway.beacon.response_meta import build_informational_meta
from cnvbeacon.gateway.beacon.spec import SPEC_FRAMEWORK_BASE_URL

MAP_SCHEMA_URL = f"{SPEC_FRAMEWORK_BASE_URL}/configuration/beaconMapSchema.json"

# For each entry type, the entry types reachable from one of its entries:
# "<base>/<path>/{id}/<returned path>".
CROSS_ENTITY_ENDPOINTS: dict[EntryType, tuple[EntryType, ...]] = {
    GENOMIC_VARIANT: (BIOSAMPLE, INDIVIDUAL),
    INDIVIDUAL: (GENOMIC_VARIANT, BIOSAMPLE),
    BIOSAMPLE: (GENOMIC_VARIANT, ANALYSIS, RUN),
    ANALYSIS: (GENOMIC_VARIANT,),
    RUN: (GENOMIC_VARIANT,),
    DATASET: (GENOMIC_VARIANT, INDIVIDUAL, BIOSAMPLE),
    COHORT: (INDIVIDUAL,),
}


def normalise_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; ``ValueError`` unless absolute http(s)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the base URL must be an absolute http(s) URL, got {base_url!r}")
    return base_url.rstrip("/")


def build_endpoint_set(entry_type: EntryType, base_url: str) -> JsonObject:
    root = f"{normalise_base_url(base_url)}/{entry_type.path}"
    return {
        "entryType": entry_type.id,
        "rootUrl": root,
        "singleEntryUrl": f"{root}/{{id}}",
        "endpoints": {
            f"{returned.id}Lookup": {
                "returnedEntryType": returned.id,
                "url": f"{root}/{{id}}/{returned.path}",
            }
            for returned in CROSS_ENTITY_ENDPOINTS.get(entry_type, ())
        },
    }


def build_map_response(identity: BeaconIdentity, base_url: str) -> JsonObject:
    """``/map``; endpoint sets are keyed ``<entry type id>Endpoints`` as in the spec example."""
    return {
        "meta": build_informational_meta(identity),
        "response": {
            "$schema": MAP_SCHEMA_URL,
            "endpointSets": {
                f"{entry_type.id}Endpoints": build_endpoint_set(entry_type, base_url)
                for entry_type in ENTRY_TYPES
            },
        },
    }

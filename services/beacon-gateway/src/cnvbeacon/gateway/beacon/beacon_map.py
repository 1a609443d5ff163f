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
# "<base>/<path>/{id}/<returned path>". Every sample-level entry (individual, biosample, its
# run and analysis) reaches the others and its variants; a variant reaches its carriers; a
# collection (dataset, cohort) reaches all of its members' entries.
_RECORD_TYPES: tuple[EntryType, ...] = (GENOMIC_VARIANT, INDIVIDUAL, BIOSAMPLE, ANALYSIS, RUN)
CROSS_ENTITY_ENDPOINTS: dict[EntryType, tuple[EntryType, ...]] = {
    **{
        entry_type: tuple(t for t in _RECORD_TYPES if t is not entry_type)
        for entry_type in _RECORD_TYPES
    },
    DATASET: _RECORD_TYPES,
    COHORT: _RECORD_TYPES,
}
FILTERING_TERMS_PATH = "filtering_terms"
OPENAPI_PATH = "openapi.json"


def normalise_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; ``ValueError`` unless absolute http(s)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the base URL must be an absolute http(s) URL, got {base_url!r}")
    return base_url.rstrip("/")


def build_endpoint_set(entry_type: EntryType, base_url: str) -> JsonObject:
    base = normalise_base_url(base_url)
    root = f"{base}/{entry_type.path}"
    return {
        "entryType": entry_type.id,
        "openAPIEndpointsDefinition": f"{base}/{OPENAPI_PATH}",
        "rootUrl": root,
        "singleEntryUrl": f"{root}/{{id}}",
        "filteringTermsUrl": f"{root}/{FILTERING_TERMS_PATH}",
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

"""How calls, variants and carriers appear in responses, and the JSON encoding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web

from cnvbeacon.query.carriers import Carrier
from cnvbeacon.query.variants import Variant
from cnvbeacon.shared.store.client import Document

CARRIER_CALL_FIELDS = (
    "dataset_id",
    "biosample_id",
    "individual_id",
    "sex",
    "population",
    "superpopulation",
    "efo_id",
    "copy_number",
    "genotype",
    "zygosity_id",
    "is_pass",
    "vcf_id",
)


def call_view(call: Document) -> dict[str, Any]:
    view = call.copy()
    view["id"] = view.pop("_id")
    return view


def variant_view(variant: Variant) -> dict[str, Any]:
    key, calls = variant.key, variant.calls
    return {
        "id": key.id,
        "assembly": key.assembly,
        "chrom": key.chrom,
        "start": key.start,
        "end": key.end,
        "length": key.end - key.start,
        "variant_type": key.variant_type,
        "efo_ids": sorted({c["efo_id"] for c in calls}),
        "dataset_ids": sorted({c["dataset_id"] for c in calls}),
        "call_count": len(calls),
        "biosample_count": len({(c["dataset_id"], c["biosample_id"]) for c in calls}),
        "carriers": [
            {"call_id": c["_id"], **{f: c.get(f) for f in CARRIER_CALL_FIELDS}} for c in calls
        ],
    }


def biosample_view(carrier: Carrier, individual: Mapping[str, Any] | None) -> dict[str, Any]:
    """A carrier biosample; attributes from its calls, names from its individual if known."""
    view: dict[str, Any] = {
        "id": carrier.biosample_id,
        "dataset_id": carrier.dataset_id,
        "individual_id": carrier.individual_id,
        "sex": carrier.sex,
        "population": carrier.population,
        "superpopulation": carrier.superpopulation,
        "matching_calls": carrier.calls,
    }
    if individual is not None:
        view["population_name"] = individual.get("population_name")
        view["superpopulation_name"] = individual.get("superpopulation_name")
    return view


def encode(value: Any) -> bytes:
    """JSON (orjson: datetimes as RFC 3339; anything else unknown as its str)."""
    return orjson.dumps(value, default=str)


def dumps(value: Any) -> str:
    return encode(value).decode()


def json_ok(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=encode(body), status=status, content_type="application/json")

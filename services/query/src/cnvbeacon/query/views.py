"""How calls, variants and carriers appear in responses, and the JSON encoding."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson
from aiohttp import web

from cnvbeacon.query.carriers import Carrier
from cnvbeacon.query.variants import Variant
from cnvbeacon.shared.formats import CALL_FIELDS
from cnvbeacon.shared.reference import genes_of_call
from cnvbeacon.shared.store.client import Document

# A call view's fields: its id and stored fields (the default), and derived ones asked
# for by name: `genes`, the genes it is annotated with (shared.reference.genes_of_call).
STORED_VIEW_FIELDS: Final = ("id", *CALL_FIELDS)
CALL_VIEW_FIELDS: Final = (*STORED_VIEW_FIELDS, "genes")
_GENES_NEED: Final = frozenset({"assembly", "chrom", "start", "end"})

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
    """A stored call (or some of its fields) as answered: the store's `_id` is `id`."""
    return {("id" if name == "_id" else name): value for name, value in call.items()}


@dataclass(frozen=True, slots=True)
class CallFields:
    """The fields the call views of an answer have, in the order of CALL_VIEW_FIELDS."""

    names: tuple[str, ...] = STORED_VIEW_FIELDS

    @property
    def stored(self) -> tuple[str, ...]:
        """The document fields to read (`_id` for `id`), with those derived fields need."""
        wanted = set(self.names) | (_GENES_NEED if "genes" in self.names else set())
        return tuple("_id" if n == "id" else n for n in STORED_VIEW_FIELDS if n in wanted)

    @property
    def all_stored(self) -> bool:
        """Whether every field asked for is stored (none is derived)."""
        return "genes" not in self.names

    def view(self, call: Document) -> dict[str, Any]:
        """The view of a call read with `stored`."""
        view = call_view(call)
        if "genes" in self.names:
            view["genes"] = genes_of_call(
                str(view["chrom"]), int(view["start"]), int(view["end"]), str(view["assembly"])
            )
        if len(view) != len(self.names):
            view = {name: view[name] for name in self.names}
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


def json_ok_with(body: Mapping[str, Any], name: str, encoded: bytes) -> web.Response:
    """`body` with one more member `name` whose value is already JSON (`encoded`)."""
    head = encode(body)
    separator = b"," if len(body) else b""
    return web.Response(
        body=b"".join((head[:-1], separator, encode(name), b":", encoded, b"}")),
        content_type="application/json",
    )


def json_ok(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=encode(body), status=status, content_type="application/json")

"""Biosamples and individuals: the registry (the store's `individuals` collection) and the
carriers of a lookup's matching calls (read from the read model). All store access for
individuals lives here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import INDIVIDUALS

_ATTRIBUTES = ("sex", "population", "superpopulation")


@dataclass(frozen=True, slots=True)
class Carrier:
    """A biosample with matching calls, with the attributes its calls carry."""

    dataset_id: str
    biosample_id: str
    individual_id: str
    sex: str | None
    population: str | None
    superpopulation: str | None
    calls: int  # matching calls


# --------------------------------------------------------------------------- registry


async def registry(db: Database, dataset_ids: Iterable[str]) -> list[Document]:
    """Every individual of the datasets, by (dataset, individual id). One dataset has a few
    thousand small documents: read with the `individual` index, filtered by the caller."""
    found: list[Document] = []
    for dataset_id in sorted(dataset_ids):
        cursor = db[INDIVIDUALS].find({"dataset_id": dataset_id}).sort("individual_id", 1)
        found.extend(await cursor.to_list(None))
    return found


async def registered_count(db: Database, dataset_id: str) -> int:
    return await db[INDIVIDUALS].count_documents({"dataset_id": dataset_id})


async def individual(db: Database, dataset_id: str, individual_id: str) -> Document | None:
    return await db[INDIVIDUALS].find_one(
        {"dataset_id": dataset_id, "individual_id": individual_id}
    )


async def individuals_of_biosamples(
    db: Database, dataset_id: str, biosample_ids: Sequence[str]
) -> dict[str, Document]:
    """biosample id -> its individual's document, for those registered."""
    found: dict[str, Document] = {}
    if not biosample_ids:
        return found
    wanted = set(biosample_ids)
    cursor = db[INDIVIDUALS].find(
        {"dataset_id": dataset_id, "biosample_ids": {"$in": list(wanted)}}
    )
    async for document in cursor:
        for biosample_id in document.get("biosample_ids") or []:
            if biosample_id in wanted:
                found[biosample_id] = document
    return found


def individual_view(document: Document) -> dict[str, Any]:
    """A stored individual as the API shows it (`id` is the dataset-scoped stored id)."""
    view = {k: v for k, v in document.items() if k != "_id"}
    view["id"] = document["_id"]
    return view


def registry_biosamples(individuals: Iterable[Document]) -> list[dict[str, Any]]:
    """One record per biosample of the registered individuals, by (dataset, biosample)."""
    records = [
        {
            "id": biosample_id,
            "dataset_id": document["dataset_id"],
            "individual_id": document["individual_id"],
            **{f: document.get(f) for f in _ATTRIBUTES},
        }
        for document in individuals
        for biosample_id in document.get("biosample_ids") or [document["individual_id"]]
    ]
    return sorted(records, key=lambda r: (r["dataset_id"], r["id"]))

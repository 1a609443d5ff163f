"""Dataset metadata and group sizes (the individuals with data and registered of each 1kGP
group), both from the query service, cached for ``metadata_cache_s``: every Beacon query
needs the datasets, and every page of variant records the group sizes. The datasets are
those the query service's read model holds, so every dataset a query names can be
searched (a dataset the store has just created is not listed until its first job is in)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from cnvbeacon.gateway.upstream import ServiceClient
from cnvbeacon.shared.frequencies import GroupSize
from cnvbeacon.shared.reference import normalise_assembly

Value = TypeVar("Value")


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    id: str
    name: str
    description: str
    assembly: str  # canonical (GRCh38, GRCh37), or as stored when not a known assembly
    created: datetime
    updated: datetime
    data_version: int
    synthetic: bool

    @property
    def created_date(self) -> date:
        return self.created.date()

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> DatasetInfo:
        assembly = str(document.get("assembly") or "")
        with contextlib.suppress(ValueError):
            assembly = normalise_assembly(assembly)
        created = datetime.fromisoformat(str(document["created_at"]))
        updated = datetime.fromisoformat(str(document.get("updated_at") or created.isoformat()))
        return cls(
            id=str(document["id"]),
            name=str(document.get("name") or document["id"]),
            description=str(document.get("description") or ""),
            assembly=assembly,
            created=created,
            updated=updated,
            data_version=int(document.get("data_version") or 0),
            synthetic=bool(document.get("synthetic")),
        )


class _Cached(Generic[Value]):
    """One value, loaded at most once per ``ttl`` seconds however many ask at once."""

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._lock = asyncio.Lock()
        self._value: Value | None = None
        self._loaded_at = float("-inf")

    async def get(self, load: Callable[[], Awaitable[Value]]) -> Value:
        async with self._lock:
            if self._value is None or time.monotonic() - self._loaded_at > self._ttl:
                self._value = await load()
                self._loaded_at = time.monotonic()
            return self._value


class Metadata:
    """The cached metadata of one gateway (an application resource, shared by requests)."""

    def __init__(self, query: ServiceClient, ttl: float) -> None:
        self._query = query
        self._ttl = ttl
        self._datasets: _Cached[dict[str, DatasetInfo]] = _Cached(ttl)
        self._group_sizes: dict[str, _Cached[list[GroupSize]]] = {}

    async def datasets(self) -> dict[str, DatasetInfo]:
        """Every dataset by id, in id order."""

        async def load() -> dict[str, DatasetInfo]:
            body = await self._query.get_json("/datasets")
            infos = (DatasetInfo.from_document(d) for d in body["datasets"])
            return {info.id: info for info in sorted(infos, key=lambda i: i.id)}

        return await self._datasets.get(load)

    async def group_sizes(self, dataset_id: str) -> list[GroupSize]:
        """The dataset's groups (all, each superpopulation and population): individuals with
        data, by sex, and registered (the query service's /populations)."""
        cached = self._group_sizes.setdefault(dataset_id, _Cached(self._ttl))

        async def load() -> list[GroupSize]:
            body = await self._query.get_json("/populations", {"datasets": dataset_id})
            (found,) = body["datasets"]
            return [GroupSize.from_dict(group) for group in found["groups"]]

        return await cached.get(load)

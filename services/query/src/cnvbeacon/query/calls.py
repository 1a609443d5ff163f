"""Reading calls for a lookup: all database access for calls lives here.

Each (dataset, length class) gives one index range scan sorted by start; the scans are
merged into one stream ordered by (start, end, id), filtered exactly in Python.
"""

from __future__ import annotations

import heapq
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cnvbeacon.query.windows import Window, classes_to_scan
from cnvbeacon.shared.store import length_classes
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import CALLS

Predicate = Callable[[Document], bool]


@dataclass(frozen=True, slots=True)
class CallFilters:
    """Conditions beyond the window; all optional, combined with AND."""

    efo_ids: frozenset[str] | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_copy_number: float | None = None
    max_copy_number: float | None = None
    pass_only: bool = False
    biosample_ids: frozenset[str] | None = None
    sexes: frozenset[str] | None = None
    populations: frozenset[str] | None = None
    superpopulations: frozenset[str] | None = None

    def accepts(self, call: Document) -> bool:
        if self.efo_ids is not None and call["efo_id"] not in self.efo_ids:
            return False
        if self.min_length is not None and call["length"] < self.min_length:
            return False
        if self.max_length is not None and call["length"] > self.max_length:
            return False
        copy_number = call.get("copy_number")
        if self.min_copy_number is not None and (
            copy_number is None or copy_number < self.min_copy_number
        ):
            return False
        if self.max_copy_number is not None and (
            copy_number is None or copy_number > self.max_copy_number
        ):
            return False
        if self.pass_only and not call["is_pass"]:
            return False
        for allowed, key in (
            (self.biosample_ids, "biosample_id"),
            (self.sexes, "sex"),
            (self.populations, "population"),
            (self.superpopulations, "superpopulation"),
        ):
            if allowed is not None and call.get(key) not in allowed:
                return False
        return True


@dataclass(frozen=True, slots=True)
class CallLookup:
    dataset_ids: tuple[str, ...]
    chrom: str
    window: Window
    filters: CallFilters = field(default_factory=CallFilters)


def _sort_key(call: Document) -> tuple[int, int, str]:
    return (call["start"], call["end"], call["_id"])


async def _scan(
    db: Database, query: dict[str, Any], projection: dict[str, int] | None, accept: Predicate
) -> AsyncIterator[Document]:
    """One index range scan, yielding matches in (start, end, id) order.

    The index gives start order; calls sharing a start are buffered and sorted so that
    ordering (and so pagination) is stable.
    """
    group: list[Document] = []
    cursor = db[CALLS].find(query, projection).sort("start", 1).batch_size(2000)
    async for call in cursor:
        if group and call["start"] != group[0]["start"]:
            for item in sorted(group, key=_sort_key):
                yield item
            group.clear()
        if accept(call):
            group.append(call)
    for item in sorted(group, key=_sort_key):
        yield item


async def _merge(streams: Sequence[AsyncIterator[Document]]) -> AsyncIterator[Document]:
    heap: list[tuple[tuple[int, int, str], int, Document]] = []
    for index, stream in enumerate(streams):
        first = await anext(stream, None)
        if first is not None:
            heap.append((_sort_key(first), index, first))
    heapq.heapify(heap)
    while heap:
        _, index, call = heap[0]
        yield call
        following = await anext(streams[index], None)
        if following is None:
            heapq.heappop(heap)
        else:
            heapq.heapreplace(heap, (_sort_key(following), index, following))


async def index_queries(db: Database, lookup: CallLookup) -> list[dict[str, Any]]:
    """The Mongo filters of one lookup: exactly the index shape, one per dataset and class."""
    maxima = await length_classes.maxima_for(db, lookup.dataset_ids, lookup.chrom)
    queries = []
    for dataset_id in lookup.dataset_ids:
        for length_class, longest in classes_to_scan(
            maxima.get(dataset_id, {}), lookup.filters.min_length, lookup.filters.max_length
        ):
            bounds = lookup.window.start_range(longest)
            if bounds is None:
                continue
            queries.append(
                {
                    "dataset_id": dataset_id,
                    "chrom": lookup.chrom,
                    "length_class": length_class,
                    "start": {"$gte": bounds[0], "$lt": bounds[1]},
                }
            )
    return queries


async def find_calls(
    db: Database, lookup: CallLookup, projection: dict[str, int] | None = None
) -> AsyncIterator[Document]:
    """Every matching call in (start, end, id) order, streamed."""
    window, filters = lookup.window, lookup.filters

    def accept(call: Document) -> bool:
        return window.accepts(call["start"], call["end"]) and filters.accepts(call)

    queries = await index_queries(db, lookup)
    async for call in _merge([_scan(db, q, projection, accept) for q in queries]):
        yield call

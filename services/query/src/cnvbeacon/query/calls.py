"""Reading calls: all database access for calls lives here.

A lookup is one index range scan per (dataset, length class),
{dataset_id, chrom, length_class, start: [lo, hi)}, the only shape both SecantusDB and
mongod answer with a tight index scan. The scans are merged batch by batch into one
stream ordered by (start, end, dataset, id), and each candidate is checked exactly in Python.
Genome-wide lookups are one lookup per chromosome, scanned one after the other.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pymongo.asynchronous.cursor import AsyncCursor

from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.windows import Window, classes_to_scan
from cnvbeacon.shared.formats import CALL_FIELDS
from cnvbeacon.shared.reference.chromosomes import chromosomes
from cnvbeacon.shared.store import length_classes
from cnvbeacon.shared.store.client import Database, Document
from cnvbeacon.shared.store.collections import CALLS

__all__ = [
    "CALL_PROJECTION",
    "CallFilters",
    "CallLookup",
    "call_by_id",
    "calls_of_biosample",
    "find_calls",
    "index_queries",
    "scan_calls",
]

Predicate = Callable[[Document], bool]

CALL_PROJECTION: Final = dict.fromkeys(CALL_FIELDS, 1)
NO_FILTERS: Final = CallFilters()
FULL_BATCH: Final = 5000
_INFINITY: Final = float("inf")


@dataclass(frozen=True, slots=True)
class CallLookup:
    dataset_ids: tuple[str, ...]
    chrom: str
    window: Window
    filters: CallFilters = field(default_factory=CallFilters)

    def accepts(self, call: Document) -> bool:
        return self.window.accepts(call["start"], call["end"]) and self.filters.accepts(call)

    def predicate(self) -> Predicate:
        """`accepts`, without the filter check when there are no filters."""
        if self.filters == NO_FILTERS:
            window = self.window
            return lambda call: window.accepts(call["start"], call["end"])
        return self.accepts


def sort_key(call: Document) -> tuple[int, int, str, str]:
    return (call["start"], call["end"], call["dataset_id"], call["_id"])


Maxima = dict[str, dict[int, int]]
# (dataset, length class) -> [lo, hi) of starts a matching call can have.
StartRanges = Mapping[tuple[str, int], tuple[int, int]]


async def read_maxima(db: Database, lookup: CallLookup) -> Maxima:
    return await length_classes.maxima_for(db, lookup.dataset_ids, lookup.chrom)


def class_ranges(lookup: CallLookup, maxima: Maxima) -> dict[tuple[str, int], tuple[int, int]]:
    """(dataset, length class) -> [lo, hi) of starts a matching call of that class can have,
    from the class's longest call (see Window.start_range)."""
    ranges = {}
    for dataset_id in lookup.dataset_ids:
        for length_class, longest in classes_to_scan(
            maxima.get(dataset_id, {}), lookup.filters.min_length, lookup.filters.max_length
        ):
            bounds = lookup.window.start_range(longest)
            if bounds is not None:
                ranges[(dataset_id, length_class)] = bounds
    return ranges


def queries_for(
    lookup: CallLookup,
    ranges: StartRanges,
    from_start: int = 0,
    until_start: int | None = None,
) -> list[dict[str, Any]]:
    """The Mongo filters of one lookup: exactly the index shape, one per dataset and class
    range. Calls starting before from_start, or at or after until_start, are left out
    (keyset pagination)."""
    queries = []
    for (dataset_id, length_class), (low, high) in sorted(ranges.items()):
        low = max(low, from_start)
        if until_start is not None:
            high = min(high, until_start)
        if dataset_id in lookup.dataset_ids and low < high:
            queries.append(
                {
                    "dataset_id": dataset_id,
                    "chrom": lookup.chrom,
                    "length_class": length_class,
                    "start": {"$gte": low, "$lt": high},
                }
            )
    return queries


async def index_queries(db: Database, lookup: CallLookup) -> list[dict[str, Any]]:
    """The Mongo filters of one lookup (reading the length-class maxima first)."""
    return queries_for(lookup, class_ranges(lookup, await read_maxima(db, lookup)))


class _Stream:
    """One index range scan, read batch by batch; `frontier` is the start of the last call
    read (later calls of this scan start there or after), infinite once exhausted."""

    def __init__(self, cursor: AsyncCursor[Document], batch_size: int) -> None:
        self.cursor = cursor
        self.batch_size = batch_size
        self.frontier = -_INFINITY

    async def read(self) -> list[Document]:
        batch = await self.cursor.to_list(self.batch_size)
        if len(batch) < self.batch_size:
            self.frontier = _INFINITY
        else:
            self.frontier = batch[-1]["start"]
        return batch


async def _scan_one(
    db: Database,
    lookup: CallLookup,
    projection: dict[str, int],
    from_start: int,
    until_start: int | None,
    batch_size: int,
) -> AsyncGenerator[list[Document], None]:
    ranges = class_ranges(lookup, await read_maxima(db, lookup))
    streams = [
        _Stream(
            db[CALLS].find(query, projection).sort("start", 1).batch_size(batch_size),
            batch_size,
        )
        for query in queries_for(lookup, ranges, from_start, until_start)
    ]
    try:
        async for batch in _merge(streams, lookup.predicate()):
            yield batch
    finally:
        for stream in streams:
            await stream.cursor.close()


async def _merge(streams: list[_Stream], accept: Predicate) -> AsyncGenerator[list[Document], None]:
    pending: list[Document] = []
    while streams:
        stream = min(streams, key=lambda s: s.frontier)
        pending.extend(call for call in await stream.read() if accept(call))
        streams = [s for s in streams if s.frontier != _INFINITY]
        # Every call still unread starts at or after the lowest frontier.
        watermark = min((s.frontier for s in streams), default=_INFINITY)
        if watermark == -_INFINITY:
            continue
        ready = [call for call in pending if call["start"] < watermark]
        if ready:
            pending = [call for call in pending if call["start"] >= watermark]
            ready.sort(key=sort_key)
            yield ready
    if pending:
        pending.sort(key=sort_key)
        yield pending


def lookup_bounds(
    lookups: Sequence[CallLookup], from_start: tuple[int, int], until: tuple[int, int] | None
) -> Iterator[tuple[CallLookup, int, int | None]]:
    """The lookups a (from_start, until) slice of the result touches, each with the starts
    to read in it: [from, until) (until None: to the end). See scan_calls."""
    first, start = from_start
    last, stop = until if until is not None else (len(lookups) - 1, None)
    for index in range(first, min(last + 1, len(lookups))):
        yield lookups[index], start if index == first else 0, stop if index == last else None


async def scan_calls(
    db: Database,
    lookups: Sequence[CallLookup],
    *,
    projection: dict[str, int] | None = None,
    from_start: tuple[int, int] = (0, 0),
    until: tuple[int, int] | None = None,
    batch_size: int = FULL_BATCH,
) -> AsyncGenerator[list[Document], None]:
    """Every call matching the lookups, in batches, ordered by (lookup, start, end, dataset,
    id).

    from_start=(i, s) skips lookups before the i-th and, in it, calls starting before s;
    until=(j, u) stops after the j-th lookup and, in it, before calls starting at u.
    batch_size bounds memory: at most one batch per scanned length class is held.
    """
    for lookup, from_position, until_position in lookup_bounds(lookups, from_start, until):
        async for batch in _scan_one(
            db, lookup, projection or CALL_PROJECTION, from_position, until_position, batch_size
        ):
            yield batch


async def find_calls(
    db: Database, lookup: CallLookup, projection: dict[str, int] | None = None
) -> AsyncIterator[Document]:
    """Every matching call in (start, end, dataset, id) order, streamed."""
    async for batch in scan_calls(db, (lookup,), projection=projection):
        for call in batch:
            yield call


async def call_by_id(db: Database, call_id: str) -> Document | None:
    return await db[CALLS].find_one({"_id": call_id}, CALL_PROJECTION)


async def calls_of_biosample(db: Database, dataset_id: str, biosample_id: str) -> list[Document]:
    """All calls of one biosample (the `biosample` index), in genome order. A biosample
    has hundreds of calls, so they are sorted in memory."""
    calls = await (
        db[CALLS]
        .find({"dataset_id": dataset_id, "biosample_id": biosample_id}, CALL_PROJECTION)
        .to_list(None)
    )
    order = (
        {name: rank for rank, name in enumerate(chromosomes(calls[0]["assembly"]))} if calls else {}
    )
    calls.sort(key=lambda c: (order.get(c["chrom"], len(order)), c["chrom"], *sort_key(c)))
    return calls

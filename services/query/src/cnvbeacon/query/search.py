"""A page of a lookup's result (calls or distinct variants) with its counts.

With current summaries, the counts, where the page starts and the calls themselves come
from them (no store read). Without, one scan of the store both counts everything and keeps
the page.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np

from cnvbeacon.query.calls import FULL_BATCH, CallLookup, scan_calls
from cnvbeacon.query.counts import Counts, Tally, summary_counts
from cnvbeacon.query.summary import (
    DatasetSummary,
    call_starts,
    key_starts,
    select,
    variant_keys,
)
from cnvbeacon.query.summary_calls import summary_calls
from cnvbeacon.query.variants import Variant, VariantGrouper
from cnvbeacon.shared.store.client import Database, Document

_MIN_BATCH: Final = 64


class Grouping(StrEnum):
    CALLS = "calls"
    VARIANTS = "variants"


Item = Document | Variant


@dataclass(frozen=True, slots=True)
class SearchResult:
    items: list[Item]
    counts: Counts
    counted_by: str  # "summary" or "scan"


@dataclass(frozen=True, slots=True)
class PageStart:
    lookup_index: int
    from_start: int  # read calls starting here or after (in that lookup)
    skip: int  # then skip this many items
    until: tuple[int, int] | None  # the page ends before calls starting here (see scan_calls)


def page_start(
    summaries: Mapping[str, DatasetSummary],
    lookups: Sequence[CallLookup],
    skip: int,
    limit: int,
    grouping: Grouping,
) -> PageStart | None:
    """Where items skip .. skip + limit - 1 are, from the summaries; None past the end."""
    for index, lookup in enumerate(lookups):
        selections = select(summaries, lookup)
        if grouping is Grouping.CALLS:
            starts = call_starts(selections)
        else:
            starts = key_starts(variant_keys(selections))
        if skip < len(starts):
            first = int(starts[skip])
            before = int(np.searchsorted(starts, first, side="left"))
            last = skip + limit - 1
            until = (index, int(starts[last]) + 1) if last < len(starts) else None
            return PageStart(index, first, skip - before, until)
        skip -= len(starts)
    return None


async def items(
    db: Database,
    lookups: Sequence[CallLookup],
    grouping: Grouping,
    *,
    from_start: tuple[int, int] = (0, 0),
    until: tuple[int, int] | None = None,
    batch_size: int = FULL_BATCH,
    tally: Tally | None = None,
    summaries: Mapping[str, DatasetSummary] | None = None,
) -> AsyncGenerator[list[Item], None]:
    """The result's items in order, in batches (each call fed to `tally` if given): from
    current summaries if given, else from the store."""
    grouper = VariantGrouper() if grouping is Grouping.VARIANTS else None
    if summaries is not None:
        calls = summary_calls(
            summaries, lookups, from_start=from_start, until=until, batch_size=batch_size
        )
    else:
        calls = scan_calls(db, lookups, from_start=from_start, until=until, batch_size=batch_size)
    async with aclosing(calls) as batches:
        async for batch in batches:
            if tally is not None:
                tally.add(batch)
            if grouper is None:
                yield list(batch)
            else:
                yield list(grouper.feed(batch))
    if grouper is not None:
        yield list(grouper.finish())


async def search(
    db: Database,
    lookups: Sequence[CallLookup],
    summaries: Mapping[str, DatasetSummary] | None,
    grouping: Grouping,
    skip: int,
    limit: int,
) -> SearchResult:
    if summaries is not None:
        counts = summary_counts(summaries, lookups)
        start = page_start(summaries, lookups, skip, limit, grouping) if limit else None
        page: list[Item] = []
        if start is not None:
            size = min(max(start.skip + limit, _MIN_BATCH), FULL_BATCH)
            page = await _slice(
                items(
                    db,
                    lookups,
                    grouping,
                    from_start=(start.lookup_index, start.from_start),
                    until=start.until,
                    batch_size=size,
                    summaries=summaries,
                ),
                start.skip,
                limit,
            )
        return SearchResult(page, counts, "summary")
    tally = Tally()
    found: list[Item] = []
    seen = 0
    async for batch in items(db, lookups, grouping, tally=tally):
        if seen + len(batch) > skip and len(found) < limit:
            found.extend(batch[max(skip - seen, 0) : skip - seen + limit])
        seen += len(batch)
    return SearchResult(found[:limit], tally.counts(), "scan")


async def _slice(stream: AsyncGenerator[list[Item], None], skip: int, limit: int) -> list[Item]:
    found: list[Item] = []
    async with aclosing(stream):
        async for batch in stream:
            if skip >= len(batch):
                skip -= len(batch)
                continue
            found.extend(batch[skip : skip + limit - len(found)])
            skip = 0
            if len(found) >= limit:
                break
    return found

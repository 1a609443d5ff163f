"""A lookup's calls rendered from current summaries: the documents scan_calls would read
from the store, in the same order and batches, without reading the store.

Reading calls is what makes big windows slow on SecantusDB (~20-25k documents/s: a 2 Mb
window of 5,000 calls takes ~250 ms); from the columns it is a few milliseconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any

import numpy as np

from cnvbeacon.query.calls import CallLookup, lookup_bounds
from cnvbeacon.query.summary import (
    CODED_FIELDS,
    FILTER_SEPARATOR,
    FLOAT_FIELDS,
    TEXT_FIELDS,
    DatasetSummary,
    Rows,
    Selection,
    select,
)
from cnvbeacon.query.variants import VARIANT_TYPES
from cnvbeacon.shared.formats import CALL_FIELDS
from cnvbeacon.shared.store.client import Document

# Every stored field a call document has, in the order of the store's projection.
_FIELDS = ("_id", *CALL_FIELDS)
_COMPUTED = frozenset(("dataset_id", "chrom", "start", "end", "length", "variant_type", "is_pass"))
assert set(_FIELDS) == _COMPUTED | set(CODED_FIELDS) | set(FLOAT_FIELDS) | set(TEXT_FIELDS)


def _optional(values: np.ndarray[Any, Any]) -> list[float | None]:
    """NaN stands for a missing value."""
    decoded = values.astype(np.object_)
    decoded[np.isnan(values)] = None
    listed: list[float | None] = decoded.tolist()
    return listed


def _filters(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return text.split(FILTER_SEPARATOR) if text else []


def render(selection: Selection, rows: Rows) -> list[Document]:
    """The call documents of these rows of one selection's columns, in row order."""
    columns = selection.columns
    summary = selection.summary
    values: dict[str, list[Any]] = {
        "start": columns.start[rows].tolist(),
        "end": columns.end[rows].tolist(),
        "length": columns.length[rows].tolist(),
        "variant_type": [VARIANT_TYPES[t] for t in columns.variant_type[rows].tolist()],
        "is_pass": columns.is_pass[rows].tolist(),
    }
    for name in FLOAT_FIELDS:
        values[name] = _optional(getattr(columns, name)[rows])
    for name in CODED_FIELDS:
        values[name] = summary.vocabularies[name].decode(columns.codes[name][rows])
    values["filters"] = [_filters(text) for text in values["filters"]]
    for name in TEXT_FIELDS:
        values[name] = columns.texts[name].values(rows)
    count = len(rows)
    values["dataset_id"] = [summary.dataset_id] * count
    values["chrom"] = [selection.chrom] * count
    columns_in_order = [values[f] for f in _FIELDS]
    return [dict(zip(_FIELDS, row, strict=True)) for row in zip(*columns_in_order, strict=True)]


def _ordered(
    selections: Sequence[Selection], from_start: int, until_start: int | None
) -> tuple[Rows, Rows]:
    """(selection index, row) of every selected call starting in [from_start, until_start),
    in (start, end, dataset_id, id) order: the order of scan_calls."""
    which, rows, starts, ends = [], [], [], []
    ranked = sorted(range(len(selections)), key=lambda i: selections[i].summary.dataset_id)
    for rank, index in enumerate(ranked):
        selection = selections[index]
        chosen = selection.rows
        start = selection.columns.start[chosen]
        keep = start >= from_start
        if until_start is not None:
            keep &= start < until_start
        chosen = chosen[keep]
        which.append(np.full(len(chosen), rank, dtype=np.intp))
        rows.append(chosen)
        starts.append(start[keep])
        ends.append(selection.columns.end[chosen])
    if not rows:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty
    which_all, rows_all = np.concatenate(which), np.concatenate(rows)
    # Within one dataset, rows are in (start, end, id) order already.
    order = np.lexsort((rows_all, which_all, np.concatenate(ends), np.concatenate(starts)))
    ranks_to_index = np.array(ranked, dtype=np.intp)
    return ranks_to_index[which_all[order]], rows_all[order]


async def summary_calls(
    summaries: Mapping[str, DatasetSummary],
    lookups: Sequence[CallLookup],
    *,
    from_start: tuple[int, int] = (0, 0),
    until: tuple[int, int] | None = None,
    batch_size: int,
) -> AsyncGenerator[list[Document], None]:
    """Every call matching the lookups, in batches, as scan_calls yields them (same
    arguments, same documents, same order)."""
    for lookup, from_position, until_position in lookup_bounds(lookups, from_start, until):
        selections = select(summaries, lookup)
        which, rows = _ordered(selections, from_position, until_position)
        for begin in range(0, len(rows), batch_size):
            part = slice(begin, begin + batch_size)
            part_which, part_rows = which[part], rows[part]
            batch: list[Document | None] = [None] * len(part_rows)
            for selection_index in np.unique(part_which).tolist():
                positions = np.flatnonzero(part_which == selection_index)
                documents = render(selections[selection_index], part_rows[positions])
                for position, document in zip(positions.tolist(), documents, strict=True):
                    batch[position] = document
            yield [document for document in batch if document is not None]
            await asyncio.sleep(0)  # a genome-wide export must not hold the event loop

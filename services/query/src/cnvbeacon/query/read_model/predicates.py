"""The one evaluation of a lookup: a CallQuery as a parameterised SQL condition on `calls`.

Values only ever travel as parameters; the SQL text is built from fixed fragments.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.lookup import CallQuery
from cnvbeacon.query.windows import Match, Window

Condition = tuple[str, list[Any]]


def _among(column: str, values: Collection[Any]) -> Condition:
    if not values:
        return "FALSE", []
    return f"{column} IN ({', '.join('?' * len(values))})", sorted(values)


def window_condition(window: Window) -> Condition:
    """Window.accepts, as SQL (0-based half-open coordinates)."""
    match window.match:
        case Match.OVERLAP:
            if window.start == window.end:
                # A zero-length window overlaps calls that strictly contain the position.
                return 'start < ? AND "end" > ?', [window.start, window.start]
            return 'start < ? AND "end" > ?', [window.end, window.start]
        case Match.CONTAINED:
            return 'start >= ? AND "end" <= ?', [window.start, window.end]
        case Match.SPANNING:
            return 'start <= ? AND "end" >= ?', [window.start, window.end]
        case Match.BRACKET:
            return (
                'start >= ? AND start < ? AND "end" >= ? AND "end" < ?',
                [window.start, window.start_max, window.end_min, window.end],
            )
        case Match.EXACT:
            return 'start = ? AND "end" = ?', [window.start, window.end]


def call_condition(query: CallQuery) -> Condition:
    """The condition on `calls` rows (unqualified column names) matching the query."""
    parts: list[Condition] = [_among("dataset_id", query.dataset_ids)]
    parts.append(_among("chrom", query.chroms))
    if query.window is not None:
        parts.append(window_condition(query.window))
    filters = query.filters
    if filters.efo_ids is not None:
        parts.append(_among("efo_id", filters.efo_ids))
    if filters.min_length is not None:
        parts.append(("length >= ?", [filters.min_length]))
    if filters.max_length is not None:
        parts.append(("length <= ?", [filters.max_length]))
    # A call without a copy number fails both bounds (NULL compares to nothing).
    if filters.min_copy_number is not None:
        parts.append(("copy_number >= ?", [filters.min_copy_number]))
    if filters.max_copy_number is not None:
        parts.append(("copy_number <= ?", [filters.max_copy_number]))
    if filters.pass_only:
        parts.append(("is_pass", []))
    attributes = [
        _among(name, allowed) for name, allowed in filters.attribute_sets() if allowed is not None
    ]
    if attributes:
        where = " AND ".join(f"({sql})" for sql, _ in attributes)
        parts.append(
            (
                f"sample_no IN (SELECT sample_no FROM samples WHERE {where})",
                [value for _, values in attributes for value in values],
            )
        )
    return " AND ".join(f"({sql})" for sql, _ in parts), [v for _, values in parts for v in values]


def individual_condition(dataset_ids: Collection[str], filters: CallFilters) -> Condition:
    """The condition on `individuals` rows: registered in these datasets, with the
    attributes the filters allow (an individual matches a biosample filter by any of its
    biosamples)."""
    parts: list[Condition] = [_among("dataset_id", dataset_ids)]
    for name, allowed in filters.attribute_sets():
        if allowed is None:
            continue
        if name == "biosample_id":
            parts.append(("list_has_any(biosample_ids, ?::VARCHAR[])", [sorted(allowed)]))
        else:
            parts.append(_among(name, allowed))
    return " AND ".join(f"({sql})" for sql, _ in parts), [v for _, values in parts for v in values]

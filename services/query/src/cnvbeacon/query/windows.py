"""Index-friendly search windows for interval lookups.

Every lookup kind (overlap, containment, spanning, bracket, exact) becomes one index
range scan per (dataset, length class): {dataset_id, chrom, length_class, start: [lo, hi)}.
The remaining conditions on `end` are checked on the scanned candidates, because a
second range predicate makes SecantusDB scan the whole collection.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from cnvbeacon.shared.intervals import MAX_LENGTH_CLASS

Positions = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


class Match(StrEnum):
    OVERLAP = "overlap"  # call ∩ [start, end) is not empty
    CONTAINED = "contained"  # call inside [start, end)
    SPANNING = "spanning"  # call covers all of [start, end)
    BRACKET = "bracket"  # call.start in [start, start_max), call.end in [end_min, end)
    EXACT = "exact"  # call.start == start and call.end == end


@dataclass(frozen=True, slots=True)
class Window:
    """A lookup on one chromosome; all coordinates 0-based half-open."""

    match: Match
    start: int
    end: int
    # Bracket only: start in [start, start_max), end in [end_min, end).
    start_max: int | None = None
    end_min: int | None = None

    def start_range(self, max_length: int) -> tuple[int, int] | None:
        """[lo, hi) of call starts to scan in a length class whose longest call is max_length;
        None when no call of that class can match."""
        match self.match:
            case Match.OVERLAP:
                # Zero-length windows overlap calls that strictly contain the position.
                lo, hi = self.start - max_length + 1, max(self.end, self.start + 1)
            case Match.CONTAINED:
                lo, hi = self.start, self.end
            case Match.SPANNING:
                lo, hi = self.end - max_length, self.start + 1
            case Match.BRACKET:
                assert self.start_max is not None
                lo, hi = self.start, self.start_max
            case Match.EXACT:
                lo, hi = self.start, self.start + 1
        lo = max(lo, 0)
        return (lo, hi) if lo < hi else None

    def accepts(self, start: int, end: int) -> bool:
        """The exact condition, checked on every scanned candidate."""
        match self.match:
            case Match.OVERLAP:
                if self.start == self.end:
                    return start < self.start < end
                return start < self.end and end > self.start
            case Match.CONTAINED:
                return start >= self.start and end <= self.end
            case Match.SPANNING:
                return start <= self.start and end >= self.end
            case Match.BRACKET:
                assert self.start_max is not None
                assert self.end_min is not None
                return self.start <= start < self.start_max and self.end_min <= end < self.end
            case Match.EXACT:
                return start == self.start and end == self.end

    def accepts_arrays(self, starts: Positions, ends: Positions) -> Mask:
        """`accepts` for columns of calls at once (the count summaries use it)."""
        return self._mask(starts, ends)

    def _mask(self, starts: Positions, ends: Positions) -> Mask:
        match self.match:
            case Match.OVERLAP:
                if self.start == self.end:
                    return (starts < self.start) & (ends > self.start)
                return (starts < self.end) & (ends > self.start)
            case Match.CONTAINED:
                return (starts >= self.start) & (ends <= self.end)
            case Match.SPANNING:
                return (starts <= self.start) & (ends >= self.end)
            case Match.BRACKET:
                assert self.start_max is not None
                assert self.end_min is not None
                return (
                    (starts >= self.start)
                    & (starts < self.start_max)
                    & (ends >= self.end_min)
                    & (ends < self.end)
                )
            case Match.EXACT:
                return np.equal(starts, self.start) & np.equal(ends, self.end)


def whole_chromosome(length: int) -> Window:
    """Every call of a chromosome: calls never start before 0 nor reach past its end."""
    return Window(Match.OVERLAP, 0, length)


def classes_to_scan(
    maxima: dict[int, int], min_length: int | None = None, max_length: int | None = None
) -> list[tuple[int, int]]:
    """(length class, its longest call) for classes that can hold calls in the length range."""
    selected = []
    for length_class in range(MAX_LENGTH_CLASS + 1):
        longest = maxima.get(length_class)
        if longest is None:
            continue
        shortest_possible = 10**length_class
        if max_length is not None and shortest_possible > max_length:
            continue
        if min_length is not None and longest < min_length:
            continue
        selected.append((length_class, longest))
    return selected

"""Search windows of interval lookups: overlap, containment, spanning, bracket, exact.

The read model evaluates them as SQL (read_model/predicates.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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

"""Interval conventions shared by ingest and query.

Coordinates are 0-based half-open, as in VRS and Beacon v2. Each call carries a
*length class*, floor(log10(length)), so that an overlap query can be answered by one
index range scan per class: a call of class c overlapping [S, E) must start in
[S - max_length(c), E), and max_length(c) < 10**(c+1).
"""

from __future__ import annotations

MAX_LENGTH_CLASS = 9


def length_class(length: int) -> int:
    """floor(log10(length)) for length >= 1, capped at MAX_LENGTH_CLASS."""
    if length < 1:
        raise ValueError(f"length must be >= 1, got {length}")
    return min(len(str(length)) - 1, MAX_LENGTH_CLASS)

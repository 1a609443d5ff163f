"""The index windows never miss a call: property test against brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from cnvbeacon.query.windows import Match, Window, classes_to_scan
from cnvbeacon.shared.intervals import length_class

coordinates = st.integers(min_value=0, max_value=3_000_000)
lengths = st.integers(min_value=1, max_value=20_000_000)


def brute_force(match: Match, window: Window, start: int, end: int) -> bool:
    if match is Match.OVERLAP:
        if window.start == window.end:
            return start < window.start < end
        return max(start, window.start) < min(end, window.end)
    if match is Match.CONTAINED:
        return window.start <= start and end <= window.end
    if match is Match.SPANNING:
        return start <= window.start and window.end <= end
    if match is Match.EXACT:
        return (start, end) == (window.start, window.end)
    assert window.start_max is not None
    assert window.end_min is not None
    return window.start <= start < window.start_max and window.end_min <= end < window.end


@given(
    match=st.sampled_from([m for m in Match if m is not Match.BRACKET]),
    call_start=coordinates,
    call_length=lengths,
    window_start=coordinates,
    window_length=st.integers(min_value=0, max_value=5_000_000),
    longest_extra=st.integers(min_value=0, max_value=10_000_000),
)
def test_scan_range_contains_every_matching_call(
    match: Match,
    call_start: int,
    call_length: int,
    window_start: int,
    window_length: int,
    longest_extra: int,
) -> None:
    window = Window(match, window_start, window_start + window_length)
    call_end = call_start + call_length
    cls = length_class(call_length)
    longest = min(call_length + longest_extra, 10 ** (cls + 1) - 1)
    expected = brute_force(match, window, call_start, call_end)
    assert window.accepts(call_start, call_end) == expected
    if expected:
        bounds = window.start_range(longest)
        assert bounds is not None
        assert bounds[0] <= call_start < bounds[1]


@given(
    call_start=coordinates,
    call_length=lengths,
    s0=coordinates,
    d_start=st.integers(1, 10**6),
    e0=coordinates,
    d_end=st.integers(1, 10**6),
)
def test_bracket_scan_range(
    call_start: int, call_length: int, s0: int, d_start: int, e0: int, d_end: int
) -> None:
    window = Window(Match.BRACKET, s0, e0 + d_end, start_max=s0 + d_start, end_min=e0)
    call_end = call_start + call_length
    expected = brute_force(Match.BRACKET, window, call_start, call_end)
    assert window.accepts(call_start, call_end) == expected
    if expected:
        bounds = window.start_range(call_length)
        assert bounds is not None
        assert bounds[0] <= call_start < bounds[1]


def test_classes_to_scan_skips_classes_outside_the_length_filter() -> None:
    maxima = {2: 999, 3: 5000, 5: 400_000}
    assert classes_to_scan(maxima) == [(2, 999), (3, 5000), (5, 400_000)]
    assert classes_to_scan(maxima, min_length=1000) == [(3, 5000), (5, 400_000)]
    assert classes_to_scan(maxima, max_length=9999) == [(2, 999), (3, 5000)]
    assert classes_to_scan(maxima, min_length=6000, max_length=50_000) == []


@given(
    match=st.sampled_from(list(Match)),
    calls=st.lists(st.tuples(coordinates, lengths), min_size=1, max_size=30),
    window_start=coordinates,
    window_length=st.integers(min_value=0, max_value=5_000_000),
    bracket=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
)
def test_column_predicate_equals_the_per_call_one(
    match: Match,
    calls: list[tuple[int, int]],
    window_start: int,
    window_length: int,
    bracket: tuple[int, int],
) -> None:
    end = window_start + window_length
    if match is Match.BRACKET:
        window = Window(
            match,
            window_start,
            end,
            start_max=min(window_start + bracket[0], end),
            end_min=min(window_start + bracket[1], end),
        )
    else:
        window = Window(match, window_start, end)
    starts = np.array([s for s, _ in calls], dtype=np.int64)
    ends = np.array([s + n for s, n in calls], dtype=np.int64)
    expected = [window.accepts(s, s + n) for s, n in calls]
    assert window.accepts_arrays(starts, ends).tolist() == expected

"""The SQL window conditions equal the definition of each match kind (brute force)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnvbeacon.query.read_model.predicates import window_condition
from cnvbeacon.query.windows import Match, Window

coordinates = st.integers(min_value=0, max_value=3_000_000)
lengths = st.integers(min_value=1, max_value=20_000_000)


def brute_force(window: Window, start: int, end: int) -> bool:
    if window.match is Match.OVERLAP:
        if window.start == window.end:
            return start < window.start < end
        return max(start, window.start) < min(end, window.end)
    if window.match is Match.CONTAINED:
        return window.start <= start and end <= window.end
    if window.match is Match.SPANNING:
        return start <= window.start and window.end <= end
    if window.match is Match.EXACT:
        return (start, end) == (window.start, window.end)
    assert window.start_max is not None
    assert window.end_min is not None
    return window.start <= start < window.start_max and window.end_min <= end < window.end


@pytest.fixture(scope="module")
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE TABLE calls (start BIGINT, "end" BIGINT)')
    yield con
    con.close()


@given(
    match=st.sampled_from(list(Match)),
    calls=st.lists(st.tuples(coordinates, lengths), min_size=1, max_size=30),
    window_start=coordinates,
    window_length=st.integers(min_value=0, max_value=5_000_000),
    bracket=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
)
def test_window_condition_equals_brute_force(
    connection: duckdb.DuckDBPyConnection,
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
    rows = [(s, s + n) for s, n in calls]
    cursor = connection.cursor()
    try:
        cursor.execute("BEGIN TRANSACTION")
        cursor.execute("DELETE FROM calls")
        cursor.executemany("INSERT INTO calls VALUES (?, ?)", rows)
        sql, params = window_condition(window)
        found = cursor.execute(
            f'SELECT start, "end" FROM calls WHERE {sql} ORDER BY start, "end"', params
        ).fetchall()
        cursor.execute("ROLLBACK")
    finally:
        cursor.close()
    assert found == sorted(r for r in rows if brute_force(window, *r))

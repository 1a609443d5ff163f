"""Jobs applied to the read model keep `shared` sound (every call whose variant key another
call has is shared), so distinct-variant counts equal brute force after any sequence of
jobs, including jobs that replace a biosample's calls; `samples` stays the biosamples with
calls."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cnvbeacon.query.lookup import CallQuery
from cnvbeacon.query.read_model import reads, writes
from cnvbeacon.query.read_model.database import Connection, ReadModelDatabase

# A few positions and types, so that keys repeat across biosamples and within one.
keys = st.tuples(
    st.sampled_from(["1", "2"]),
    st.sampled_from([100, 200, 300]),
    st.sampled_from([150, 400]),
    st.sampled_from(["DEL", "DUP"]),
)
jobs = st.lists(
    st.tuples(st.sampled_from(["A", "B", "C"]), st.lists(keys, max_size=6)), min_size=1, max_size=6
)


def incoming(biosample: str, job: int, calls: list[tuple[str, int, int, str]]) -> pa.Table:
    rows: list[dict[str, Any]] = [
        {
            "id": f"d:{biosample}:{job}:{index}",
            "dataset_id": "d",
            "assembly": "GRCh38",
            "chrom": chrom,
            "start": start,
            "end": end,
            "length": end - start,
            "variant_type": variant_type,
            "biosample_id": biosample,
            "individual_id": biosample,
            "chrom_rank": int(chrom) - 1,
        }
        for index, (chrom, start, end, variant_type) in enumerate(calls)
    ]
    return pa.Table.from_pylist(rows, schema=writes.INCOMING_SCHEMA)


def unsound_calls(con: Connection) -> int:
    """Calls not marked shared although another call has their key."""
    row = con.execute(
        """
        SELECT count(*) FROM calls c
        WHERE NOT shared AND (SELECT count(*) FROM calls o WHERE
            (o.chrom, o.start, o."end", o.variant_type)
            = (c.chrom, c.start, c."end", c.variant_type)) > 1
        """
    ).fetchone()
    assert row is not None
    return int(row[0])


async def apply_jobs(
    directory: Path, sequence: list[tuple[str, list[tuple[str, int, int, str]]]]
) -> None:
    database = ReadModelDatabase(
        directory, source="test", memory_limit="256MB", threads=1, readers=1
    )
    database.open()
    try:
        held: dict[str, list[tuple[str, int, int, str]]] = {}
        for number, (biosample, calls) in enumerate(sequence):
            table = incoming(biosample, number, calls)
            await database.write(
                lambda c, b=biosample, t=table: writes.replace_calls(c, "d", [b], t)
            )
            held[biosample] = calls
            everything = [key for calls_ in held.values() for key in calls_]
            counts = await database.read(lambda c: reads.counts(c, CallQuery(("d",), ("1", "2"))))
            assert (counts.calls, counts.variants) == (len(everything), len(set(everything)))
            assert await database.read(unsound_calls) == 0
            # `samples` holds the biosamples with data: those with calls.
            samples = await database.read(
                lambda c: {r[0] for r in c.execute("SELECT biosample_id FROM samples").fetchall()}
            )
            assert samples == {b for b, calls_ in held.items() if calls_}
    finally:
        database.close()


@settings(max_examples=40, deadline=None)
@given(jobs)
def test_shared_marks_and_variant_counts_follow_every_job(
    sequence: list[tuple[str, list[tuple[str, int, int, str]]]],
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        asyncio.run(apply_jobs(Path(directory), sequence))

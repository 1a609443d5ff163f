"""Changing the read model (blocking: each function runs as one transaction of the
writer, via ReadModelDatabase.write).

Incoming calls arrive as an Arrow table of INCOMING_SCHEMA: the stored call fields, the
individual attributes they carry, and the chromosome's rank. Registered individuals
arrive as rows of INDIVIDUAL_COLUMNS.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Final

import pyarrow as pa

from cnvbeacon.query.datasets import DatasetInfo
from cnvbeacon.query.read_model.database import Connection
from cnvbeacon.query.read_model.schema import (
    CALL_COLUMNS,
    CALL_TYPES,
    INDIVIDUAL_COLUMNS,
    INDIVIDUAL_TYPES,
    SAMPLE_ATTRIBUTES,
    SAMPLE_TYPES,
    VARIANT_KEY,
    quoted,
)

_ARROW_TYPES: Final = {
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "VARCHAR[]": pa.list_(pa.string()),
    "SMALLINT": pa.int16(),
}
INCOMING_SCHEMA: Final = pa.schema(
    [
        *((name, _ARROW_TYPES[type_]) for name, type_ in CALL_TYPES.items()),
        *((name, _ARROW_TYPES[SAMPLE_TYPES[name]]) for name in SAMPLE_ATTRIBUTES),
        ("chrom_rank", pa.int16()),
    ]
)
INDIVIDUALS_SCHEMA: Final = pa.schema(
    [(name, _ARROW_TYPES[type_]) for name, type_ in INDIVIDUAL_TYPES.items()]
)
_KEY: Final = ", ".join(quoted(c) for c in VARIANT_KEY)
_KEY_OF_I: Final = ", ".join(f"i.{quoted(c)}" for c in VARIANT_KEY)
_ATTRIBUTES: Final = ", ".join(quoted(a) for a in SAMPLE_ATTRIBUTES)
_SAMPLE_MATCH: Final = "s.dataset_id = i.dataset_id AND s.biosample_id = i.biosample_id"


def empty_incoming() -> pa.Table:
    return INCOMING_SCHEMA.empty_table()


def replace_calls(
    con: Connection,
    dataset_id: str,
    biosample_ids: Collection[str] | None,
    incoming: pa.Table,
) -> int:
    """The calls of these biosamples of the dataset (None: all of them) become `incoming`:
    their previous calls go, the new ones come, in this transaction. Returns the number of
    calls inserted."""
    con.register("incoming", incoming)
    try:
        _add_samples(con)
        if biosample_ids is None:
            con.execute("DELETE FROM calls WHERE dataset_id = ?", [dataset_id])
        else:
            con.execute(
                """
                DELETE FROM calls WHERE sample_no IN (
                    SELECT sample_no FROM samples
                    WHERE dataset_id = ? AND list_contains(?::VARCHAR[], biosample_id))
                """,
                [dataset_id, sorted(biosample_ids)],
            )
        # Held calls sharing a variant key with an incoming call (one scan of `calls`):
        # both sides of each such key become shared. Row ids stay valid between the two
        # statements: nothing else writes in this transaction meanwhile.
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE held_keys AS
            SELECT {_KEY}, list(rowid) FILTER (WHERE NOT shared) AS unshared FROM calls
            WHERE ({_KEY}) IN (SELECT ({_KEY}) FROM incoming)
            GROUP BY ALL
            """
        )
        con.execute(
            """
            UPDATE calls SET shared = true
            WHERE rowid IN (SELECT unnest(unshared) FROM held_keys)
            """
        )
        columns = ", ".join(quoted(c) for c in CALL_COLUMNS)
        values = ", ".join(f"i.{quoted(c)}" for c in CALL_COLUMNS)
        con.execute(
            f"""
            INSERT INTO calls ({columns}, sample_no, chrom_rank, shared)
            SELECT {values}, s.sample_no, i.chrom_rank,
                count(*) OVER (PARTITION BY {_KEY_OF_I}) > 1
                OR ({_KEY_OF_I}) IN (SELECT ({_KEY}) FROM held_keys)
            FROM incoming i JOIN samples s ON {_SAMPLE_MATCH}
            ORDER BY i.chrom, i.start
            """
        )
        con.execute("DROP TABLE held_keys")
        _remove_samples_without_calls(con, dataset_id, biosample_ids, incoming)
    finally:
        con.unregister("incoming")
    return int(incoming.num_rows)


def _remove_samples_without_calls(
    con: Connection, dataset_id: str, biosample_ids: Collection[str] | None, incoming: pa.Table
) -> None:
    """`samples` holds the biosamples with data: one whose new calls are none leaves it."""
    if biosample_ids is None:
        con.execute(
            "DELETE FROM samples WHERE dataset_id = ? "
            "AND biosample_id NOT IN (SELECT biosample_id FROM incoming)",
            [dataset_id],
        )
        return
    without = set(biosample_ids) - set(incoming.column("biosample_id").to_pylist())
    if without:
        con.execute(
            "DELETE FROM samples WHERE dataset_id = ? "
            "AND list_contains(?::VARCHAR[], biosample_id)",
            [dataset_id, sorted(without)],
        )


def _add_samples(con: Connection) -> None:
    """A samples row for every biosample of the incoming calls, with the attributes the
    calls carry (the store keeps a biosample's calls and its registered individual equal)."""
    attributes = ", ".join(f"any_value(i.{quoted(a)}) AS {quoted(a)}" for a in SAMPLE_ATTRIBUTES)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE incoming_samples AS
        SELECT i.dataset_id, i.biosample_id, {attributes} FROM incoming i GROUP BY ALL
        """
    )
    assignments = ", ".join(f"{quoted(a)} = i.{quoted(a)}" for a in SAMPLE_ATTRIBUTES)
    con.execute(f"UPDATE samples s SET {assignments} FROM incoming_samples i WHERE {_SAMPLE_MATCH}")
    con.execute(
        f"""
        INSERT INTO samples (sample_no, dataset_id, biosample_id, {_ATTRIBUTES})
        SELECT nextval('sample_numbers'), i.dataset_id, i.biosample_id, {_ATTRIBUTES}
        FROM incoming_samples i
        WHERE NOT EXISTS (SELECT 1 FROM samples s WHERE {_SAMPLE_MATCH})
        """
    )
    con.execute("DROP TABLE incoming_samples")


def set_attributes(
    con: Connection, dataset_id: str, attributes: Mapping[str, Mapping[str, Any]]
) -> None:
    """New individual attributes of biosamples (biosample id -> SAMPLE_ATTRIBUTES values);
    biosamples without calls here are left out."""
    if not attributes:
        return
    rows = pa.table(
        {
            "biosample_id": list(attributes),
            **{
                name: pa.array(
                    [values.get(name) for values in attributes.values()],
                    _ARROW_TYPES[SAMPLE_TYPES[name]],
                )
                for name in SAMPLE_ATTRIBUTES
            },
        }
    )
    con.register("registered", rows)
    try:
        assignments = ", ".join(f"{quoted(a)} = r.{quoted(a)}" for a in SAMPLE_ATTRIBUTES)
        con.execute(
            f"""
            UPDATE samples s SET {assignments} FROM registered r
            WHERE s.dataset_id = ? AND s.biosample_id = r.biosample_id
            """,
            [dataset_id],
        )
    finally:
        con.unregister("registered")


def replace_individuals(
    con: Connection,
    dataset_id: str,
    individual_ids: Collection[str] | None,
    individuals: Sequence[Mapping[str, Any]],
) -> None:
    """The registered individuals of the dataset with these ids (None: all of them) become
    `individuals` (rows of INDIVIDUAL_COLUMNS)."""
    rows = pa.Table.from_pylist(list(individuals), schema=INDIVIDUALS_SCHEMA)
    if individual_ids is None:
        con.execute("DELETE FROM individuals WHERE dataset_id = ?", [dataset_id])
    else:
        con.execute(
            "DELETE FROM individuals WHERE dataset_id = ? "
            "AND list_contains(?::VARCHAR[], individual_id)",
            [dataset_id, sorted(individual_ids)],
        )
    con.register("registered", rows)
    try:
        columns = ", ".join(quoted(c) for c in INDIVIDUAL_COLUMNS)
        con.execute(f"INSERT INTO individuals ({columns}) SELECT {columns} FROM registered")
    finally:
        con.unregister("registered")


def set_dataset(
    con: Connection, dataset_id: str, assembly: str, data_version: int, document: Mapping[str, Any]
) -> None:
    """Record the version held and the dataset's own fields (JSON values)."""
    con.execute(
        "INSERT OR REPLACE INTO datasets VALUES (?, ?, ?, ?)",
        [dataset_id, assembly, data_version, json.dumps(document)],
    )


def remove_dataset(con: Connection, dataset_id: str) -> None:
    con.execute("DELETE FROM individuals WHERE dataset_id = ?", [dataset_id])
    con.execute("DELETE FROM calls WHERE dataset_id = ?", [dataset_id])
    con.execute("DELETE FROM samples WHERE dataset_id = ?", [dataset_id])
    con.execute("DELETE FROM datasets WHERE dataset_id = ?", [dataset_id])


def sort_calls(con: Connection) -> int:
    """Rewrite `calls` sorted by (chrom, start), so that range conditions skip whole row
    groups by their min/max (appended calls are scanned until the next sort). Returns the
    number of calls."""
    con.execute("CREATE TABLE calls_sorted AS SELECT * FROM calls ORDER BY chrom, start")
    con.execute("DROP TABLE calls")
    con.execute("ALTER TABLE calls_sorted RENAME TO calls")
    row = con.execute("SELECT count(*) FROM calls").fetchone()
    assert row is not None
    return int(row[0])


def held_datasets(con: Connection) -> dict[str, DatasetInfo]:
    """The datasets held, by id."""
    rows = con.execute(
        "SELECT dataset_id, assembly, data_version, document FROM datasets ORDER BY dataset_id"
    ).fetchall()
    return {row[0]: DatasetInfo(row[0], row[1], int(row[2]), json.loads(row[3])) for row in rows}

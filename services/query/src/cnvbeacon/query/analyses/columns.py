"""Tables of named numpy columns, and their encoding as BSON-ready values.

Numeric columns travel as raw little-endian bytes with dtype and shape (decoding a stored
table is then a memory copy, not a per-element parse), text columns as lists of strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
from bson.binary import Binary

Column = npt.NDArray[Any]
Table = dict[str, Column]


def row_count(table: Mapping[str, Column]) -> int:
    return len(next(iter(table.values()))) if table else 0


def take(table: Mapping[str, Column], rows: npt.NDArray[np.intp] | slice) -> Table:
    return {name: column[rows] for name, column in table.items()}


def concatenate(tables: list[Table]) -> Table:
    if not tables:
        return {}
    return {name: np.concatenate([t[name] for t in tables]) for name in tables[0]}


def encode_column(column: Column) -> Any:
    if column.dtype.kind in "OUS":
        return [str(value) for value in column.tolist()]
    little_endian = column.astype(column.dtype.newbyteorder("<"), copy=False)
    return {
        "dtype": little_endian.dtype.str,
        "shape": list(column.shape),
        "data": Binary(np.ascontiguousarray(little_endian).tobytes()),
    }


def decode_column(value: Any) -> Column:
    if isinstance(value, list):
        return np.array(value, dtype=object)
    data = np.frombuffer(bytes(value["data"]), dtype=np.dtype(value["dtype"]))
    return data.reshape(value["shape"]).copy()


def row_bytes(table: Mapping[str, Column]) -> int:
    """Approximate stored bytes per row, for chunking tables into documents."""
    rows = max(row_count(table), 1)
    total = 0
    for column in table.values():
        if column.dtype.kind in "OUS":
            total += sum(len(str(v)) + 8 for v in column.tolist()) // rows + 1
        else:
            total += column.itemsize * int(np.prod(column.shape[1:], dtype=np.int64))
    return max(total, 1)

"""Every read of the calls, as SQL on the read model (blocking: run via ReadModelDatabase).

Results are ordered as the API documents: by (chromosome in karyotype order, start, end,
dataset, call id); distinct variants by (chromosome, start, end, variant type).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from cnvbeacon.query.carriers import Carrier
from cnvbeacon.query.counts import Counts
from cnvbeacon.query.lookup import CallQuery
from cnvbeacon.query.read_model.database import Connection
from cnvbeacon.query.read_model.predicates import call_condition
from cnvbeacon.query.read_model.schema import CALL_TYPES, SAMPLE_ATTRIBUTES, SAMPLE_TYPES, quoted
from cnvbeacon.query.variants import (
    VARIANT_KEY_FIELDS,
    VARIANT_TYPES,
    Variant,
    VariantGrouper,
    variant_id_sql,
)
from cnvbeacon.query.views import CARRIER_CALL_FIELDS
from cnvbeacon.shared.formats import CALL_FIELDS
from cnvbeacon.shared.store.client import Document

CALL_ORDER: Final = 'c.chrom_rank, c.start, c."end", c.dataset_id, c.id'
_TYPE_RANK: Final = (
    "CASE variant_type "
    + " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(VARIANT_TYPES))
    + " END"
)
CALLS_FILE: Final = "calls.parquet"
SAMPLES_FILE: Final = "samples.parquet"
# A document's fields in the store's order: `_id`, then CALL_FIELDS.
DOCUMENT_FIELDS: Final = ("_id", *CALL_FIELDS)


def _select_list(fields: Sequence[str]) -> str:
    """Columns of `c` (calls) and `s` (samples) giving these document fields."""
    columns = []
    for name in fields:
        if name == "_id":
            columns.append("c.id")
        elif name in SAMPLE_ATTRIBUTES:
            columns.append(f"s.{quoted(name)}")
        else:
            columns.append(f"c.{quoted(name)}")
    return ", ".join(columns)


def _documents(rows: list[tuple[Any, ...]], fields: Sequence[str]) -> list[Document]:
    return [dict(zip(fields, row, strict=True)) for row in rows]


def _matching(query: CallQuery, columns: str = "*") -> tuple[str, list[Any]]:
    where, params = call_condition(query)
    return f"(SELECT {columns} FROM calls WHERE {where})", params


# What counting needs of each matching call (materialised once: the fewer, the cheaper).
_COUNTED_COLUMNS: Final = 'sample_no, shared, chrom, start, "end", variant_type'


def counts(con: Connection, query: CallQuery) -> Counts:
    # Distinct rows by plain columns, not count(DISTINCT (struct)): a struct's hashing
    # costs several times as much.
    matching, params = _matching(query, _COUNTED_COLUMNS)
    row = con.execute(
        f"""
        WITH m AS MATERIALIZED {matching},
            carriers AS MATERIALIZED (SELECT DISTINCT sample_no FROM m)
        SELECT
            (SELECT count(*) FROM m),
            (SELECT count(*) FROM m WHERE NOT shared)
                + (SELECT count(*) FROM
                    (SELECT DISTINCT chrom, start, "end", variant_type FROM m WHERE shared)),
            (SELECT count(*) FROM carriers),
            (SELECT count(DISTINCT (dataset_id, individual_id))
             FROM carriers JOIN samples USING (sample_no))
        """,
        params,
    ).fetchone()
    assert row is not None
    return Counts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def calls_page(
    con: Connection,
    query: CallQuery,
    skip: int,
    limit: int,
    fields: Sequence[str] = DOCUMENT_FIELDS,
) -> list[Document]:
    if limit <= 0:
        return []
    matching, params = _matching(query)
    rows = con.execute(
        f"""
        SELECT {_select_list(fields)} FROM {matching} c JOIN samples s USING (sample_no)
        ORDER BY {CALL_ORDER} LIMIT ? OFFSET ?
        """,
        [*params, limit, skip],
    ).fetchall()
    return _documents(rows, fields)


def _json_value(name: str, column: str) -> str:
    """A column as DuckDB writes it into JSON: a double that is not finite as null (as the
    API's JSON encoder writes it; JSON has no NaN)."""
    field_type = (SAMPLE_TYPES if name in SAMPLE_ATTRIBUTES else CALL_TYPES).get(name)
    return f"if(isfinite({column}), {column}, NULL)" if field_type == "DOUBLE" else column


def calls_page_json(
    con: Connection, query: CallQuery, skip: int, limit: int, fields: Sequence[str]
) -> bytes:
    """calls_page's calls as one JSON array of call views (`_id` named `id`), written by
    DuckDB: no Python object per value."""
    if limit <= 0:
        return b"[]"
    matching, params = _matching(query)
    pack = ", ".join(
        f"{quoted('id' if name == '_id' else name)} := {_json_value(name, column)}"
        for name, column in zip(fields, _select_list(fields).split(", "), strict=True)
    )
    row = con.execute(
        f"""
        SELECT to_json(coalesce(list(call ORDER BY rank, start, "end", dataset_id, id), []))
        FROM (
            SELECT struct_pack({pack}) AS call, c.chrom_rank AS rank, c.start, c."end",
                   c.dataset_id, c.id
            FROM {matching} c JOIN samples s USING (sample_no)
            ORDER BY {CALL_ORDER} LIMIT ? OFFSET ?
        )
        """,
        [*params, limit, skip],
    ).fetchone()
    assert row is not None
    return str(row[0]).encode()


def _variant_order(prefix: str = "") -> tuple[str, ...]:
    """The columns (of table alias `prefix`) that order distinct variants."""
    return (
        f"{prefix}chrom_rank",
        f"{prefix}start",
        f'{prefix}"end"',
        _TYPE_RANK.replace("variant_type", f"{prefix}variant_type"),
    )


def _page_bounds(
    con: Connection, query: CallQuery, skip: int, limit: int
) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """The order keys (chrom_rank, start, end, type rank) of the first and the last of
    variants skip .. skip + limit - 1 (None: no variant there).

    Calls are read in variant order, as many as needed: variants are counted from the
    first calls until the page's last variant is complete (the read grows fourfold until
    then), so a page of a whole genome does not group every call."""
    matching, params = _matching(query)
    wanted = skip + limit
    size = max(4 * wanted, 256)
    while True:
        rows = con.execute(
            f"""
            SELECT {", ".join(_variant_order())} FROM {matching} ORDER BY ALL LIMIT ?
            """,
            [*params, size],
        ).fetchall()
        keys: list[tuple[Any, ...]] = []
        for row in rows:
            if not keys or keys[-1] != row:
                keys.append(row)
        exhausted = len(rows) < size
        if exhausted or len(keys) >= wanted:
            page = keys[skip:wanted]
            return (page[0], page[-1]) if page else None
        size *= 4


def _beyond(columns: Sequence[str], bound: Sequence[Any], above: bool) -> tuple[str, list[Any]]:
    """Rows whose `columns` are at or above (below) `bound` in lexicographic order."""
    strict, inclusive = (">", ">=") if above else ("<", "<=")
    head, value = columns[0], bound[0]
    if len(columns) == 1:
        return f"{head} {inclusive} ?", [value]
    rest, rest_params = _beyond(columns[1:], bound[1:], above)
    return f"({head} {strict} ? OR ({head} = ? AND {rest}))", [value, value, *rest_params]


def _in_page(prefix: str, first: Sequence[Any], last: Sequence[Any]) -> tuple[str, list[Any]]:
    """Rows between the page's first and last order keys. Plain bounds on the leading
    columns come first: DuckDB pushes them into the scan (its zone maps skip the rest of
    the table), which it cannot do with the lexicographic OR."""
    columns = _variant_order(prefix)
    plain, plain_params = f"{columns[0]} BETWEEN ? AND ?", [first[0], last[0]]
    if first[0] == last[0]:
        plain += f" AND {columns[1]} BETWEEN ? AND ?"
        plain_params += [first[1], last[1]]
    low, low_params = _beyond(columns, first, above=True)
    high, high_params = _beyond(columns, last, above=False)
    return f"{plain} AND {low} AND {high}", [*plain_params, *low_params, *high_params]


def _page_calls(
    con: Connection, query: CallQuery, skip: int, limit: int, all_carriers: bool, columns: str
) -> tuple[str, list[Any]] | None:
    """The SQL of the calls of variants skip .. skip + limit - 1 (`columns` of `c`, calls,
    and `s`, samples), in call order; None: no variant there.

    A page's variants are consecutive in variant order: their calls are the calls between
    the first and the last variant's order keys (bounds, not a list of keys)."""
    if limit <= 0:
        return None
    bounds = _page_bounds(con, query, skip, limit)
    if bounds is None:
        return None
    matching, params = _matching(query)
    if all_carriers:
        in_matching, matching_params = _in_page("", *bounds)
        datasets = ", ".join("?" for _ in query.dataset_ids)
        # The page's calls found by their key columns first, then read whole: a page of
        # a sample's variants spans the genome, and scanning every column of it costs more.
        sql = f"""
            WITH page AS (
                SELECT DISTINCT chrom, start, "end", variant_type FROM {matching}
                WHERE {in_matching}
            ),
            found AS (
                SELECT c.rowid AS row_id FROM calls c
                SEMI JOIN page USING (chrom, start, "end", variant_type)
                WHERE c.dataset_id IN ({datasets})
            )
            SELECT {columns}
            FROM calls c JOIN samples s USING (sample_no)
            WHERE c.rowid IN (SELECT row_id FROM found)
            ORDER BY {CALL_ORDER}
        """
        return sql, [*params, *matching_params, *query.dataset_ids]
    in_page, page_params = _in_page("c.", *bounds)
    sql = f"""
        SELECT {columns}
        FROM {matching} c JOIN samples s USING (sample_no)
        WHERE {in_page}
        ORDER BY {CALL_ORDER}
    """
    return sql, [*params, *page_params]


def variants_page(
    con: Connection, query: CallQuery, skip: int, limit: int, *, all_carriers: bool = False
) -> list[Variant]:
    """Distinct variants skip .. skip + limit - 1 of the matching calls, with the carriers of
    their matching calls, or (``all_carriers``) of every call of the variant in the datasets."""
    page = _page_calls(con, query, skip, limit, all_carriers, _select_list(DOCUMENT_FIELDS))
    if page is None:
        return []
    rows = con.execute(*page).fetchall()
    grouper = VariantGrouper()
    variants = grouper.feed(_documents(rows, DOCUMENT_FIELDS))
    return [*variants, *grouper.finish()]


def _struct(fields: Sequence[tuple[str, str]]) -> str:
    return "struct_pack(" + ", ".join(f"{quoted(name)} := {value}" for name, value in fields) + ")"


# A variant view's carriers (views.variant_view), as columns of the page's calls.
_CARRIER_JSON: Final = _struct(
    [("call_id", "id"), *((f, _json_value(f, quoted(f))) for f in CARRIER_CALL_FIELDS)]
)
# A variant view (views.variant_view) of a group of the page's calls by variant key; the
# assembly is its first call's, as VariantGrouper takes it.
_FIRST_ASSEMBLY: Final = "first(assembly ORDER BY dataset_id, id)"
_VARIANT_JSON: Final = _struct(
    [
        ("id", variant_id_sql(_FIRST_ASSEMBLY)),
        ("assembly", _FIRST_ASSEMBLY),
        ("chrom", "chrom"),
        ("start", "start"),
        ("end", '"end"'),
        ("length", '"end" - start'),
        ("variant_type", "variant_type"),
        ("efo_ids", "list_sort(list_distinct(list(efo_id)))"),
        ("dataset_ids", "list_sort(list_distinct(list(dataset_id)))"),
        ("call_count", "count(*)"),
        ("biosample_count", "count(DISTINCT (dataset_id, biosample_id))"),
        ("carriers", f"list({_CARRIER_JSON} ORDER BY dataset_id, id)"),
    ]
)


def variants_page_json(
    con: Connection, query: CallQuery, skip: int, limit: int, *, all_carriers: bool = False
) -> bytes:
    """variants_page as one JSON array of variant views, written by DuckDB."""
    needed = sorted(
        {
            "_id",
            "assembly",
            *VARIANT_KEY_FIELDS,
            "efo_id",
            "dataset_id",
            "biosample_id",
            *CARRIER_CALL_FIELDS,
        }
        - {"id"}
    )
    named = ", ".join(
        f"{column} AS {quoted('id' if name == '_id' else name)}"
        for name, column in zip(needed, _select_list(needed).split(", "), strict=True)
    )
    page = _page_calls(con, query, skip, limit, all_carriers, f"{named}, c.chrom_rank AS rank")
    if page is None:
        return b"[]"
    sql, params = page
    row = con.execute(
        f"""
        SELECT to_json(coalesce(list(variant ORDER BY rank, start, "end", type_rank), []))
        FROM (
            SELECT {_VARIANT_JSON} AS variant, rank, start, "end",
                   {_TYPE_RANK} AS type_rank
            FROM ({sql}) page_calls
            GROUP BY rank, chrom, start, "end", variant_type
        )
        """,
        params,
    ).fetchone()
    assert row is not None
    return str(row[0]).encode()


def carriers(con: Connection, query: CallQuery) -> list[Carrier]:
    """Biosamples with matching calls (and how many), by (dataset, biosample)."""
    where, params = call_condition(query)
    rows = con.execute(
        f"""
        SELECT s.dataset_id, s.biosample_id, s.individual_id, s.sex, s.population,
               s.superpopulation, m.calls
        FROM (SELECT sample_no, count(*) AS calls FROM calls WHERE {where} GROUP BY sample_no) m
        JOIN samples s USING (sample_no)
        ORDER BY s.dataset_id, s.biosample_id
        """,
        params,
    ).fetchall()
    return [Carrier(*row) for row in rows]


def carrier_groups(con: Connection, query: CallQuery) -> list[Document]:
    """The individuals with matching calls, as one row per dataset and attributes (sex,
    population, superpopulation) with how many `individuals` have them."""
    where, params = call_condition(query)
    rows = con.execute(
        f"""
        SELECT s.dataset_id, s.sex, s.population, s.superpopulation,
               count(DISTINCT s.individual_id)
        FROM (SELECT DISTINCT sample_no FROM calls WHERE {where}) m
        JOIN samples s USING (sample_no)
        GROUP BY ALL ORDER BY ALL
        """,
        params,
    ).fetchall()
    return _documents(rows, ("dataset_id", "sex", "population", "superpopulation", "individuals"))


def stream_sql(query: CallQuery, fields: Sequence[str]) -> tuple[str, list[Any]]:
    """Every matching call, in order, as the document fields asked for."""
    matching, params = _matching(query)
    return (
        f"SELECT {_select_list(fields)} FROM {matching} c JOIN samples s USING (sample_no) "
        f"ORDER BY {CALL_ORDER}",
        params,
    )


def batches(reader: pa.RecordBatchReader, fields: Sequence[str]) -> Iterator[list[Document]]:
    """Documents of an Arrow stream of stream_sql's rows, a batch at a time."""
    for batch in reader:
        columns = [batch.column(index).to_pylist() for index in range(len(fields))]
        yield [dict(zip(fields, row, strict=True)) for row in zip(*columns, strict=True)]


def call_by_id(con: Connection, call_id: str) -> Document | None:
    rows = con.execute(
        f"SELECT {_select_list(DOCUMENT_FIELDS)} FROM calls c JOIN samples s USING (sample_no) "
        "WHERE c.id = ?",
        [call_id],
    ).fetchall()
    found = _documents(rows, DOCUMENT_FIELDS)
    return found[0] if found else None


def calls_of_biosample(
    con: Connection,
    dataset_ids: Sequence[str],
    biosample_id: str,
    fields: Sequence[str] = DOCUMENT_FIELDS,
) -> list[Document]:
    """Every call of a biosample in these datasets, in genome order (contigs outside the
    karyotype last), with only `fields`: a biosample's calls lie all over the table, and
    each column read costs a scan of it."""
    if not dataset_ids:
        return []
    marks = ", ".join("?" * len(dataset_ids))
    rows = con.execute(
        f"""
        SELECT {_select_list(fields)} FROM calls c JOIN samples s USING (sample_no)
        WHERE s.biosample_id = ? AND s.dataset_id IN ({marks})
        ORDER BY c.chrom_rank, c.chrom, c.start, c."end", c.dataset_id, c.id
        """,
        [biosample_id, *dataset_ids],
    ).fetchall()
    return _documents(rows, fields)


def biosample(con: Connection, dataset_id: str, biosample_id: str) -> Document | None:
    """A biosample with calls: its attributes and number of calls."""
    row = con.execute(
        """
        SELECT s.individual_id, s.sex, s.population, s.superpopulation,
               (SELECT count(*) FROM calls c WHERE c.sample_no = s.sample_no)
        FROM samples s WHERE s.dataset_id = ? AND s.biosample_id = ?
        """,
        [dataset_id, biosample_id],
    ).fetchone()
    if row is None:
        return None
    return {**dict(zip(SAMPLE_ATTRIBUTES, row[:4], strict=True)), "calls": int(row[4])}


def data_version(con: Connection, dataset_id: str) -> int | None:
    rows = con.execute(
        "SELECT data_version FROM datasets WHERE dataset_id = ?", [dataset_id]
    ).fetchall()
    return int(rows[0][0]) if rows else None


def export_dataset(
    con: Connection, dataset_id: str, chroms: Sequence[str], directory: Path, batch_rows: int
) -> None:
    """The dataset's calls on `chroms` (chrom, start, end, biosample_id, variant_type,
    copy_number, is_pass) and its biosamples with their attributes, as Parquet files."""
    marks = ", ".join("?" * len(chroms)) or "NULL"
    calls = con.sql(
        f"""
        SELECT c.chrom, c.start, c."end", s.biosample_id, c.variant_type, c.copy_number,
               c.is_pass
        FROM calls c JOIN samples s USING (sample_no)
        WHERE c.dataset_id = ? AND c.chrom IN ({marks})
        """,
        params=[dataset_id, *chroms],
    )
    _write_parquet(calls.to_arrow_reader(batch_rows), directory / CALLS_FILE)
    samples = con.sql(
        f"SELECT biosample_id, {', '.join(map(quoted, SAMPLE_ATTRIBUTES))} FROM samples "
        "WHERE dataset_id = ? ORDER BY biosample_id",
        params=[dataset_id],
    )
    _write_parquet(samples.to_arrow_reader(batch_rows), directory / SAMPLES_FILE)


def _write_parquet(reader: pa.RecordBatchReader, path: Path) -> None:
    with pq.ParquetWriter(path, reader.schema) as writer:
        for batch in reader:
            writer.write_batch(batch)


# What variant regions need of each matching call, in the order they cluster them.
REGION_CALL_FIELDS: Final = (
    "dataset_id",
    "chrom",
    "start",
    "end",
    "variant_type",
    "copy_number",
    "genotype",
    "individual_id",
    "sex",
    "population",
    "superpopulation",
)


def region_calls(con: Connection, query: CallQuery) -> pa.Table:
    """The matching calls as REGION_CALL_FIELDS columns, by (dataset, chromosome, start,
    end): the order variant regions cluster them in."""
    matching, params = _matching(query)
    return con.sql(
        f"""
        SELECT {_select_list(REGION_CALL_FIELDS)} FROM {matching} c JOIN samples s USING (sample_no)
        ORDER BY c.dataset_id, c.chrom_rank, c.chrom, c.start, c."end", c.id
        """,
        params=params,
    ).to_arrow_table()

"""Reads of the registry of individuals, as SQL on the read model (blocking: run via
ReadModelDatabase). Individuals are ordered by (dataset, individual id), their biosamples
by (dataset, biosample id)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Final

from cnvbeacon.query.filters import CallFilters
from cnvbeacon.query.read_model.database import Connection
from cnvbeacon.query.read_model.predicates import individual_condition
from cnvbeacon.query.read_model.schema import INDIVIDUAL_COLUMNS, SAMPLE_ATTRIBUTES, quoted
from cnvbeacon.shared.store.client import Document

_COLUMNS: Final = ", ".join(quoted(c) for c in INDIVIDUAL_COLUMNS)
# A registered biosample: its id, dataset and its individual's attributes.
BIOSAMPLE_FIELDS: Final = ("id", "dataset_id", *SAMPLE_ATTRIBUTES)


@dataclass(frozen=True, slots=True)
class RegistryCounts:
    individuals: int
    biosamples: int


def _documents(rows: list[tuple[Any, ...]], fields: Sequence[str]) -> list[Document]:
    return [dict(zip(fields, row, strict=True)) for row in rows]


def counts(con: Connection, dataset_ids: Collection[str], filters: CallFilters) -> RegistryCounts:
    where, params = individual_condition(dataset_ids, filters)
    row = con.execute(
        f"SELECT count(*), coalesce(sum(len(biosample_ids)), 0) FROM individuals WHERE {where}",
        params,
    ).fetchone()
    assert row is not None
    return RegistryCounts(int(row[0]), int(row[1]))


def individuals_page(
    con: Connection, dataset_ids: Collection[str], filters: CallFilters, skip: int, limit: int
) -> list[Document]:
    if limit <= 0:
        return []
    where, params = individual_condition(dataset_ids, filters)
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM individuals WHERE {where} "
        "ORDER BY dataset_id, individual_id LIMIT ? OFFSET ?",
        [*params, limit, skip],
    ).fetchall()
    return _documents(rows, INDIVIDUAL_COLUMNS)


def biosamples_page(
    con: Connection, dataset_ids: Collection[str], filters: CallFilters, skip: int, limit: int
) -> list[Document]:
    if limit <= 0:
        return []
    where, params = individual_condition(dataset_ids, filters)
    attributes = ", ".join(quoted(a) for a in SAMPLE_ATTRIBUTES)
    rows = con.execute(
        f"""
        SELECT biosample_id, dataset_id, {attributes} FROM (
            SELECT unnest(biosample_ids) AS biosample_id, dataset_id, {attributes}
            FROM individuals WHERE {where})
        ORDER BY dataset_id, biosample_id LIMIT ? OFFSET ?
        """,
        [*params, limit, skip],
    ).fetchall()
    return _documents(rows, BIOSAMPLE_FIELDS)


def individuals_of_biosamples(
    con: Connection, dataset_id: str, biosample_ids: Collection[str]
) -> dict[str, Document]:
    """biosample id -> its registered individual, for those registered."""
    if not biosample_ids:
        return {}
    rows = con.execute(
        f"""
        SELECT biosample_id, {_COLUMNS} FROM (
            SELECT unnest(biosample_ids) AS biosample_id, * FROM individuals
            WHERE dataset_id = ? AND list_has_any(biosample_ids, ?::VARCHAR[]))
        WHERE list_contains(?::VARCHAR[], biosample_id)
        """,
        [dataset_id, sorted(biosample_ids), sorted(biosample_ids)],
    ).fetchall()
    return {row[0]: dict(zip(INDIVIDUAL_COLUMNS, row[1:], strict=True)) for row in rows}


def individual(con: Connection, dataset_id: str, individual_id: str) -> Document | None:
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM individuals WHERE dataset_id = ? AND individual_id = ?",
        [dataset_id, individual_id],
    ).fetchall()
    found = _documents(rows, INDIVIDUAL_COLUMNS)
    return found[0] if found else None


def population_rows(con: Connection, dataset_id: str) -> tuple[list[Document], list[Document]]:
    """The dataset's individuals with data (attributes from their calls) and its registered
    individuals, as rows of individual_id, sex, population and superpopulation."""
    attributes = ", ".join(quoted(a) for a in SAMPLE_ATTRIBUTES if a != "individual_id")
    chosen = ", ".join(f"any_value({quoted(a)})" for a in SAMPLE_ATTRIBUTES if a != "individual_id")
    with_data = con.execute(
        f"SELECT individual_id, {chosen} FROM samples WHERE dataset_id = ? GROUP BY individual_id",
        [dataset_id],
    ).fetchall()
    registered = con.execute(
        f"SELECT individual_id, {attributes} FROM individuals WHERE dataset_id = ?",
        [dataset_id],
    ).fetchall()
    return _documents(with_data, SAMPLE_ATTRIBUTES), _documents(registered, SAMPLE_ATTRIBUTES)

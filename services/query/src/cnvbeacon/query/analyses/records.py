"""Result tables as JSON records and TSV rows, with filtering, ordering and paging."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cnvbeacon.query.analyses.columns import Table, row_count
from cnvbeacon.query.analyses.regions import CLASSES

Rows = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class GroupColumn:
    index: int
    id: str
    samples: int


def groups_of(meta: dict[str, Any], wanted: Sequence[str]) -> list[GroupColumn]:
    """Groups by id; "superpopulation" and "population" stand for all groups of that kind.
    Unknown ids raise KeyError."""
    groups = [GroupColumn(i, str(g["id"]), int(g["samples"])) for i, g in enumerate(meta["groups"])]
    by_id = {g.id: g for g in groups}
    kinds = {str(g["kind"]) for g in meta["groups"]}
    chosen: list[GroupColumn] = []
    for name in wanted or ["all"]:
        if name in kinds and name != "all":
            chosen.extend(
                g for g, d in zip(groups, meta["groups"], strict=True) if d["kind"] == name
            )
        elif name in by_id:
            chosen.append(by_id[name])
        else:
            raise KeyError(name)
    return list({g.id: g for g in chosen}.values())


def chromosome_names(meta: dict[str, Any], codes: npt.NDArray[np.integer]) -> list[str]:
    names: list[str] = meta["chromosomes"]
    return [names[c] for c in codes.tolist()]


def clean(value: Any) -> Any:
    """JSON-safe: NaN becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def fraction(count: int, total: int) -> float | None:
    return count / total if total else None


# --------------------------------------------------------------------------- frequencies


def frequency_records(
    table: Table, meta: dict[str, Any], rows: Rows, groups: list[GroupColumn], *, genes: bool
) -> list[dict[str, Any]]:
    chroms = chromosome_names(meta, table["chrom"][rows])
    gain = table["gain"][rows].tolist()
    loss = table["loss"][rows].tolist()
    records = []
    for i, row in enumerate(rows.tolist()):
        record: dict[str, Any] = {}
        if genes:
            record["symbol"] = table["symbol"][row]
        record |= {
            "chrom": chroms[i],
            "start": int(table["start"][row]),
            "end": int(table["end"][row]),
            "gain_frequency": {g.id: fraction(gain[i][g.index], g.samples) for g in groups},
            "loss_frequency": {g.id: fraction(loss[i][g.index], g.samples) for g in groups},
            "gain_samples": {g.id: gain[i][g.index] for g in groups},
            "loss_samples": {g.id: loss[i][g.index] for g in groups},
        }
        records.append(record)
    return records


def frequency_tsv(
    records: list[dict[str, Any]], groups: list[GroupColumn], *, genes: bool
) -> tuple[list[str], list[list[Any]]]:
    columns = (["symbol"] if genes else []) + ["chrom", "start", "end"]
    for g in groups:
        columns += [
            f"gain_frequency_{g.id}",
            f"loss_frequency_{g.id}",
            f"gain_samples_{g.id}",
            f"loss_samples_{g.id}",
        ]
    rows = []
    for record in records:
        row = [record[c] for c in columns[: 4 if genes else 3]]
        for g in groups:
            row += [
                record["gain_frequency"][g.id],
                record["loss_frequency"][g.id],
                record["gain_samples"][g.id],
                record["loss_samples"][g.id],
            ]
        rows.append(row)
    return columns, rows


# --------------------------------------------------------------------------- regions

REGION_FIELDS = (
    "id",
    "chrom",
    "start",
    "end",
    "length",
    "class",
    "calls",
    "samples",
    "frequency",
    "loss_samples",
    "gain_samples",
    "loss_calls",
    "gain_calls",
    "copy_numbers",
    "changed_states",
    "singleton",
    "events",
    "gene_count",
    "genes",
    "vst_superpopulation",
    "vst_population",
    "fst_superpopulation",
    "fst_population",
)
EVENT_FIELDS = (
    "id",
    "cnvr",
    "chrom",
    "start",
    "end",
    "span_start",
    "span_end",
    "length",
    "calls",
    "samples",
    "frequency",
    "loss_samples",
    "gain_samples",
    "copy_numbers",
    "gene_count",
    "genes",
)


def region_records(
    table: Table, meta: dict[str, Any], rows: Rows, fields: Sequence[str]
) -> list[dict[str, Any]]:
    total = int(meta["summary"]["samples"])
    chroms = chromosome_names(meta, table["chrom"][rows])
    columns = {name: table[name][rows].tolist() for name in table if table[name].ndim == 1}
    columns["chrom"] = chroms
    if "region" in table:
        columns["cnvr"] = columns["region"]
    records = []
    for i in range(len(rows)):
        record: dict[str, Any] = {}
        for name in fields:
            if name == "length":
                record[name] = columns["end"][i] - columns["start"][i]
            elif name == "frequency":
                record[name] = fraction(columns["samples"][i], total)
            elif name == "class":
                record[name] = CLASSES[columns["class"][i]]
            elif name == "copy_numbers":
                text = columns["copy_numbers"][i]
                record[name] = [int(v) for v in text.split(",")] if text else []
            elif name == "genes":
                text = columns["genes"][i]
                record[name] = text.split(";") if text else []
            else:
                record[name] = clean(columns[name][i])
        records.append(record)
    return records


def carrier_frequencies(
    table: Table, rows: Rows, groups: list[GroupColumn]
) -> list[dict[str, float | None]]:
    carriers = table["carriers"][rows].tolist()
    return [{g.id: fraction(c[g.index], g.samples) for g in groups} for c in carriers]


def region_rows(
    table: Table,
    *,
    chrom_code: int | None = None,
    classes: Sequence[int] = (),
    min_samples: int = 0,
    gene: str | None = None,
    region: int | None = None,
) -> Rows:
    mask = np.ones(row_count(table), dtype=bool)
    if chrom_code is not None:
        mask &= table["chrom"] == chrom_code
    if classes:
        mask &= np.isin(table["class"], classes)
    if min_samples:
        mask &= table["samples"] >= min_samples
    if region is not None:
        mask &= table["region"] == region
    if gene:
        wanted = gene.upper()
        mask &= np.array(
            [wanted in text.upper().split(";") for text in table["genes"].tolist()], dtype=bool
        )
    return np.flatnonzero(mask)


# --------------------------------------------------------------------------- samples

SAMPLE_FIELDS = (
    "sample",
    "sex",
    "population",
    "superpopulation",
    "calls",
    "gain_calls",
    "loss_calls",
    "bases_gained",
    "bases_lost",
    "bases_altered",
    "fraction_altered",
)


def sample_records(table: Table, rows: Rows) -> list[dict[str, Any]]:
    columns = {name: table[name][rows].tolist() for name in SAMPLE_FIELDS}
    return [{name: clean(columns[name][i]) for name in SAMPLE_FIELDS} for i in range(len(rows))]

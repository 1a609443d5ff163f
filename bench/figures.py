"""Benchmark figures: one measured value each, compared with a floor measured in the same run.

A section returns a list of :class:`Figure`. A figure may name the figure it is compared
with (``floor``, by key ``section/name``); the table then shows the ratio of their costs:
how many times the floor's time the figure takes (>= 1 means slower than the floor), for
rates (higher is better) floor/value and for latencies and sizes value/floor.
Figures that could not be measured say why (status and note) and carry no value.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from bench.measure import Repeated


class Status(StrEnum):
    MEASURED = "measured"
    UNAVAILABLE = "unavailable"  # the system does not offer it yet (e.g. an endpoint is missing)
    NOT_IMPLEMENTED = "not implemented"  # the benchmark does not measure it yet


class Better(StrEnum):
    HIGHER = "higher"  # rates
    LOWER = "lower"  # latencies, sizes, durations


@dataclass(frozen=True)
class Figure:
    section: str
    name: str
    value: float | None
    unit: str
    better: Better = Better.HIGHER
    floor: str | None = None  # key "section/name" of the figure this one is compared with
    runs: int = 1  # how many runs or requests the value is the median (or percentile) of
    spread: tuple[float, float] | None = None  # min and max over the runs
    status: Status = Status.MEASURED
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.section}/{self.name}"

    @classmethod
    def missing(cls, section: str, name: str, status: Status, note: str) -> Figure:
        return cls(section, name, None, "", status=status, note=note)

    @classmethod
    def of_rate(
        cls,
        section: str,
        name: str,
        rate: Repeated,
        unit: str,
        *,
        floor: Figure | None = None,
        note: str = "",
    ) -> Figure:
        """The median of a rate measured several times, with its spread."""
        return cls(
            section,
            name,
            rate.median,
            unit,
            floor=floor.key if floor is not None else None,
            runs=rate.runs,
            spread=rate.spread,
            note=note,
        )


def cost_ratio(figure: Figure, floor: Figure) -> float | None:
    """How many times the floor's cost the figure's cost is (None if either has no value)."""
    if figure.value is None or floor.value is None or figure.value == 0 or floor.value == 0:
        return None
    if figure.better is Better.HIGHER:
        return floor.value / figure.value
    return figure.value / floor.value


def ratios(figures: Sequence[Figure]) -> dict[str, float | None]:
    by_key = {figure.key: figure for figure in figures}
    result: dict[str, float | None] = {}
    for figure in figures:
        if figure.floor is not None:
            floor = by_key.get(figure.floor)
            result[figure.key] = cost_ratio(figure, floor) if floor is not None else None
    return result


def _value_text(figure: Figure) -> str:
    if figure.value is None:
        return "-"
    value = figure.value
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def render_table(figures: Sequence[Figure]) -> str:
    ratio_of = ratios(figures)
    floors = {figure.floor for figure in figures if figure.floor}
    header = (
        f"{'section':9s} {'figure':50s} {'value':>12s} {'unit':11s} {'runs':>5s} "
        f"{'x floor':>8s}  note"
    )
    lines = [header, "-" * len(header)]
    for figure in figures:
        if figure.key in ratio_of:
            value = ratio_of[figure.key]
            ratio = f"{value:.2f}" if value is not None else "-"
        elif figure.key in floors:
            ratio = "floor"
        else:
            ratio = ""
        note = figure.note
        if figure.status is not Status.MEASURED:
            note = f"{figure.status.value.upper()}: {note}"
        elif figure.spread is not None and figure.runs > 1:
            low, high = figure.spread
            note = f"min {low:,.4g} max {high:,.4g}" + (f"; {note}" if note else "")
        lines.append(
            f"{figure.section:9s} {figure.name[:50]:50s} {_value_text(figure):>12s} "
            f"{figure.unit[:11]:11s} {figure.runs if figure.value is not None else '':>5} "
            f"{ratio:>8s}  {note}"
        )
    return "\n".join(lines)


def figures_json(figures: Sequence[Figure]) -> list[dict[str, Any]]:
    ratio_of = ratios(figures)
    rows = []
    for figure in figures:
        row = asdict(figure)
        row["key"] = figure.key
        row["ratio_to_floor"] = ratio_of.get(figure.key)
        rows.append(row)
    return rows


def write_json(path: Path, run: dict[str, Any], figures: Sequence[Figure]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "run": run,
        "sections": sorted({figure.section for figure in figures}),
        "figures": figures_json(figures),
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")

"""Ranking, group selection and the data transformations behind the plots."""

from __future__ import annotations

import numpy as np
import pytest

from cnvbeacon.query.analyses.outliers import default_min_samples, vst_outliers
from cnvbeacon.query.analyses.plots.cnvr_map import GRID, _grid_spans
from cnvbeacon.query.analyses.plots.frequency_plots import _nice_limit, _runs
from cnvbeacon.query.analyses.records import groups_of

META = {
    "groups": [
        {"id": "all", "kind": "all", "samples": 10},
        {"id": "AFR", "kind": "superpopulation", "samples": 6},
        {"id": "EUR", "kind": "superpopulation", "samples": 4},
        {"id": "YRI", "kind": "population", "samples": 6},
    ]
}


def test_outliers_rank_eligible_regions_by_vst() -> None:
    table = {
        "samples": np.array([50, 3, 40, 60, 70]),
        "vst_superpopulation": np.array([0.2, 0.9, np.nan, 0.5, 0.1]),
    }
    found = vst_outliers(table, "superpopulation", min_samples=10)
    assert found.rows.tolist() == [3, 0, 4]
    assert found.distribution["max"] == pytest.approx(0.5)
    assert found.distribution["median"] == pytest.approx(0.2)
    assert default_min_samples(3202) == 33
    assert default_min_samples(10) == 2


def test_groups_by_id_or_kind() -> None:
    assert [g.id for g in groups_of(META, [])] == ["all"]
    assert [g.id for g in groups_of(META, ["superpopulation"])] == ["AFR", "EUR"]
    assert [(g.id, g.index, g.samples) for g in groups_of(META, ["YRI", "all"])] == [
        ("YRI", 3, 6),
        ("all", 0, 10),
    ]
    with pytest.raises(KeyError):
        groups_of(META, ["GBR"])


def test_runs_merge_equal_neighbours_without_changing_the_steps() -> None:
    values = np.array([0.0, 0.0, 3.0, 3.0, 0.0])
    edges = np.array([0, 10, 20, 30, 40, 50])
    merged, merged_edges = _runs(values, edges)
    assert merged.tolist() == [0.0, 3.0, 0.0]
    assert merged_edges.tolist() == [0, 20, 40, 50]
    # The step function is the same at every bin.
    centres = (edges[:-1] + edges[1:]) / 2
    again = merged[np.searchsorted(merged_edges, centres, side="right") - 1]
    assert again.tolist() == values.tolist()


def test_nice_limits() -> None:
    assert _nice_limit(0) == 1.0
    assert _nice_limit(37) == 40.0
    assert _nice_limit(51) == 60.0
    assert _nice_limit(100) == 100.0


def test_grid_spans_cover_each_region_at_grid_resolution() -> None:
    spans = _grid_spans(np.array([10, 5 * GRID + 1]), np.array([20, 7 * GRID]), 10 * GRID)
    assert spans == [(0.0, float(GRID)), (5.0 * GRID, 2.0 * GRID)]

"""A small synthetic cohort, generated once per test session (about a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cohort.generate import Cohort, CohortSpec, generate_cohort

COHORT_SAMPLES = 120
COHORT_SEED = 11


@pytest.fixture(scope="session")
def small_cohort(tmp_path_factory: pytest.TempPathFactory) -> Cohort:
    directory = Path(tmp_path_factory.mktemp("synthetic-cohort"))
    spec = CohortSpec(samples=COHORT_SAMPLES, seed=COHORT_SEED, directory=directory, jobs=1)
    return generate_cohort(spec).cohort

"""The benchmark command's options: which sections run."""

from __future__ import annotations

import pytest

from bench.runner import parse_options
from bench.sections import SECTIONS


def test_every_section_runs_by_default() -> None:
    assert parse_options([]).sections == SECTIONS


def test_named_sections_run_in_the_usual_order() -> None:
    assert parse_options(["--sections", "ingest, cohort"]).sections == ("cohort", "ingest")


@pytest.mark.parametrize("sections", ["ingest,bogus", ","])
def test_unknown_or_no_sections_are_refused(sections: str) -> None:
    with pytest.raises(SystemExit):
        parse_options(["--sections", sections])

"""The benchmark command's options (which sections run, the pages section's), and the
measurements a section leaves for after a later one."""

from __future__ import annotations

from typing import Any, cast

import pytest

from bench.context import BenchContext, Deferred
from bench.figures import Figure, Status
from bench.runner import parse_options, run_deferred
from bench.sections import SECTIONS


def test_every_section_runs_by_default() -> None:
    assert parse_options([]).sections == SECTIONS


def test_named_sections_run_in_the_usual_order() -> None:
    assert parse_options(["--sections", "ingest, cohort"]).sections == ("cohort", "ingest")


@pytest.mark.parametrize("sections", ["ingest,bogus", ","])
def test_unknown_or_no_sections_are_refused(sections: str) -> None:
    with pytest.raises(SystemExit):
        parse_options(["--sections", sections])


def test_the_pages_section_runs_after_the_gateway_and_before_the_analyses() -> None:
    assert SECTIONS.index("gateway") < SECTIONS.index("pages") < SECTIONS.index("analyses")
    assert SECTIONS[-1] == "memory"


def test_the_pages_options() -> None:
    options = parse_options(["--pages", "3", "--pages-budget", "30", "--pages-ingest-files", "0"])
    assert (options.pages, options.pages_budget_s, options.pages_ingest_files) == (3, 30.0, 0)
    defaults = parse_options([])
    assert (defaults.pages, defaults.pages_budget_s, defaults.pages_ingest_files) == (20, 120, 100)


@pytest.mark.parametrize(
    "arguments", [["--pages", "0"], ["--pages-budget", "0"], ["--pages-ingest-files", "-1"]]
)
def test_pages_options_out_of_range_are_refused(arguments: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_options(arguments)


async def test_deferred_measurements_run_after_their_section() -> None:
    context = BenchContext(
        parse_options([]), cast(Any, None), cast(Any, None), cast(Any, None), "d"
    )
    figure = Figure("pages", "late", 1.0, "ms")

    async def late() -> list[Figure]:
        return [figure]

    async def broken() -> list[Figure]:
        raise RuntimeError("no analysis")

    context.defer("analyses", Deferred("pages", "late pages", late))
    context.defer("analyses", Deferred("pages", "broken pages", broken))
    assert await run_deferred(context, "gateway") == []
    first, failed = await run_deferred(context, "analyses")
    assert first is figure
    assert (failed.key, failed.status) == ("pages/broken pages", Status.UNAVAILABLE)
    assert "RuntimeError: no analysis" in failed.note
    assert await run_deferred(context, "analyses") == []  # each runs once

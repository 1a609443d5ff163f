"""Benchmark sections, run in this order; each module exposes
``async def run_section(context: BenchContext) -> list[Figure]`` (see bench/context.py).

A hook module another engineer owns (``HOOKS``) replaces the built-in section of the same
name as soon as it exposes ``run_section``; until then the built-in one runs, and the table
says so.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import cast

from bench.context import BenchContext
from bench.figures import Figure

SectionRunner = Callable[[BenchContext], Awaitable[list[Figure]]]

SECTIONS = ("cohort", "ingest", "query", "gateway", "pages", "analyses", "memory")
HOOKS = {"analyses": "bench.bench_analyses"}


def hook_runner(name: str) -> tuple[SectionRunner | None, str]:
    """The hook's run_section if it has one, and a note on what was used and why."""
    module_name = HOOKS.get(name)
    if module_name is None:
        return None, ""
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # a hook in progress must not break the whole benchmark
        return None, f"{module_name} not importable ({type(error).__name__}: {error})"
    runner = getattr(module, "run_section", None)
    if runner is None:
        return None, f"{module_name} has no run_section(context) yet; built-in section used"
    return cast(SectionRunner, runner), f"figures from {module_name}.run_section"


def section_runner(name: str) -> tuple[SectionRunner, str]:
    hook, note = hook_runner(name)
    if hook is not None:
        return hook, note
    module = importlib.import_module(f"bench.sections.{name}")
    return cast(SectionRunner, module.run_section), note

"""python -m bench: the whole system measured against its own floors, in one run.

1. generates (or reuses) a synthetic cohort of --samples samples (bench.cohort);
2. starts the store (or uses --mongodb-url), ensures RabbitMQ, starts --workers ingest
   services, the query service and the gateway with a database and AMQP namespace of
   their own;
3. runs the sections (bench/sections) in order, prints one table of figures with their
   ratio to the floor measured in the same run, and writes the same as JSON under results/;
4. stops what it started and removes the run's database and queues (unless --keep).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import subprocess
import sys
import time
import traceback
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.cohort.generate import SUGGESTED_DATASET_ID, CohortSpec, ensure_cohort
from bench.context import BenchContext, BenchOptions
from bench.figures import Figure, Status, render_table, write_json
from bench.sections import SECTIONS, section_runner
from bench.stack import ROOT, BenchStack, close_stack, open_stack

RESULTS = ROOT / "results"
QUERY_PAGE_LIMIT = "100000"


def parse_options(argv: list[str] | None = None) -> BenchOptions:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure the whole system against its floors on a synthetic cohort.",
    )
    parser.add_argument("--samples", type=int, default=3202, help="cohort size (default 3202)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=500, help="lookup windows per figure")
    parser.add_argument("--repeats", type=int, default=3, help="runs per throughput figure")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="ingest worker processes (default 1: each runs several jobs at once and sends "
        "their calls as one stream of inserts, which SecantusDB takes faster than the "
        "concurrent streams of several processes)",
    )
    parser.add_argument(
        "--e2e-budget",
        type=float,
        default=900.0,
        help="seconds the queue may take before the remaining files are bulk-loaded",
    )
    parser.add_argument("--floor-files", type=int, default=200, help="files per floor run")
    parser.add_argument(
        "--pages", type=int, default=20, help="pages section: pages per page kind (default 20)"
    )
    parser.add_argument(
        "--pages-budget",
        type=float,
        default=120.0,
        help="pages section: seconds per replay of the pages (default 120)",
    )
    parser.add_argument(
        "--pages-ingest-files",
        type=int,
        default=100,
        help="pages section: files of the batch ingested during each 'during ingest' replay "
        "(default 100; 0: no replay during an ingest)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--cohort-dir", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="generator processes")
    parser.add_argument(
        "--mongodb-url", default=None, help="use this store instead of starting one"
    )
    parser.add_argument("--amqp-url", default=None, help="use this broker (default: the local one)")
    parser.add_argument("--keep", action="store_true", help="keep the run's database and queues")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help="comma-separated sections to run, in the usual order (default: all); a section "
        "that needs the cohort in the store needs 'ingest' before it",
    )
    arguments = parser.parse_args(argv)
    if arguments.samples < 1 or arguments.queries < 1 or arguments.repeats < 1:
        parser.error("--samples, --queries and --repeats must be at least 1")
    if arguments.pages < 1 or arguments.pages_budget <= 0 or arguments.pages_ingest_files < 0:
        parser.error("--pages needs >= 1, --pages-budget > 0 and --pages-ingest-files >= 0")
    sections = tuple(name.strip() for name in arguments.sections.split(",") if name.strip())
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown or not sections:
        parser.error(f"--sections: choose from {', '.join(SECTIONS)} (got {unknown or 'none'})")
    cohort_dir = arguments.cohort_dir or (
        arguments.results / "cohorts" / f"n{arguments.samples}-seed{arguments.seed}"
    )
    return BenchOptions(
        samples=arguments.samples,
        seed=arguments.seed,
        queries=arguments.queries,
        repeats=arguments.repeats,
        workers=max(1, arguments.workers),
        e2e_budget_s=arguments.e2e_budget,
        results=arguments.results,
        cohort_dir=cohort_dir,
        generator_jobs=max(1, arguments.jobs),
        mongodb_url=arguments.mongodb_url,
        amqp_url=arguments.amqp_url,
        keep_data=arguments.keep,
        floor_files=max(1, arguments.floor_files),
        sections=tuple(name for name in SECTIONS if name in sections),
        pages=arguments.pages,
        pages_budget_s=arguments.pages_budget,
        pages_ingest_files=arguments.pages_ingest_files,
    )


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def start_services(stack: BenchStack, options: BenchOptions, facts: dict[str, Any]) -> None:
    for _ in range(options.workers):
        stack.start_service("ingest", "ingest", CNVB_INBOX_DIR=str(options.cohort_dir.resolve()))
    # No background analysis of the freshly ingested cohort while lookups are timed; the
    # analyses section runs the analysis job itself.
    query = stack.start_service(
        "query", "query", CNVB_MAX_PAGE_SIZE=QUERY_PAGE_LIMIT, CNVB_ANALYSIS_WORKER="false"
    )
    ingest_url = stack.urls("ingest")[0]
    assert query.url is not None
    try:
        gateway_port_env = {"CNVB_QUERY_URL": query.url, "CNVB_INGEST_URL": ingest_url}
        gateway = stack.start_service("gateway", "gateway", **gateway_port_env)
    except Exception as error:  # the gateway is optional for the other sections
        facts["gateway_unavailable"] = f"the gateway did not start: {error}"[:300]
        return
    assert gateway.url is not None


async def run(options: BenchOptions) -> tuple[Path, list[Figure]]:
    started = time.perf_counter()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
    facts: dict[str, Any] = {}
    load_before = os.getloadavg()
    say(f"cohort of {options.samples:,} samples in {options.cohort_dir} ...")
    spec = CohortSpec(
        samples=options.samples,
        seed=options.seed,
        directory=options.cohort_dir,
        jobs=options.generator_jobs,
    )
    generation = await asyncio.to_thread(ensure_cohort, spec)
    cohort = generation.cohort
    facts["generation"] = (
        "reused from an earlier run"
        if generation.reused
        else f"{cohort.samples:,} samples in {generation.seconds:.1f} s, "
        f"{generation.samples_per_second:,.0f} samples/s with {options.generator_jobs} processes"
    )
    say(f"cohort: {cohort.calls:,} calls; {facts['generation']}")
    scratch = options.results / "scratch" / run_id
    stack = await asyncio.to_thread(
        open_stack,
        mongodb_url=options.mongodb_url,
        amqp_url=options.amqp_url,
        scratch=scratch,
        run_id=run_id.replace("-", "_").lower(),
    )
    figures: list[Figure] = []
    section_notes: dict[str, str] = {}
    client = stack.client()
    try:
        say(f"starting {options.workers} ingest worker(s), the query service and the gateway")
        await asyncio.to_thread(start_services, stack, options, facts)
        context = BenchContext(
            options, cohort, stack, stack.db(client), SUGGESTED_DATASET_ID, facts
        )
        for name in options.sections:
            runner, note = section_runner(name)
            if note:
                section_notes[name] = note
            say(f"section {name}" + (f" ({note})" if note else ""))
            section_started = time.perf_counter()
            try:
                figures += await runner(context)
            except Exception as error:
                traceback.print_exc()
                figures.append(
                    Figure.missing(
                        name,
                        "section",
                        Status.UNAVAILABLE,
                        f"failed: {type(error).__name__}: {error}",
                    )
                )
            say(f"section {name} took {time.perf_counter() - section_started:,.0f} s")
            figures += await run_deferred(context, name)
    finally:
        await client.close()
        await close_stack(stack, keep_data=options.keep_data)
    run_facts = {
        "run_id": run_id,
        "finished_at": datetime.now(UTC).isoformat(),
        "duration_s": round(time.perf_counter() - started, 1),
        "git_commit": _git_commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
        "cohort": cohort.metadata,
        "stack": {
            "store": "given" if options.mongodb_url else "SecantusDB started for the run",
            "database": stack.database,
            "amqp_namespace": stack.namespace,
            "logs": str(scratch / "logs"),
        },
        "section_notes": section_notes,
        "facts": {k: v for k, v in facts.items() if k != "windows"},
    }
    path = options.results / f"bench-{run_id}.json"
    write_json(path, run_facts, figures)
    write_json(options.results / "bench-latest.json", run_facts, figures)
    return path, figures


async def run_deferred(context: BenchContext, after: str) -> list[Figure]:
    """The measurements earlier sections left for after section ``after``."""
    figures: list[Figure] = []
    for deferred in context.deferred.pop(after, []):
        say(f"section {deferred.section}, after {after}: {deferred.name}")
        started = time.perf_counter()
        try:
            figures += await deferred.work()
        except Exception as error:
            traceback.print_exc()
            figures.append(
                Figure.missing(
                    deferred.section,
                    deferred.name,
                    Status.UNAVAILABLE,
                    f"failed: {type(error).__name__}: {error}",
                )
            )
        say(f"{deferred.name} took {time.perf_counter() - started:,.0f} s")
    return figures


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    path, figures = asyncio.run(run(options))
    print()
    print(render_table(figures))
    print("\nratios are cost relative to the floor measured in the same run (1 = the floor).")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m bench` at a tiny scale: it runs to the end, prints one table and writes the same
as JSON with every section (benchmarks themselves are never part of the suite)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.sections import SECTIONS
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
# A guard against a hang, not a speed check: the run takes a few minutes, longer on a
# machine with less CPU to give.
SMOKE_TIMEOUT_S = 600
PAGE_KINDS = ("gene", "region", "cytoband", "chromosome", "sample", "variant", "analyses")


def test_the_benchmark_command_runs_every_section(
    mongodb_url: str, amqp_url: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--samples=10",
            "--queries=5",
            "--repeats=2",
            "--floor-files=10",
            "--jobs=1",
            "--pages=1",
            "--pages-budget=60",
            "--pages-ingest-files=5",
            f"--results={tmp_path}",
            f"--mongodb-url={mongodb_url}",
            f"--amqp-url={amqp_url}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SMOKE_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    document = json.loads((tmp_path / "bench-latest.json").read_text())
    assert set(document["sections"]) == set(SECTIONS)
    figures = {figure["key"]: figure for figure in document["figures"]}
    table = result.stdout
    for figure in document["figures"]:
        assert figure["name"][:50] in table
        assert (figure["value"] is None) == (figure["status"] != "measured"), figure
    end_to_end = figures["ingest/end to end through the queue, 1 worker(s)"]
    assert end_to_end["value"] > 0
    assert end_to_end["ratio_to_floor"] > 0
    assert "STORED" not in end_to_end["note"]
    assert "FAILED" not in end_to_end["note"]
    assert (
        sum(b["calls"] for b in end_to_end["details"]["batches"])
        == document["run"]["cohort"]["calls"]
    )
    assert "WRONG" not in json.dumps(document["figures"])
    assert figures["ingest/parse to call documents: read_vcf"]["ratio_to_floor"] > 0
    analyses = {k: f for k, f in figures.items() if f["section"] == "analyses"}
    assert analyses
    assert all(f["status"] == "measured" for f in analyses.values()), analyses
    assert analyses["analyses/full analysis job (child process)"]["value"] > 0
    # Pages: every kind replayed idle, one at a time and four at once (the analyses views
    # after the analyses section), and during an ingest; the section ran to its end.
    replayed = {k: f for k, f in figures.items() if f["section"] == "pages"}
    assert not [f for f in replayed.values() if f["note"].startswith("failed:")], replayed
    for when in ("1 at a time", "4 at once"):
        for kind in PAGE_KINDS:
            assert f"pages/{kind} page p95, idle, {when}" in replayed, (kind, when)
        assert replayed[f"pages/errors, idle, {when}"]["status"] == "measured"
        assert replayed[f"pages/errors, idle, {when} (analyses pages)"]["status"] == "measured"
        assert replayed[f"pages/ingest jobs done in the replay, {when}"]["value"] >= 0
    for kind in ("gene", "region", "cytoband", "chromosome", "variant", "analyses"):
        assert replayed[f"pages/{kind} page p95, idle, 1 at a time"]["value"] > 0, kind

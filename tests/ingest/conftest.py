"""Fixture VCFs for the parser and converter tests.

Hand-written text fixtures live in ``data/``; compressed and binary variants (gzip, BGZF,
truncated, garbage) are made from them here, so that every byte of them is explained.
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Callable
from pathlib import Path

import pysam
import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture
def fixture_vcf() -> Callable[[str], Path]:
    """The path of a hand-written fixture in tests/ingest/data."""

    def path(name: str) -> Path:
        found = DATA_DIR / name
        assert found.is_file(), f"no fixture {name}"
        return found

    return path


@pytest.fixture
def gzipped(tmp_path: Path) -> Callable[[Path], Path]:
    """A plain gzip copy of a file."""

    def compress(source: Path) -> Path:
        target = tmp_path / f"{source.name}.gz"
        target.write_bytes(gzip.compress(source.read_bytes()))
        return target

    return compress


@pytest.fixture
def bgzipped(tmp_path: Path) -> Callable[[Path], Path]:
    """A BGZF copy of a file, as bgzip/htslib write it."""

    def compress(source: Path) -> Path:
        target = tmp_path / f"{source.name}.bgz.gz"
        pysam.tabix_compress(str(source), str(target), force=True)
        return target

    return compress


@pytest.fixture
def truncated_gzip(tmp_path: Path) -> Path:
    """A gzip VCF cut off in the middle of its compressed data (a broken upload).

    The records are numbered so that the stream stays incompressible enough for the cut to
    fall well after the header.
    """
    header = (DATA_DIR / "header_only.vcf").read_text()
    rng = random.Random(7)
    records = "".join(
        f"chr1\t{pos}\tDRAGEN:LOSS:chr1:{pos + 1}-{pos + 500}\tN\t<DEL>\t{rng.randint(3, 99)}\t"
        f"PASS\tSVTYPE=CNV;END={pos + 500}\tGT:SM:CN\t0/1:{rng.random():.6f}:1\n"
        for pos in range(10_000, 10_000 + 1000 * 2000, 1000)
    )
    data = gzip.compress((header + records).encode())
    target = tmp_path / "truncated.vcf.gz"
    target.write_bytes(data[: len(data) // 2])
    return target


@pytest.fixture
def binary_garbage(tmp_path: Path) -> Path:
    """Random bytes (not gzip: the first byte is not 0x1f) under a VCF name."""
    rng = random.Random(3)
    target = tmp_path / "garbage.vcf"
    target.write_bytes(b"\x00\xff" + bytes(rng.randrange(256) for _ in range(4096)))
    return target

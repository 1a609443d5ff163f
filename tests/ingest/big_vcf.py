"""Large DRAGEN-format VCFs made from the real HG00096 records, for tests that need a job
to run long enough to be interrupted."""

from __future__ import annotations

import gzip
from pathlib import Path


def write_big_vcf(source: Path, target: Path, copies: int) -> int:
    """HG00096's header, then its records repeated `copies` times on shifted positions
    (still inside each chromosome); returns the number of records written."""
    lines = gzip.decompress(source.read_bytes()).decode().splitlines()
    header = [line for line in lines if line.startswith("#")]
    records = [line.split("\t") for line in lines if not line.startswith("#")]
    written = 0
    with gzip.open(target, "wt", compresslevel=1) as out:
        out.write("\n".join(header) + "\n")
        for copy in range(copies):
            shift = copy * 7
            for fields in records:
                end = int(fields[7].split("END=")[1].split(";")[0])
                pos = int(fields[1])
                moved = fields.copy()
                moved[1] = str(pos - shift)
                moved[2] = f"{fields[2]}:{copy}"
                moved[7] = fields[7].replace(f"END={end}", f"END={end - shift}")
                out.write("\t".join(moved) + "\n")
                written += 1
    return written

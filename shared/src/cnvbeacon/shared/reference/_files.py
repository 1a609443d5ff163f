"""Names of the packaged reference tables and a reader for them.

The tables live in cnvbeacon/shared/data/ (see SOURCE.md there); build_data.py writes them.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from typing import Final

from cnvbeacon.shared.reference.assemblies import Assembly

SEQINFO: Final[dict[Assembly, str]] = {
    "GRCh38": "hg38.seqinfo.tsv",
    "GRCh37": "hg19.seqinfo.tsv",
}
REFGET_GRCH38: Final = "grch38.refget.tsv"
CYTOBANDS: Final[dict[Assembly, str]] = {
    "GRCh38": "hg38.cytoband.tsv",
    "GRCh37": "hg19.cytoband.tsv",
}
GENES: Final[dict[Assembly, str]] = {
    "GRCh38": "gencode_v44.hg38.genes.tsv.gz",
    "GRCh37": "gencode_hg19.genes.tsv.gz",
}
IGSR_SAMPLES: Final = "igsr_samples.tsv.gz"
PARALOGOUS_GENES: Final = "paralogous_genes.tsv"


@contextmanager
def open_data(name: str) -> Iterator[io.TextIOWrapper]:
    """Open a packaged table as UTF-8 text, decompressing .gz files."""
    resource = files("cnvbeacon.shared").joinpath("data", name)
    with resource.open("rb") as raw:
        binary = gzip.GzipFile(fileobj=raw) if name.endswith(".gz") else raw
        with io.TextIOWrapper(binary, encoding="utf-8", newline="") as text:
            yield text

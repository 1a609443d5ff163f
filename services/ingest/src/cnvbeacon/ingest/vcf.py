"""CNV VCF -> call documents: the one place that knows VCF flavours.

``read_vcf(path, ...)`` reads the header at once (so bad files fail before any work) and
returns a :class:`VcfReader`; iterating it streams the records and yields batches of call
documents, plain dicts with exactly the keys of :class:`cnvbeacon.shared.models.CnvCall`.
Memory stays bounded by the read chunk and the batch size, whatever the file size.

The Python code here decides every meaning and every error. A compiled scanner
(``_record_scan.c``) turns the common records into the same documents without the interpreter's
cost per record, calling this module's parsers for values it has not seen and leaving every
other line to it; ``read_vcf(..., compiled=False)`` runs this code alone (the reference the
tests compare it with).

Rules (tests/ingest/test_vcf.py shows each on a fixture):

* Coordinates are 0-based half-open. For symbolic alleles POS is the padding base, so
  ``start = POS`` and ``end = END`` (else ``POS + |SVLEN|``, else ``POS + REFLEN``).
* One call per carrier sample and ALT allele. A sample carries a record if its GT calls a
  non-reference allele; without a called GT (none, "." or "./."), if its CN differs from the
  baseline. With neither, only the sample of a single-sample file carries it (such callers,
  DRAGEN 2.x among them, write only the records they call).
* Skipped, and counted by reason (:class:`SkipReason`): ALT "." (DRAGEN 3.7+ REF segments;
  also gVCF-style <*> and <NON_REF> blocks), DRAGEN:REF/CNLOH records, records whose ALT
  alleles are all SNVs, indels, <INS>, <INV>, breakends or mobile elements, and records no
  sample carries or that are copy-neutral.
* Direction: a DRAGEN ID (``DRAGEN:LOSS:...``/``GAIN``/``GAINLOH``) decides for the whole
  record (one call per carrier, also for DRAGEN 4's multi-allelic ``<DEL>,<DUP>``); else the
  allele (``<DEL>``, ``<DUP>``, ``<CNk>``); for ``<CNV>`` the INFO SVTYPE (DEL/DUP), else CN
  against the baseline ploidy (equal: copy-neutral, not stored; no CN: unknown, "CNV").
* ``<CNk>`` alleles are per-haplotype copy counts, as in 1000 Genomes phase 3: REF is one copy
  per haplotype, so ``<CN0>`` is a loss, ``<CN1>`` neutral and ``<CN2>``, ``<CN3>``... gains. A
  sample's copy number is FORMAT CN, else the sum over its called haplotypes. A sample carrying
  two different ALT alleles (e.g. ``<CN0>|<CN3>``) gets one call per allele, each with the copy
  number that allele alone would give (baseline - 1 + k) and an ``_id`` suffixed ``:<allele>``.
* Baseline ploidy 2; 1 for X and Y of males outside the pseudo-autosomal regions (by the
  call's midpoint), and 1 wherever the GT is haploid. Sex comes from ``sample_metadata``, else
  from DRAGEN's ``--sample-sex`` for single-sample files.
* ``_id`` is ``{dataset_id}:{file_digest[:16]}:{source_line}:{sample_index}`` (0-based sample
  column), so a retried job or a resubmitted file produces the same ids. The digest (sha256
  of the raw file bytes) must be known before the first document, so it is either passed in
  (the worker hashes while staging the file) or computed by one extra read at ``read_vcf``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from cnvbeacon.ingest._record_scan import RecordScanner
from cnvbeacon.ingest.assemblies import (
    CHROMOSOME_LENGTHS,
    PRIMARY_CHROMOSOMES,
    midpoint_in_regions,
    normalise_assembly,
    normalise_chromosome,
    pseudoautosomal_regions,
)
from cnvbeacon.ingest.vcf_header import VcfHeader, read_header
from cnvbeacon.ingest.vcf_source import TextLines, VcfFormatError, sha256_of_file
from cnvbeacon.shared.intervals import MAX_LENGTH_CLASS, length_class
from cnvbeacon.shared.models import CnvCall, Sex
from cnvbeacon.shared.vocabulary import (
    HEMIZYGOUS,
    HETEROZYGOUS,
    HOMOZYGOUS,
    Direction,
    classify_copy_number,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ParseStats",
    "SampleInfo",
    "SkipReason",
    "VcfFormatError",
    "VcfHeader",
    "VcfReader",
    "read_vcf",
]

# Measured (bench/bench_parse.py): batches of ~1000 documents parse about a third faster than
# batches of 5000, which outgrow the CPU caches before they are handed out.
DEFAULT_BATCH_SIZE = 1000


class SkipReason:
    """Why a record produced no call (the keys of ``ParseStats.skipped_by_reason``)."""

    REF_SEGMENT = "copy-neutral REF segment"
    COPY_NEUTRAL = "copy-neutral"
    COPY_NEUTRAL_LOH = "copy-neutral LOH"
    SNV = "not a CNV (SNV)"
    MNV = "not a CNV (MNV)"
    INDEL = "not a CNV (indel)"
    INSERTION = "insertion"
    INVERSION = "inversion"
    BREAKEND = "breakend"
    MOBILE_ELEMENT = "mobile element"
    OTHER_SYMBOLIC = "not a CNV (other symbolic allele)"
    NO_CARRIER = "no carrier"


@dataclass(slots=True)
class ParseStats:
    """Counts of one pass over a file; updated before every batch is handed out."""

    records_read: int = 0
    calls_produced: int = 0
    records_skipped: int = 0
    skipped_by_reason: dict[str, int] = field(default_factory=dict)


class _Allele(NamedTuple):
    """What one ALT allele means for copy number."""

    is_cnv: bool
    direction: Direction | None  # stated by the allele itself (<DEL>, <DUP>, <CN0>, <CN3>...)
    copies: int | None  # k of <CNk>: copies on the haplotype carrying the allele
    skip_reason: str | None  # for alleles that are not copy-number changes


class _Alt(NamedTuple):
    """An ALT column, classified once per distinct value."""

    alleles: tuple[_Allele, ...]
    # Set if no allele is a copy-number change: the record is skipped for this reason.
    skip_reason: str | None
    # Some CNV allele has no direction of its own (<CNV>): INFO SVTYPE may give one.
    needs_svtype: bool


class _Genotype(NamedTuple):
    alleles: tuple[int | None, ...]
    # Distinct non-reference alleles called, in order of appearance.
    carried: tuple[int, ...]
    haploid: bool
    any_missing: bool
    # Zygosity of the non-reference alleles taken together (GENO id or None).
    zygosity_id: str | None
    highest_allele: int


class _FormatIndices(NamedTuple):
    """Positions of GT, CN and SM in a FORMAT column (-1: absent)."""

    genotype: int
    copy_number: int
    copy_ratio: int


class _Contig(NamedTuple):
    chrom: str
    length: int | None
    sex_chromosome: bool  # X or Y: the baseline depends on sex and PARs
    # Of this chromosome in the reader's assembly.
    pseudoautosomal_regions: tuple[tuple[int, int], ...]


class SampleInfo(NamedTuple):
    """A sample column and what is known about its sample."""

    biosample_id: str
    individual_id: str
    sex: Sex | None
    population: str | None
    superpopulation: str | None
    # Male by sample_metadata or, lacking that, by DRAGEN's --sample-sex: X/Y ploidy is 1.
    is_male: bool


# The event type DRAGEN writes in its IDs (DRAGEN:LOSS:chr1:1001-2000) decides the direction,
# also where ALT cannot (LOH records are written as multi-allelic <DEL>,<DUP>).
_DRAGEN_EVENT_DIRECTIONS: dict[str, Direction] = {
    "LOSS": Direction.LOSS,
    "GAIN": Direction.GAIN,
    "GAINLOH": Direction.GAIN,
}
_DRAGEN_EVENT_SKIPS: dict[str, str] = {
    "CNLOH": SkipReason.COPY_NEUTRAL_LOH,
    "REF": SkipReason.REF_SEGMENT,
}
_SVTYPE_DIRECTIONS = {"DEL": Direction.LOSS, "DUP": Direction.GAIN}
# Plain strings for the documents (Enum.value is a slow descriptor in the hot loop).
_DIRECTION_VALUES: dict[Direction, str] = {direction: direction.value for direction in Direction}
_COPY_NUMBER_ALLELE = re.compile(r"CN(\d+)")
_SEXES: dict[str, Sex] = {"female": "female", "male": "male", "unknown": "unknown"}
# The keys of a call document, in the order of CnvCall's fields ("_id" is the alias of id).
_DOCUMENT_KEYS = tuple(
    field_info.alias or name for name, field_info in CnvCall.model_fields.items()
)
# Largest number of distinct values a column-parsing cache keeps.
_CACHE_LIMIT = 4096
# Numbers must be finite (documents become JSON); NaN fails every comparison with this too.
_FINITE_LIMIT = 1e308
_NOT_FINITE = float("nan")


def read_vcf(
    path: str | os.PathLike[str],
    *,
    dataset_id: str,
    job_id: str,
    assembly: str | None = None,
    sample_metadata: Mapping[str, Mapping[str, Any]] | None = None,
    file_digest: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    display_name: str | None = None,
    compiled: bool = True,
) -> VcfReader:
    """Open a CNV VCF (plain, gzip or BGZF) and read its header.

    ``assembly`` overrides what the header implies but must not contradict its contig
    lengths. ``sample_metadata`` maps sample column names to dicts with any of
    ``individual_id``, ``sex``, ``population``, ``superpopulation``. ``file_digest`` is the
    sha256 hex of the raw file; computed here if not given. ``display_name`` names the file in
    errors (default: the file name). ``compiled=False`` parses with the reference Python code
    only (for tests that compare both). Raises VcfFormatError for unreadable files and headers.
    """
    file_path = Path(path)
    name = display_name or file_path.name
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    source = TextLines(file_path, name)
    header, records = read_header(source)
    resolved_assembly = _resolve_assembly(header, assembly, name)
    samples = _samples(header, sample_metadata)
    return VcfReader(
        source=source,
        records=records,
        header=header,
        assembly=resolved_assembly,
        samples=samples,
        dataset_id=dataset_id,
        job_id=job_id,
        file_digest=file_digest or sha256_of_file(file_path),
        batch_size=batch_size,
        file_size=file_path.stat().st_size,
        compiled=compiled,
    )


def _resolve_assembly(header: VcfHeader, stated: str | None, name: str) -> str:
    by_lengths = header.assemblies_by_contig_lengths()
    if not by_lengths:
        raise VcfFormatError(
            name, None, "the ##contig lengths match neither GRCh38 nor GRCh37 (or each other)"
        )
    if stated is not None:
        try:
            assembly = normalise_assembly(stated)
        except ValueError as error:
            raise VcfFormatError(name, None, str(error)) from None
        if assembly not in by_lengths:
            raise VcfFormatError(
                name,
                None,
                f"assembly {stated} was given, but the ##contig lengths are those of "
                f"{by_lengths.pop()}",
            )
        return assembly
    if len(by_lengths) == 1:
        return by_lengths.pop()
    named = header.assembly_named_in_reference()
    if named is not None:
        return named
    raise VcfFormatError(
        name,
        None,
        "cannot tell the assembly: the header has no ##contig lengths of chromosomes "
        "(give the assembly explicitly)",
    )


def _samples(
    header: VcfHeader, metadata: Mapping[str, Mapping[str, Any]] | None
) -> tuple[SampleInfo, ...]:
    # DRAGEN's --sample-sex describes the one sample of a single-sample run.
    header_sex = header.dragen_sample_sex if len(header.samples) == 1 else None
    samples = []
    for name in header.samples:
        info = (metadata or {}).get(name) or {}
        sex = _sex(info.get("sex"), name)
        ploidy_sex = sex if sex in ("female", "male") else header_sex
        samples.append(
            SampleInfo(
                biosample_id=name,
                individual_id=str(info.get("individual_id") or name),
                sex=sex,
                population=_optional_text(info.get("population")),
                superpopulation=_optional_text(info.get("superpopulation")),
                is_male=ploidy_sex == "male",
            )
        )
    return tuple(samples)


def _sex(value: object, sample: str) -> Sex | None:
    if value is None:
        return None
    sex = _SEXES.get(str(value).strip().lower())
    if sex is None:
        raise ValueError(f"sample {sample}: sex must be female, male or unknown, not {value!r}")
    return sex


def _optional_text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _classify_allele(allele: str, ref: str) -> _Allele:
    if allele.startswith("<") and allele.endswith(">"):
        symbol = allele[1:-1].upper()
        base = symbol.split(":", 1)[0]
        if ":ME" in symbol or base in ("ME", "MEI"):
            return _Allele(False, None, None, SkipReason.MOBILE_ELEMENT)
        if base == "DEL":
            return _Allele(True, Direction.LOSS, None, None)
        if base == "DUP":
            return _Allele(True, Direction.GAIN, None, None)
        if base == "CNV":
            return _Allele(True, None, None, None)
        if match := _COPY_NUMBER_ALLELE.fullmatch(base):
            copies = int(match.group(1))
            direction = Direction.LOSS if copies < 1 else Direction.GAIN if copies > 1 else None
            return _Allele(True, direction, copies, None)
        if base == "INS":
            return _Allele(False, None, None, SkipReason.INSERTION)
        if base == "INV":
            return _Allele(False, None, None, SkipReason.INVERSION)
        if base == "BND":
            return _Allele(False, None, None, SkipReason.BREAKEND)
        return _Allele(False, None, None, SkipReason.OTHER_SYMBOLIC)
    if (
        "[" in allele
        or "]" in allele
        or (len(allele) > 1 and (allele.startswith(".") or allele.endswith(".")))
    ):
        return _Allele(False, None, None, SkipReason.BREAKEND)
    if len(allele) != len(ref) or allele == "*":
        return _Allele(False, None, None, SkipReason.INDEL)
    return _Allele(False, None, None, SkipReason.SNV if len(allele) == 1 else SkipReason.MNV)


def _classify_alt(alt: str, ref: str) -> _Alt:
    alleles = tuple(_classify_allele(allele, ref) for allele in alt.split(","))
    cnv_alleles = [allele for allele in alleles if allele.is_cnv]
    skip_reason = None
    if not cnv_alleles:
        skip_reason = next((a.skip_reason for a in alleles if a.skip_reason), SkipReason.INDEL)
    needs_svtype = any(a.direction is None and a.copies is None for a in cnv_alleles)
    return _Alt(alleles, skip_reason, needs_svtype)


def _parse_genotype(text: str) -> _Genotype | None:
    """None if the text is not a GT value (e.g. "0/1", "1|0", "./1", "1", "1/2")."""
    parts = text.replace("|", "/").split("/")
    alleles: list[int | None] = []
    for part in parts:
        if part == ".":
            alleles.append(None)
        elif part.isdigit():
            alleles.append(int(part))
        else:
            return None
    called = tuple(alleles)
    carried = tuple(dict.fromkeys(a for a in called if a))
    highest = max(carried, default=0)
    genotype = _Genotype(called, carried, len(called) == 1, None in called, None, highest)
    return genotype._replace(zygosity_id=_zygosity(genotype, None))


def _zygosity(genotype: _Genotype, allele: int | None) -> str | None:
    """GENO zygosity of the haplotypes carrying ``allele`` (None: any non-reference allele).

    Haploid carriers are hemizygous; a genotype with a missing haplotype ("./1") has none, and
    so has a whole-record view of a genotype with two different ALT alleles ("1/2").
    """
    if genotype.haploid:
        return HEMIZYGOUS.id if genotype.carried else None
    if genotype.any_missing or (allele is None and len(genotype.carried) > 1):
        return None
    in_call = [a for a in genotype.alleles if (a == allele if allele is not None else a)]
    if not in_call:
        return None
    return HOMOZYGOUS.id if len(in_call) == len(genotype.alleles) else HETEROZYGOUS.id


def _info_value(info: str, key: str) -> str | None:
    """The value of one INFO key, without splitting the whole field (a hot path)."""
    if info.startswith(key + "="):
        start = len(key) + 1
    else:
        found = info.find(";" + key + "=")
        if found < 0:
            return None
        start = found + len(key) + 2
    stop = info.find(";", start)
    return info[start:] if stop < 0 else info[start:stop]


class VcfReader:
    """One CNV VCF: header facts, and an iterable of call-document batches.

    Each iteration reads the file from the start and resets :attr:`stats`. Not thread-safe;
    iterate it in the thread or process that parses.
    """

    def __init__(
        self,
        *,
        source: TextLines,
        records: Iterator[list[str]],
        header: VcfHeader,
        assembly: str,
        samples: tuple[SampleInfo, ...],
        dataset_id: str,
        job_id: str,
        file_digest: str,
        batch_size: int,
        file_size: int,
        compiled: bool = True,
    ) -> None:
        self._source = source
        # The rest of the pass that read the header: the first iteration continues it.
        self._first_pass: Iterator[list[str]] | None = records
        self.header = header
        self.assembly = assembly
        self._samples = samples
        self.dataset_id = dataset_id
        self.job_id = job_id
        self.file_digest = file_digest
        self.batch_size = batch_size
        self._file_size = file_size
        self._compiled = compiled
        self._id_prefix = f"{dataset_id}:{file_digest[:16]}:"
        self.stats = ParseStats()
        # Caches of parsed column values; all but the contig one are capped in size because
        # their keys come from the file.
        self._contigs: dict[str, _Contig] = {}
        self._alts: dict[str, _Alt] = {}
        self._genotypes: dict[str, _Genotype] = {}
        self._formats: dict[str, _FormatIndices] = {}
        # FILTER text -> (names, is PASS); the list is shared by the documents of all records
        # with that text (documents are written, never modified).
        self._filters: dict[str, tuple[list[str], bool]] = {}
        self._outcomes: dict[_OutcomeKey, _SampleOutcome] = {}
        self._templates = [self._document_template(sample) for sample in samples]

    def _document_template(self, sample: SampleInfo) -> dict[str, Any]:
        """A call document of this sample with the per-record fields still unset (None)."""
        template: dict[str, Any] = dict.fromkeys(_DOCUMENT_KEYS)
        template.update(
            dataset_id=self.dataset_id,
            assembly=self.assembly,
            biosample_id=sample.biosample_id,
            individual_id=sample.individual_id,
            sex=sample.sex,
            population=sample.population,
            superpopulation=sample.superpopulation,
            file_digest=self.file_digest,
            job_id=self.job_id,
        )
        return template

    @property
    def samples(self) -> tuple[str, ...]:
        return self.header.samples

    @property
    def sample_details(self) -> tuple[SampleInfo, ...]:
        return self._samples

    @property
    def source(self) -> str | None:
        """The caller that wrote the file, e.g. "DRAGEN" or "DRAGEN_CNV"."""
        return self.header.source

    @property
    def display_name(self) -> str:
        return self._source.display_name

    @property
    def fraction_read(self) -> float:
        """How much of the file the current pass has read, 0..1."""
        if self._file_size == 0:
            return 1.0
        return min(1.0, self._source.bytes_read / self._file_size)

    def __iter__(self) -> Iterator[list[dict[str, Any]]]:
        return self._batches()

    def _error(self, line: int | None, message: str) -> VcfFormatError:
        return VcfFormatError(self._source.display_name, line, message)

    def _batches(self) -> Iterator[list[dict[str, Any]]]:
        self.stats = stats = ParseStats()
        skipped = stats.skipped_by_reason
        batch: list[dict[str, Any]] = []
        batch_size = self.batch_size
        header_lines = self.header.line_count
        scan = self._compiled_scanner().scan if self._compiled else self._scan
        line_number = header_lines
        records = 0
        calls = 0
        chunks, self._first_pass = self._first_pass, None
        if chunks is None:
            chunks = self._skip_header(self._source.chunks(), header_lines)
        for chunk in chunks:
            index = 0
            while index < len(chunk):
                index, line_number, scanned = scan(chunk, index, line_number, batch, skipped)
                records += scanned
                if len(batch) >= batch_size:
                    calls += len(batch)
                    stats.records_read = records
                    stats.calls_produced = calls
                    stats.records_skipped = sum(skipped.values())
                    yield batch
                    batch = []
        stats.records_read = records
        stats.calls_produced = calls + len(batch)
        stats.records_skipped = sum(skipped.values())
        if batch:
            yield batch

    def _scan(
        self,
        lines: list[str],
        index: int,
        line_number: int,
        batch: list[dict[str, Any]],
        skipped: dict[str, int],
    ) -> tuple[int, int, int]:
        """Turn ``lines[index:]`` into documents until they end or the batch is full.

        ``line_number`` is the number of the line before ``lines[index]``. Returns where it
        stopped, the number of the last line read and how many records it read. The reference
        implementation of ``RecordScanner.scan`` (the compiled one, used unless the reader was
        opened with ``compiled=False``).
        """
        batch_size = self.batch_size
        line_calls = self._line_calls
        records = 0
        while index < len(lines):
            line = lines[index]
            index += 1
            line_number += 1
            if not line:
                continue
            records += 1
            reason = line_calls(line, line_number, batch)
            if reason is not None:
                skipped[reason] = skipped.get(reason, 0) + 1
            elif len(batch) >= batch_size:
                break
        return index, line_number, records

    def _compiled_scanner(self) -> RecordScanner:
        """The compiled scan of one pass: it reads this reader's caches, calls its parsers for
        values not in them and leaves every other line to :meth:`_line_calls`."""
        return RecordScanner(
            contigs=self._contigs,
            alts=self._alts,
            filters=self._filters,
            formats=self._formats,
            outcomes=self._outcomes,
            contig_of=self._contig,
            alt_of=self._alt,
            filter_of=self._filter,
            format_of=self._format_indices,
            outcome_of=self._sample_outcome,
            end_of=self._end_without_end_key,
            record_calls=self._line_calls,
            samples=tuple(
                (sample.is_male, template, sample.biosample_id)
                for sample, template in zip(self._samples, self._templates, strict=True)
            ),
            id_prefix=self._id_prefix,
            event_directions=_DRAGEN_EVENT_DIRECTIONS,
            event_skips=_DRAGEN_EVENT_SKIPS,
            svtype_directions=_SVTYPE_DIRECTIONS,
            ref_segment=SkipReason.REF_SEGMENT,
            copy_neutral=SkipReason.COPY_NEUTRAL,
            no_carrier=SkipReason.NO_CARRIER,
            column_count=self.header.column_count,
            batch_size=self.batch_size,
            max_length_class=MAX_LENGTH_CLASS,
        )

    def _line_calls(self, line: str, line_number: int, batch: list[dict[str, Any]]) -> str | None:
        """Append the calls of one record line to ``batch``; return why there are none, if so."""
        fields = line.split("\t")
        if len(fields) != self.header.column_count:
            raise self._column_count_error(line_number, len(fields))
        return self._record_calls(fields, line_number, batch)

    @staticmethod
    def _skip_header(chunks: Iterator[list[str]], header_lines: int) -> Iterator[list[str]]:
        skipped = 0
        for chunk in chunks:
            if skipped < header_lines:
                skip = min(header_lines - skipped, len(chunk))
                skipped += skip
                chunk = chunk[skip:]
            yield chunk

    def _column_count_error(self, line_number: int, found: int) -> VcfFormatError:
        samples = len(self.header.samples)
        expected = self.header.column_count
        described = "8 fixed"
        if self.header.has_format_column:
            described += f", FORMAT and {samples} sample{'' if samples == 1 else 's'}"
        return self._error(
            line_number,
            f"expected {expected} tab-separated columns ({described}, as in the #CHROM line), "
            f"found {found}",
        )

    # -- column parsers with caches --------------------------------------------------------

    def _contig(self, name: str, line_number: int) -> _Contig:
        contig = self._contigs.get(name)
        if contig is not None:
            return contig
        chrom = normalise_chromosome(name)
        if name not in self.header.contigs and chrom not in PRIMARY_CHROMOSOMES:
            raise self._error(
                line_number,
                f"unknown contig {name!r}: not in the header's ##contig lines and not a "
                f"chromosome of {self.assembly}",
            )
        length = self.header.contigs.get(name) or CHROMOSOME_LENGTHS[self.assembly].get(chrom)
        contig = _Contig(
            chrom,
            length,
            chrom in ("X", "Y"),
            pseudoautosomal_regions(self.assembly, chrom),
        )
        self._contigs[name] = contig
        return contig

    def _alt(self, alt: str, ref: str) -> _Alt:
        parsed = self._alts.get(alt)
        if parsed is None:
            parsed = _classify_alt(alt, ref)
            # Sequence alleles are unbounded in variety; only symbolic ones are worth keeping.
            if alt.startswith("<") and len(self._alts) < _CACHE_LIMIT:
                self._alts[alt] = parsed
        return parsed

    def _format_indices(self, format_field: str) -> _FormatIndices:
        indices = self._formats.get(format_field)
        if indices is None:
            keys = format_field.split(":")
            indices = _FormatIndices(
                *(keys.index(key) if key in keys else -1 for key in ("GT", "CN", "SM"))
            )
            if len(self._formats) < _CACHE_LIMIT:
                self._formats[format_field] = indices
        return indices

    def _genotype(self, text: str, line_number: int) -> _Genotype:
        genotype = self._genotypes.get(text)
        if genotype is None:
            genotype = _parse_genotype(text)
            if genotype is None:
                raise self._error(line_number, f"GT {text!r} is not a genotype")
            if len(self._genotypes) < _CACHE_LIMIT:
                self._genotypes[text] = genotype
        return genotype

    def _filter(self, text: str) -> tuple[list[str], bool]:
        parsed = self._filters.get(text)
        if parsed is None:
            names = [] if text == "." else text.split(";")
            parsed = (names, names == ["PASS"])
            if len(self._filters) < _CACHE_LIMIT:
                self._filters[text] = parsed
        return parsed

    def _number(self, text: str, what: str, line_number: int) -> float | None:
        """A numeric column or field; None for "." or empty."""
        if text == "." or not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = _NOT_FINITE
        if not -_FINITE_LIMIT < value < _FINITE_LIMIT:  # also rejects nan
            raise self._error(line_number, f"{what} {text!r} is not a number")
        return value

    def _end_without_end_key(self, info: str, pos: int, line_number: int) -> int:
        """The end when END is not first-found: END elsewhere, else POS + |SVLEN| or REFLEN."""
        end_text = _info_value(info, "END")
        if end_text is not None:
            if not end_text.isdigit():
                raise self._error(line_number, f"END {end_text!r} is not a whole number")
            return int(end_text)
        for key in ("SVLEN", "REFLEN"):
            text = _info_value(info, key)
            if text is not None and text != ".":
                first = text.split(",", 1)[0].removeprefix("-")
                if not first.isdigit():
                    raise self._error(line_number, f"{key} {text!r} is not a whole number")
                return pos + int(first)
        raise self._error(line_number, "the record has no END, SVLEN or REFLEN: its end is unknown")

    def _interval_error(self, pos: int, end: int, line_number: int) -> VcfFormatError:
        if end < pos:
            return self._error(line_number, f"END ({end}) is before POS ({pos})")
        return self._error(line_number, f"END ({end}) equals POS ({pos}): no bases affected")

    def _sample_outcome(
        self,
        key: _OutcomeKey,
        alt: _Alt,
        biosample_id: str,
        single_sample: bool,
        line_number: int,
    ) -> _SampleOutcome:
        """The calls a sample's GT and CN give on a record (cached by ``key``)."""
        gt_text, cn_text, sex_baseline, _, event, svtype_direction = key
        copy_number = None if cn_text is None else self._number(cn_text, "CN", line_number)
        genotype = None
        if gt_text == ".":
            gt_text = None
        elif gt_text is not None:
            genotype = self._genotype(gt_text, line_number)
            if genotype.highest_allele > len(alt.alleles):
                raise self._error(
                    line_number,
                    f"GT {gt_text} of sample {biosample_id} names allele "
                    f"{genotype.highest_allele}, but ALT has {len(alt.alleles)}",
                )
            if not genotype.carried and genotype.any_missing:
                genotype = None  # "./." says nothing: the copy number decides
        baseline = 1 if genotype is not None and genotype.haploid else sex_baseline
        calls: Sequence[_Call] = ()
        if genotype is None and copy_number is None and not single_sample:
            pass  # nothing says this sample carries the record
        elif genotype is not None and event is not None:
            # A DRAGEN ID names the event of the whole record, whatever allele GT names.
            if genotype.carried:
                calls = ((None, event, copy_number, genotype.zygosity_id),)
        else:
            calls = _sample_calls(event, alt, svtype_direction, genotype, copy_number, baseline)
        outcome = (
            tuple(
                (
                    "" if allele_number is None else f":{allele_number}",
                    _DIRECTION_VALUES[direction],
                    classify_copy_number(direction, call_copy_number, baseline),
                    call_copy_number,
                    zygosity_id,
                    gt_text,
                )
                for allele_number, direction, call_copy_number, zygosity_id in calls
                if direction is not None
            ),
            any(direction is None for _, direction, _, _ in calls),
        )
        if len(self._outcomes) < _CACHE_LIMIT:
            self._outcomes[key] = outcome
        return outcome

    # -- one record ------------------------------------------------------------------------

    def _record_calls(
        self, fields: list[str], line_number: int, batch: list[dict[str, Any]]
    ) -> str | None:
        """Append the record's calls to ``batch``; return why there are none, if so.

        The reference for every record: the compiled scanner (_record_scan.c) gives the same
        documents for the common records (calling this reader's column parsers for values
        not in the caches) and leaves every other record here. Written flat, with cached
        column parsers, as it is the whole path when ``compiled=False``.
        """
        contig = self._contigs.get(fields[0]) or self._contig(fields[0], line_number)
        pos_text = fields[1]
        if not pos_text.isdigit():
            raise self._error(line_number, f"POS {pos_text!r} is not a whole number >= 0")
        start = int(pos_text)
        alt_text = fields[4]
        if alt_text == "." or alt_text == "<*>" or alt_text == "<NON_REF>":
            return SkipReason.REF_SEGMENT
        alt = self._alts.get(alt_text) or self._alt(alt_text, fields[3])
        if alt.skip_reason is not None:
            return alt.skip_reason
        id_text = fields[2]
        vcf_id = None if id_text == "." else id_text
        event: Direction | None = None
        if id_text.startswith("DRAGEN:"):
            event_type = id_text.split(":", 2)[1]
            if event_type in _DRAGEN_EVENT_SKIPS:
                return _DRAGEN_EVENT_SKIPS[event_type]
            event = _DRAGEN_EVENT_DIRECTIONS.get(event_type)
        info = fields[7]
        # END is nearly always there: find it without a function call.
        found = info.find("END=")
        if found == 0 or (found > 0 and info[found - 1] == ";"):
            stop = info.find(";", found)
            end_text = info[found + 4 :] if stop < 0 else info[found + 4 : stop]
            if not end_text.isdigit():
                raise self._error(line_number, f"END {end_text!r} is not a whole number")
            end = int(end_text)
        else:
            end = self._end_without_end_key(info, start, line_number)
        if end <= start:
            raise self._interval_error(start, end, line_number)
        chrom = contig.chrom
        if contig.length is not None and end > contig.length:
            raise self._error(
                line_number, f"END ({end}) is beyond the end of {fields[0]} ({contig.length})"
            )
        samples = self._samples
        if not samples:
            return SkipReason.NO_CARRIER
        male_baseline = 2
        if contig.sex_chromosome and not midpoint_in_regions(
            contig.pseudoautosomal_regions, start, end
        ):
            male_baseline = 1
        svtype_direction = None
        if alt.needs_svtype and event is None:
            svtype_direction = _SVTYPE_DIRECTIONS.get(_info_value(info, "SVTYPE") or "")
        try:
            quality: float | None = float(fields[5])
        except ValueError:
            quality = None
        if quality is None or not -_FINITE_LIMIT < quality < _FINITE_LIMIT:
            quality = self._number(fields[5], "QUAL", line_number)
        filters, is_pass = self._filters.get(fields[6]) or self._filter(fields[6])
        gt_index, cn_index, sm_index = self._formats.get(fields[8]) or self._format_indices(
            fields[8]
        )
        length = end - start
        size_class = length_class(length)
        id_prefix = self._id_prefix
        templates = self._templates
        outcomes = self._outcomes
        produced = 0
        saw_neutral = False
        for sample_index, sample in enumerate(samples):
            values = fields[9 + sample_index].split(":")
            count = len(values)
            gt_text = values[gt_index] if 0 <= gt_index < count else None
            cn_text = values[cn_index] if 0 <= cn_index < count else None
            sex_baseline = male_baseline if sample.is_male else 2
            # What a sample's GT and CN mean depends only on these; few distinct keys recur.
            key = (gt_text, cn_text, sex_baseline, alt_text, event, svtype_direction)
            outcome = outcomes.get(key)
            if outcome is None:
                outcome = self._sample_outcome(
                    key, alt, sample.biosample_id, len(samples) == 1, line_number
                )
            calls, neutral = outcome
            if neutral:
                saw_neutral = True
            if not calls:
                continue
            copy_ratio: float | None = None
            if 0 <= sm_index < count:
                # float() first: a method call per value costs more than the rare fallback.
                try:
                    copy_ratio = float(values[sm_index])
                except ValueError:
                    copy_ratio = self._number(values[sm_index], "SM", line_number)
                else:
                    if not -_FINITE_LIMIT < copy_ratio < _FINITE_LIMIT:
                        copy_ratio = self._number(values[sm_index], "SM", line_number)
            template = templates[sample_index]
            for id_suffix, variant_type, efo_id, copy_number, zygosity_id, genotype in calls:
                # Copying a per-sample template (static fields set, all keys in CnvCall order)
                # and setting the rest is twice as fast as a 26-key dict literal.
                document = template.copy()
                document["_id"] = f"{id_prefix}{line_number}:{sample_index}{id_suffix}"
                document["chrom"] = chrom
                document["start"] = start
                document["end"] = end
                document["length"] = length
                document["length_class"] = size_class
                document["variant_type"] = variant_type
                document["efo_id"] = efo_id
                document["copy_number"] = copy_number
                document["copy_ratio"] = copy_ratio
                document["genotype"] = genotype
                document["zygosity_id"] = zygosity_id
                document["quality"] = quality
                document["filters"] = filters
                document["is_pass"] = is_pass
                document["vcf_id"] = vcf_id
                document["source_line"] = line_number
                batch.append(document)
                produced += 1
        if produced:
            return None
        return SkipReason.COPY_NEUTRAL if saw_neutral else SkipReason.NO_CARRIER


# (ALT allele number when the sample carries several, else None; direction, None if the call is
# copy-neutral; copy number; zygosity GENO id)
_Call = tuple[int | None, Direction | None, float | None, str | None]
# What decides a sample's calls on a record: (GT text, CN text, baseline ploidy by sex and
# position, ALT text, direction named by a DRAGEN ID, direction from INFO SVTYPE).
_OutcomeKey = tuple[str | None, str | None, int, str, Direction | None, Direction | None]
# Per call: (_id suffix, variant_type, efo_id, copy_number, zygosity_id, genotype text);
# and whether some allele was copy-neutral.
_SampleOutcome = tuple[tuple[tuple[str, str, str, float | None, str | None, str | None], ...], bool]


def _sample_calls(
    event: Direction | None,
    alt: _Alt,
    svtype_direction: Direction | None,
    genotype: _Genotype | None,
    copy_number: float | None,
    baseline: int,
) -> list[_Call]:
    """The calls of one sample on one record, for every case but a DRAGEN event with a GT."""
    alleles = alt.alleles
    if genotype is None:
        # No called genotype: the copy number decides whether the sample carries the record.
        if copy_number is not None and copy_number == baseline:
            return [(None, None, copy_number, None)]
        allele = alleles[0] if len(alleles) == 1 else None
        direction = _direction(event, allele, svtype_direction, copy_number, baseline)
        return [(None, direction, copy_number, None)]
    carried_cnv = [a for a in genotype.carried if alleles[a - 1].is_cnv]
    if len(carried_cnv) == 1:
        allele = alleles[carried_cnv[0] - 1]
        if copy_number is None:
            copy_number = _copies(genotype, alleles)
        direction = _direction(None, allele, svtype_direction, copy_number, baseline)
        return [(None, direction, copy_number, _zygosity(genotype, carried_cnv[0]))]
    calls: list[_Call] = []
    for allele_number in carried_cnv:
        allele = alleles[allele_number - 1]
        # Each allele of a compound genotype gets the copy number it would give alone, against
        # an otherwise reference background; the sample's total describes neither.
        allele_copy_number = (
            float(baseline - 1 + allele.copies) if allele.copies is not None else None
        )
        direction = _direction(None, allele, svtype_direction, allele_copy_number, baseline)
        calls.append(
            (allele_number, direction, allele_copy_number, _zygosity(genotype, allele_number))
        )
    return calls


def _direction(
    event: Direction | None,
    allele: _Allele | None,
    svtype_direction: Direction | None,
    copy_number: float | None,
    baseline: int,
) -> Direction | None:
    """The direction of a call; None if it is copy-neutral."""
    if event is not None:
        return event
    if allele is not None:
        if allele.direction is not None:
            return allele.direction
        if allele.copies == 1:
            return None
    if svtype_direction is not None:
        return svtype_direction
    if copy_number is None:
        return Direction.UNKNOWN
    if copy_number < baseline:
        return Direction.LOSS
    if copy_number > baseline:
        return Direction.GAIN
    return None


def _copies(genotype: _Genotype, alleles: tuple[_Allele, ...]) -> float | None:
    """Total copies when every haplotype is called and each is REF (1 copy) or <CNk> (k)."""
    total = 0
    for allele_number in genotype.alleles:
        if allele_number is None:
            return None
        if allele_number == 0:
            total += 1
            continue
        copies = alleles[allele_number - 1].copies
        if copies is None:
            return None
        total += copies
    return float(total)

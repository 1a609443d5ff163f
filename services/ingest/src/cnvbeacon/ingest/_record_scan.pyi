"""Type stub of the compiled fast path of cnvbeacon.ingest.vcf (_record_scan.c)."""

from collections.abc import Callable
from typing import Any

class RecordScanner:
    def __init__(
        self,
        *,
        contigs: dict[str, Any],
        alts: dict[str, Any],
        filters: dict[str, Any],
        formats: dict[str, Any],
        outcomes: dict[Any, Any],
        contig_of: Callable[[str, int], Any],
        alt_of: Callable[[str, str], Any],
        filter_of: Callable[[str], Any],
        format_of: Callable[[str], Any],
        outcome_of: Callable[..., Any],
        end_of: Callable[[str, int, int], int],
        record_calls: Callable[[str, int, list[dict[str, Any]]], str | None],
        samples: tuple[tuple[bool, dict[str, Any], str], ...],
        id_prefix: str,
        event_directions: dict[str, Any],
        event_skips: dict[str, str],
        svtype_directions: dict[str, Any],
        ref_segment: str,
        copy_neutral: str,
        no_carrier: str,
        column_count: int,
        batch_size: int,
        max_length_class: int,
    ) -> None: ...
    def scan(
        self,
        lines: list[str],
        index: int,
        line_number: int,
        batch: list[dict[str, Any]],
        skipped: dict[str, int],
    ) -> tuple[int, int, int]: ...

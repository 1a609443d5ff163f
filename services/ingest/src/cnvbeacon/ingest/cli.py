"""``cnvb``: the command-line tool. One subcommand per job, each added by an ``_add_*`` function.

``cnvb convert FILE... --to beacon|pgxseg|bed|tsv`` converts CNV VCFs offline (no services).
Exit status: 0 on success, 2 for bad input or usage (the message goes to stderr).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from cnvbeacon.ingest import remote
from cnvbeacon.ingest.convert import FORMATS, ConversionSummary, convert_files
from cnvbeacon.ingest.vcf import VcfFormatError

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_BROKEN_PIPE = 1

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cnvb", description="cnvbeacon command-line tools")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_convert(subcommands)
    remote.add_parsers(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


# -- convert -------------------------------------------------------------------------------


def _add_convert(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subcommands.add_parser(
        "convert",
        help="convert CNV VCFs to Beacon JSON, pgxseg, BED or TSV (offline)",
        description="Convert CNV VCFs (plain or gzip) into one output file, streaming. "
        "Coordinates are 0-based half-open in every format.",
    )
    command.add_argument("files", nargs="+", metavar="FILE", type=Path, help="VCF files")
    command.add_argument("--to", required=True, choices=FORMATS, help="output format")
    command.add_argument("-o", "--output", type=Path, help="output file (default: standard output)")
    command.add_argument("--assembly", help="GRCh38/hg38 or GRCh37/hg19 (default: from headers)")
    command.add_argument(
        "--dataset", default="local", help="dataset id used in call ids (default: local)"
    )
    command.add_argument(
        "--json-array",
        action="store_true",
        help="with --to beacon: one JSON array instead of JSON Lines",
    )
    command.set_defaults(handler=_convert)


def _convert(args: argparse.Namespace) -> int:
    if args.json_array and args.to != "beacon":
        print("cnvb convert: --json-array needs --to beacon", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with _output(args.output) as out:
            summary = convert_files(
                args.files,
                out,
                to=args.to,
                assembly=args.assembly,
                dataset_id=args.dataset,
                json_array=args.json_array,
            )
    except VcfFormatError as error:
        print(f"cnvb convert: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as other Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as error:
        print(f"cnvb convert: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"cnvb convert: {_describe(summary)}", file=sys.stderr)
    return EXIT_OK


@contextlib.contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    """Standard output, or a file that only appears (complete) if the conversion succeeds."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        partial = Path(handle.name)
        try:
            yield handle
        except BaseException:
            handle.close()
            partial.unlink(missing_ok=True)
            raise
    os.replace(partial, path)


def _describe(summary: ConversionSummary) -> str:
    text = (
        f"{summary.files} file{'s' if summary.files != 1 else ''}, "
        f"{summary.records_read} records, {summary.calls_written} calls written, "
        f"{summary.records_skipped} records skipped"
    )
    if summary.skipped_by_reason:
        reasons = ", ".join(f"{reason}: {n}" for reason, n in summary.skipped_by_reason.items())
        text += f" ({reasons})"
    return text


if __name__ == "__main__":
    sys.exit(main())

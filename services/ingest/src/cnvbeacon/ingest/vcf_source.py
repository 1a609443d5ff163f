"""Reading a VCF's text: plain or gzip/BGZF (told apart by magic bytes), in bounded chunks.

The parser consumes lists of lines rather than one line at a time: splitting a decoded
chunk in one C call is several times faster than ``readline`` through ``gzip.open``, and the
chunk sizes bound memory whatever the file size (also for a gzip bomb).
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path

GZIP_MAGIC = b"\x1f\x8b"
# zlib window bits for a gzip wrapper (16 + max window).
_GZIP_WBITS = 16 + zlib.MAX_WBITS
# The empty block that ends every complete BGZF file (SAM/BAM specification, section 4.1.2).
BGZF_EOF_BLOCK = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
READ_BYTES = 1 << 20
# Upper bound of decompressed bytes handled per step.
MAX_DECOMPRESSED_BYTES = 8 << 20


class VcfFormatError(ValueError):
    """The input is not a VCF we can read; says which file, which line and what is wrong."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file} line {self.line}: {self.message}"

    def __reduce__(self) -> tuple[type[VcfFormatError], tuple[str, int | None, str]]:
        # Keeps the attributes when the error crosses a process boundary.
        return (type(self), (self.file, self.line, self.message))


def sha256_of_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of the raw (possibly compressed) bytes of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(READ_BYTES):
            digest.update(block)
    return digest.hexdigest()


class TextLines:
    """The decoded lines of one file, in chunks; one pass per call of :meth:`chunks`.

    Line endings (LF or CRLF) are removed. ``lines_done`` is the number of lines handed out so
    far and ``bytes_read`` how much of the raw file has been read, for progress reports.
    Compression is told by the gzip magic bytes, never by the file name.
    """

    def __init__(self, path: str | os.PathLike[str], display_name: str) -> None:
        self.path = Path(path)
        self.display_name = display_name
        self.bytes_read = 0
        self.lines_done = 0

    def _error(self, line: int | None, message: str) -> VcfFormatError:
        return VcfFormatError(self.display_name, line, message)

    def chunks(self) -> Generator[list[str], None, None]:
        self.bytes_read = 0
        self.lines_done = 0
        with open(self.path, "rb") as handle:
            first = handle.read(READ_BYTES)
            self.bytes_read = len(first)
            if not first:
                raise self._error(None, "the file is empty (0 bytes)")
            compressed = first.startswith(GZIP_MAGIC)
            if compressed and _is_bgzf(first) and not _ends_with_bgzf_eof(handle):
                # A BGZF file cut at a block boundary would otherwise read as complete.
                raise self._error(
                    None, "the BGZF file is truncated (its end-of-file block is missing)"
                )
            blocks = self._gunzip(handle, first) if compressed else self._plain(handle, first)
            yield from self._split_lines(blocks)

    def _plain(self, handle: io.BufferedReader, first: bytes) -> Iterator[bytes]:
        yield first
        while block := handle.read(READ_BYTES):
            self.bytes_read += len(block)
            yield block

    def _gunzip(self, handle: io.BufferedReader, first: bytes) -> Iterator[bytes]:
        """Decompressed blocks of every gzip member in turn (BGZF is a series of members)."""
        decompressor = zlib.decompressobj(_GZIP_WBITS)
        data = first
        while True:
            while data:
                if decompressor.eof:
                    if len(data) < len(GZIP_MAGIC) and GZIP_MAGIC.startswith(data):
                        break  # the next member's magic continues in the next read
                    if not data.startswith(GZIP_MAGIC):
                        if data.strip(b"\0"):
                            raise self._error(None, "unexpected bytes after the gzip data")
                        data = b""  # zero padding after the last member, as some tools write
                        break
                    decompressor = zlib.decompressobj(_GZIP_WBITS)
                try:
                    out = decompressor.decompress(data, MAX_DECOMPRESSED_BYTES)
                except zlib.error as error:
                    raise self._error(
                        self.lines_done + 1, f"the gzip data is corrupt ({error})"
                    ) from None
                if decompressor.eof:
                    data = decompressor.unused_data
                else:
                    data = decompressor.unconsumed_tail
                if out:
                    yield out
            block = handle.read(READ_BYTES)
            if not block:
                break
            self.bytes_read += len(block)
            data += block
        if data:
            raise self._error(None, "unexpected bytes after the gzip data")
        if not decompressor.eof:
            raise self._error(
                self.lines_done + 1,
                "the gzip data is truncated (the file ends inside a compressed block)",
            )

    def _split_lines(self, blocks: Iterator[bytes]) -> Iterator[list[str]]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        for block in blocks:
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as error:
                line = self.lines_done + block[: error.start].count(b"\n") + 1
                raise self._error(line, "not a text file: invalid UTF-8 bytes") from None
            if "\0" in text:
                line = self.lines_done + text[: text.index("\0")].count("\n") + 1
                raise self._error(line, "not a text file: NUL bytes (binary data?)")
            text = pending + text
            if "\r" in text:
                text = text.replace("\r\n", "\n")
            lines = text.split("\n")
            pending = lines.pop()
            if lines:
                self.lines_done += len(lines)
                yield lines
        try:
            pending += decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise self._error(self.lines_done + 1, "not a text file: invalid UTF-8 bytes") from None
        if pending:
            self.lines_done += 1
            yield [pending.removesuffix("\r")]


def _is_bgzf(first: bytes) -> bool:
    """A gzip member with the FEXTRA flag and the 'BC' subfield that marks BGZF."""
    return len(first) >= 18 and first[3] & 4 != 0 and first[12:14] == b"BC"


def _ends_with_bgzf_eof(handle: io.BufferedReader) -> bool:
    position = handle.tell()
    size = handle.seek(0, os.SEEK_END)
    if size < len(BGZF_EOF_BLOCK):
        handle.seek(position)
        return False
    handle.seek(size - len(BGZF_EOF_BLOCK))
    tail = handle.read(len(BGZF_EOF_BLOCK))
    handle.seek(position)
    return tail == BGZF_EOF_BLOCK

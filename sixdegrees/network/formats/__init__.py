"""Contact exports (LinkedIn, Google, Outlook, vCard) read into plain Entry records.

Pure Python, no database: `parse()` yields one Entry or Skipped per record and raises FormatError
for a file that cannot be read as a whole, so a caller that consumes it fully before writing
anything never stores half a file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import google, linkedin, outlook, vcard
from .csvtable import find_header, show
from .records import Entry, FormatError, Skipped, gettext_noop
from .text import decode, decode_head

__all__ = ["FORMATS", "Entry", "FormatError", "Parsed", "Skipped", "detect", "open_file", "parse"]

READERS: dict[str, Callable[[str], Iterator[Entry | Skipped]]] = {
    "linkedin": linkedin.entries,
    "google": google.entries,
    "outlook": outlook.entries,
    "vcard": vcard.entries,
}
FORMATS = tuple(READERS)


def _classify(header: list[str]) -> str | None:
    if linkedin.header_language(header):
        return "linkedin"
    if google.is_header(header):
        return "google"
    if outlook.is_header(header):
        return "outlook"
    return None


def _detect_text(text: str) -> str:
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    if first_line.strip().upper() == vcard.BEGIN:
        return "vcard"
    first, header = find_header(_lenient_records(text), lambda cells: _classify(cells) is not None, "Notes:")
    if header is not None and (found := _classify(header)) is not None:
        return found
    if first is None:
        raise FormatError(gettext_noop("the file is empty; expected a LinkedIn, Google, Outlook or vCard file"))
    raise FormatError(
        gettext_noop(
            "this is not a contacts export: the first row is '%(row)s'; "
            "expected a LinkedIn, Google, Outlook or vCard file"
        ),
        row=show(first[1]),
    )


def _lenient_records(head: str) -> Iterator[tuple[int, list[str]]]:
    """Records of a file's first kilobytes, which may end in the middle of a quoted field."""
    reader = csv.reader(io.StringIO(head, newline=""))
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error:
        return  # what was read so far decides


def detect(head: bytes) -> str:
    """ "linkedin", "google", "outlook" or "vcard" from the file's first few kilobytes, never a guess."""
    return _detect_text(decode_head(head))


@dataclass(frozen=True)
class Parsed:
    """A decoded file ready to read: which format and encoding it was taken to be, and its records."""

    format: str
    encoding: str
    records: Iterator[Entry | Skipped]


def open_file(data: bytes, format: str = "auto") -> Parsed:
    """Decode and recognise `data` at once (FormatError now); its records are read as they are iterated."""
    if format != "auto" and format not in READERS:
        raise FormatError(
            gettext_noop("unknown format '%(format)s'; choose auto, %(formats)s"),
            format=format,
            formats=", ".join(FORMATS),
        )
    guess = format if format != "auto" else detect(data[:65536])
    # Only desktop Outlook writes Windows-1252; any other file that is not UTF-8 is refused.
    decoded = decode(data, windows_1252=guess == "outlook")
    return Parsed(format=guess, encoding=decoded.encoding, records=READERS[guess](decoded.text))


def parse(data: bytes, format: str = "auto") -> Iterator[Entry | Skipped]:
    """Every record of `data` in file order; FormatError for a file that is malformed or cut short."""
    return open_file(data, format).records

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
from .csvtable import is_blank, show
from .records import Entry, FormatError, Skipped
from .text import decode, decode_head

__all__ = ["FORMATS", "Entry", "FormatError", "Parsed", "Skipped", "detect", "open_file", "parse"]

READERS: dict[str, Callable[[str], Iterator[Entry | Skipped]]] = {
    "linkedin": linkedin.entries,
    "google": google.entries,
    "outlook": outlook.entries,
    "vcard": vcard.entries,
}
FORMATS = tuple(READERS)
NOT_CONTACTS = "expected a LinkedIn, Google, Outlook or vCard file"


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
    # Not strict: the head may end in the middle of a field.
    reader = csv.reader(io.StringIO(text, newline=""))
    first: list[str] | None = None
    in_preamble = False
    preamble_left = 3  # as csvtable.open_table: LinkedIn's disclaimer, and a little slack
    try:
        for cells in reader:
            if is_blank(cells):
                continue
            if first is None:
                first = cells
                if [cell.strip() for cell in cells] == ["Notes:"]:
                    in_preamble = True
                    continue
            if (found := _classify(cells)) is not None:
                return found
            if not in_preamble or preamble_left == 0:
                break
            preamble_left -= 1
    except csv.Error:
        pass  # a head that ends inside a quoted field; what was read so far decides
    if first is None:
        raise FormatError(f"the file is empty; {NOT_CONTACTS}")
    raise FormatError(f"this is not a contacts export: the first row is '{show(first)}'; {NOT_CONTACTS}")


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
        raise FormatError(f"unknown format '{format}'; choose auto, {', '.join(FORMATS)}")
    guess = format if format != "auto" else detect(data[:65536])
    # Only desktop Outlook writes Windows-1252; any other file that is not UTF-8 is refused.
    decoded = decode(data, windows_1252=guess == "outlook")
    return Parsed(format=guess, encoding=decoded.encoding, records=READERS[guess](decoded.text))


def parse(data: bytes, format: str = "auto") -> Iterator[Entry | Skipped]:
    """Every record of `data` in file order; FormatError for a file that is malformed or cut short."""
    return open_file(data, format).records

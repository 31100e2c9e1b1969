"""Bytes to text: UTF-8 (with or without a BOM), UTF-16 with a BOM, and Windows-1252 where a format allows it."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .records import FormatError, gettext_noop


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8-sig" | "utf-8" | "utf-16" | "windows-1252": said in the import report


def line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, *, windows_1252: bool = False) -> Decoded:
    """The file's text and the encoding it was read with.

    Desktop Outlook writes its CSV in the machine's ANSI code page (Windows-1252 in the West), so
    only callers that may be reading Outlook pass `windows_1252=True`; for every other format a
    file that is not UTF-8 is refused rather than read as something it is not.
    """
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(_utf8_after_bom(data[len(codecs.BOM_UTF8) :]), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Outlook's and Excel's "Unicode" CSV: the BOM makes it unambiguous.
        try:
            return Decoded(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise FormatError(
                gettext_noop("the file says it is UTF-16 but is not valid UTF-16 text"), line_of(data, exc.start)
            ) from None
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        if not windows_1252:
            raise FormatError(
                gettext_noop("the file is not UTF-8 text (byte %(byte)s); export it again as UTF-8"),
                line_of(data, exc.start),
                byte=f"0x{data[exc.start]:02x}",
            ) from None
    try:
        return Decoded(data.decode("cp1252"), "windows-1252")
    except UnicodeDecodeError as exc:
        raise FormatError(
            gettext_noop("the file is neither UTF-8 nor Windows-1252 text (byte %(byte)s)"),
            line_of(data, exc.start),
            byte=f"0x{data[exc.start]:02x}",
        ) from None


def _utf8_after_bom(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(
            gettext_noop("the file starts as UTF-8 but is not (byte %(byte)s)"),
            line_of(data, exc.start),
            byte=f"0x{data[exc.start]:02x}",
        ) from None


def decode_head(head: bytes) -> str:
    """Enough of the file's start to recognise its format; a character cut at the end is harmless."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    return head.decode("utf-8", errors="replace")

"""vCard 2.1, 3.0 and 4.0 (.vcf), any number of cards per file, parsed by vobject card by card.

The file is cut into cards here, so each Entry knows its line and a card with BEGIN but no END is
caught before vobject sees it. Quoted-printable soft line breaks (a value ending in "=", continued
on the next line; Outlook and Android write them in 2.1) are joined first: vobject 0.9.9 reads a
single-line quoted-printable value but mis-parses one split over lines (its issues #152, #160, #194).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import vobject

from .csvtable import show
from .records import Entry, FormatError, Skipped, is_linkedin_profile, join_name, make_entry, unique

BEGIN = "BEGIN:VCARD"
END = "END:VCARD"


def cards(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line of BEGIN:VCARD, the card's lines) for each card in the file."""
    start: int | None = None
    lines: list[str] = []
    number = 0
    for number, raw in enumerate(io.StringIO(text), start=1):
        line = raw.rstrip("\r\n")
        marker = line.strip().upper()
        if start is None:
            if not marker:
                continue
            if marker != BEGIN:
                raise FormatError(f"expected BEGIN:VCARD, found '{show([line])}'", number)
            start, lines = number, [line]
            continue
        if marker == BEGIN:
            raise FormatError(f"a new card begins here but the card from line {start} has no END:VCARD", number)
        lines.append(line)
        if marker == END:
            yield start, lines
            start = None
    if start is not None:
        raise FormatError("this card has BEGIN:VCARD but no END:VCARD (is the file cut short?)", start)


def is_quoted_printable(line: str) -> bool:
    name_and_params, colon, _ = line.partition(":")
    return bool(colon) and "QUOTED-PRINTABLE" in name_and_params.upper()


def join_soft_breaks(lines: list[str]) -> list[str]:
    joined: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_quoted_printable(line):
            # A trailing "=" in quoted-printable is always a soft break: a literal "=" is written "=3D".
            while line.endswith("=") and i + 1 < len(lines) and lines[i + 1].strip().upper() != END:
                i += 1
                line = line[:-1] + lines[i].lstrip(" \t")
        joined.append(line)
        i += 1
    return joined


def read_card(start: int, lines: list[str]) -> Any:
    try:
        return vobject.readOne("\r\n".join(join_soft_breaks(lines)) + "\r\n")
    except vobject.base.ParseError as exc:
        offset = getattr(exc, "lineNumber", None)
        line = start + offset - 1 if isinstance(offset, int) and offset > 0 else start
        raise FormatError(f"this card cannot be read ({exc.args[0] if exc.args else exc})", line) from None
    except Exception as exc:
        # vobject raises assorted errors (bad base64, unknown charset, …) on hostile input; each
        # means this card is unreadable, and the person needs the line, not a traceback.
        raise FormatError(f"this card cannot be read ({type(exc).__name__}: {exc})", start) from None


def texts(card: Any, name: str) -> list[str]:
    return [value for prop in card.contents.get(name, []) if isinstance(value := prop.value, str)]


def name_part(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else str(value or "")


def phone(value: str) -> str:
    # vCard 4.0 may write TEL as a URI (TEL;VALUE=uri:tel:+1-555-0100).
    return value[4:] if value.lower().startswith("tel:") else value


def entries(text: str) -> Iterator[Entry | Skipped]:
    for start, lines in cards(text):
        card = read_card(start, lines)
        given = family = additional = ""
        if "n" in card.contents:
            n = card.contents["n"][0].value
            given, additional, family = (name_part(getattr(n, part, "")) for part in ("given", "additional", "family"))
        fn = next((value.strip() for value in texts(card, "fn") if value.strip()), "")
        org_units = card.contents["org"][0].value if "org" in card.contents else []
        organisation = org_units[0] if isinstance(org_units, list) and org_units else name_part(org_units)
        urls = texts(card, "x-socialprofile") + texts(card, "url")
        yield make_entry(
            start,
            "vcard",
            # 2.1 and 3.0 cards in the wild often have N without FN.
            full_name=fn or join_name(given, additional, family),
            given_name=given,
            family_name=family,
            emails=unique(texts(card, "email")),
            phones=unique([phone(value) for value in texts(card, "tel")]),
            profile_url=next((url for url in urls if is_linkedin_profile(url)), ""),
            organisation=organisation,
            title=next(iter(texts(card, "title")), ""),
            notes="\n".join(texts(card, "note")),
        )

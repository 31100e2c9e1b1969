"""vCard 2.1, 3.0 and 4.0 (.vcf), any number of cards per file, parsed by vobject card by card.

The file is cut into cards here, so each Entry knows its line and a card with BEGIN but no END is
caught before vobject sees it. Quoted-printable soft line breaks (a value ending in "=", continued
on the next line; Outlook and Android write them in 2.1) are joined first: vobject 0.9.9 reads a
single-line quoted-printable value but mis-parses one split over lines (its issues #152, #160, #194).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import vobject

from .csvtable import show
from .records import Entry, FormatError, Skipped, gettext_noop, is_linkedin_profile, join_name, make_entry, unique

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
                raise FormatError(gettext_noop("expected BEGIN:VCARD, found '%(found)s'"), number, found=show([line]))
            start, lines = number, [line]
            continue
        if marker == BEGIN:
            raise FormatError(
                gettext_noop("a new card begins here but the card from line %(start)s has no END:VCARD"),
                number,
                start=start,
            )
        lines.append(line)
        if marker == END:
            yield start, lines
            start = None
    if start is not None:
        raise FormatError(gettext_noop("this card has BEGIN:VCARD but no END:VCARD (is the file cut short?)"), start)


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


# The properties an Entry is made of; the rest (PHOTO, ADR, REV, …) is not even decoded.
WANTED = frozenset({"version", "n", "fn", "email", "tel", "org", "title", "note", "url", "x-socialprofile"})


def read_card(start: int, lines: list[str]) -> dict[str, list[str]]:
    """The card's wanted properties by lower-case name (groups such as Apple's "item1." dropped), raw values.

    vobject unfolds lines, reads names, parameters and groups and decodes quoted-printable with its
    CHARSET. Its vCard value behaviours are not applied, because they keep only the text before the
    first unescaped comma (a 2.1 NOTE "met in Lisbon, via Maria" would lose "via Maria");
    `unescape()` and `units()` below undo the escapes instead, as each vCard version defines them.
    """
    card = "\r\n".join(join_soft_breaks(lines)) + "\r\n"
    properties: dict[str, list[str]] = {}
    try:
        for logical, number in vobject.base.getLogicalLines(io.StringIO(card), False):
            name, params, value, group = vobject.base.parseLine(logical, number)
            name = name.lower()
            if name not in WANTED:
                continue
            if is_quoted_printable(logical):
                # Building a ContentLine is what decodes quoted-printable; it costs 10x a parseLine.
                value = vobject.base.ContentLine(name, params, value, group).value
            properties.setdefault(name, []).append(value)
    except Exception as exc:
        # vobject raises assorted errors (unreadable line, unknown charset, bad quoted-printable) on
        # hostile input; each means this card is unreadable, and the person needs the line.
        detail = (
            exc.args[0] if isinstance(exc, vobject.base.VObjectError) and exc.args else f"{type(exc).__name__}: {exc}"
        )
        raise FormatError(
            gettext_noop("the card that starts here cannot be read (%(problem)s)"), start, problem=detail
        ) from None
    return properties


def units(value: str, *, modern: bool) -> list[str]:
    """A value split at its unescaped semicolons (N, ORG), each unit unescaped.

    2.1 escapes only the semicolon; 3.0 and 4.0 also escape comma, backslash and newline.
    """
    if "\\" not in value:
        return value.split(";")
    out: list[str] = []
    unit: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        following = value[i + 1] if i + 1 < len(value) else ""
        if char == "\\" and (following == ";" or (modern and following in ",\\:")):
            unit.append(following)
            i += 2
        elif char == "\\" and modern and following in "nN":
            unit.append("\n")
            i += 2
        elif char == ";":
            out.append("".join(unit))
            unit = []
            i += 1
        else:
            unit.append(char)
            i += 1
    out.append("".join(unit))
    return out


def unescape(value: str, *, modern: bool) -> str:
    return ";".join(units(value, modern=modern))


def phone(value: str) -> str:
    # vCard 4.0 may write TEL as a URI (TEL;VALUE=uri:tel:+1-555-0100).
    return value[4:] if value.lower().startswith("tel:") else value


def values(card: dict[str, list[str]], name: str, *, modern: bool) -> list[str]:
    return [unescape(value, modern=modern).strip() for value in card.get(name, [])]


def entries(text: str) -> Iterator[Entry | Skipped]:
    for start, lines in cards(text):
        card = read_card(start, lines)
        modern = next((value.strip() for value in card.get("version", [])), "") != "2.1"
        name = [unit.strip() for unit in units(card["n"][0], modern=modern)] if "n" in card else []
        family, given, additional = ([*name, "", "", ""])[:3]
        org = units(card["org"][0], modern=modern) if "org" in card else [""]
        urls = values(card, "x-socialprofile", modern=modern) + values(card, "url", modern=modern)
        yield make_entry(
            start,
            "vcard",
            # 2.1 and 3.0 cards in the wild often have N without FN.
            full_name=next((fn for fn in values(card, "fn", modern=modern) if fn), "")
            or join_name(given, additional, family),
            given_name=given,
            family_name=family,
            emails=unique(values(card, "email", modern=modern)),
            phones=unique([phone(value) for value in values(card, "tel", modern=modern)]),
            profile_url=next((url for url in urls if is_linkedin_profile(url)), ""),
            # ORG is "company;department;…": the company is the organisation.
            organisation=org[0],
            title=next(iter(values(card, "title", modern=modern)), ""),
            notes="\n".join(values(card, "note", modern=modern)),
        )

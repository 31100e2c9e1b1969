"""LinkedIn's Connections.csv (Settings → Data privacy → Get a copy of your data → Connections).

The export starts with a "Notes:" line and a quoted disclaimer about missing email addresses, then a
blank line, then the header. Columns are read by header name: LinkedIn added the URL column later
and parsers that counted positions broke.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

from .csvtable import open_table
from .records import Entry, FormatError, Skipped, gettext_noop, make_entry, unique

# The header in each language we have seen, keyed by the meaning of each column.
HEADERS: dict[str, dict[str, str]] = {
    "en": {
        "first": "First Name",
        "last": "Last Name",
        "url": "URL",
        "email": "Email Address",
        "company": "Company",
        "position": "Position",
        "connected": "Connected On",
    },
    "de": {
        "first": "Vorname",
        "last": "Nachname",
        "url": "URL",
        "email": "E-Mail-Adresse",
        "company": "Unternehmen",
        "position": "Position",
        "connected": "Verbunden am",
    },
}

# LinkedIn writes "16 Jul 2026" in English exports. We found no first-hand German export to copy, so
# a German one is read whichever way it comes: English or German month names, abbreviated or not
# ("16 Jul 2026", "16. Juli 2026", "3 Mär 2026", "3 Mrz 2026") and numeric ("16.07.2026", "2026-07-16").
MONTHS: dict[str, int] = {}
for number, names in enumerate(
    [
        ("jan", "january", "januar", "jän", "jänner"),
        ("feb", "february", "februar"),
        ("mar", "march", "mär", "mrz", "märz"),
        ("apr", "april"),
        ("may", "mai"),
        ("jun", "june", "juni"),
        ("jul", "july", "juli"),
        ("aug", "august"),
        ("sep", "sept", "september"),
        ("oct", "october", "okt", "oktober"),
        ("nov", "november"),
        ("dec", "december", "dez", "dezember"),
    ],
    start=1,
):
    for name in names:
        MONTHS[name] = number

WORDY_DATE = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})")
DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_date(value: str, line: int, column: str) -> datetime.date | None:
    if not value:
        return None
    day = month = year = 0
    if m := WORDY_DATE.fullmatch(value):
        day, year = int(m[1]), int(m[3])
        month = MONTHS.get(m[2].casefold(), 0)
    elif m := DOTTED_DATE.fullmatch(value):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := ISO_DATE.fullmatch(value):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise FormatError(
            gettext_noop("%(column)s '%(value)s' is not a date like 16 Jul 2026"), line, column=column, value=value
        ) from None


def header_language(cells: list[str]) -> str | None:
    names = {cell.strip().lstrip("\ufeff") for cell in cells}
    for language, header in HEADERS.items():
        if {header["first"], header["last"], header["connected"]} <= names:
            return language
    return None


def entries(text: str) -> Iterator[Entry | Skipped]:
    table = open_table(
        text,
        lambda cells: header_language(cells) is not None,
        not_header=gettext_noop(
            "the first row is '%(row)s', expected a LinkedIn Connections.csv header "
            "(First Name,Last Name,URL,Email Address,Company,Position,Connected On)"
        ),
        preamble_marker="Notes:",
    )
    header = next(HEADERS[lang] for lang in HEADERS if HEADERS[lang]["connected"] in table.columns)
    first, last, url, email, company, position, connected = (
        table.reader(header[key]) for key in ("first", "last", "url", "email", "company", "position", "connected")
    )
    for line, cells in table.data_rows():
        given, family = first(cells), last(cells)
        yield make_entry(
            line,
            "linkedin",
            full_name=f"{given} {family}".strip(),
            given_name=given,
            family_name=family,
            emails=unique([email(cells)]),
            profile_url=url(cells),
            organisation=company(cells),
            title=position(cells),
            connected_on=parse_date(connected(cells), line, header["connected"]),
        )

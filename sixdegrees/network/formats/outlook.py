"""Outlook CSV: the 61-column Outlook.com export and the 92-column desktop (Import/Export wizard) one.

Both name the same fields the same way ("E-mail 2 Address", "Mobile Phone", "Job Title"), in a
different order, so reading by header name covers both. Desktop Outlook writes the machine's ANSI
code page (Windows-1252 in the West) rather than UTF-8.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .csvtable import open_table
from .records import Entry, Skipped, gettext_noop, is_linkedin_profile, join_name, make_entry, unique

EMAIL = re.compile(r"E-mail(?: (\d+))? Address")
# Every number a person can be called on, best first; faxes are left out on purpose.
PHONES = (
    "Mobile Phone",
    "Business Phone",
    "Business Phone 2",
    "Home Phone",
    "Home Phone 2",
    "Primary Phone",
    "Other Phone",
    "Car Phone",
    "Company Main Phone",
    "Assistant's Phone",
    "Callback",
    "Radio Phone",
    "Pager",
    "ISDN",
    "TTY/TDD Phone",
    "Telex",
)


def is_header(cells: list[str]) -> bool:
    names = {cell.strip().lstrip("\ufeff") for cell in cells}
    return {"First Name", "Last Name", "E-mail Address"} <= names and bool(names & set(PHONES))


def is_address(value: str) -> bool:
    # Contacts from an Exchange directory carry an X.500 path ("/o=ExchangeLabs/ou=…") instead of an
    # address; it reaches no one outside that organisation.
    return "@" in value and not value.startswith("/")


def entries(text: str) -> Iterator[Entry | Skipped]:
    table = open_table(
        text,
        is_header,
        not_header=gettext_noop(
            "the first row is '%(row)s', expected an Outlook contacts header "
            "(First Name,Middle Name,Last Name,…,E-mail Address,…)"
        ),
    )
    first, middle, last = (table.reader(name) for name in ("First Name", "Middle Name", "Last Name"))
    company, job_title, notes = (table.reader(name) for name in ("Company", "Job Title", "Notes"))
    web_pages = [table.reader(name) for name in ("Web Page", "Personal Web Page")]
    numbered = sorted((int(m[1] or 1), name) for name in table.columns if (m := EMAIL.fullmatch(name)))
    emails = [table.reader(name) for _, name in numbered]
    phones = [table.reader(name) for name in PHONES if table.has(name)]
    for line, cells in table.data_rows():
        given, family = first(cells), last(cells)
        profile = next((url for read in web_pages if is_linkedin_profile(url := read(cells))), "")
        yield make_entry(
            line,
            "outlook",
            full_name=join_name(given, middle(cells), family),
            given_name=given,
            family_name=family,
            emails=unique([value for read in emails if is_address(value := read(cells))]),
            phones=unique([read(cells) for read in phones]),
            profile_url=profile,
            organisation=company(cells),
            title=job_title(cells),
            notes=notes(cells),
        )

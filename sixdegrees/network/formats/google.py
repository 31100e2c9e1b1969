"""Google Contacts CSV (contacts.google.com → Export → Google CSV), current and older layouts.

The current layout has First/Middle/Last Name and Organization Name/Title; the older one has
Given/Additional/Family Name and numbered "Organization 1 - Name" groups. Both number their email
and phone groups ("E-mail 3 - Value") up to the largest count any contact has, and put several
values of one group in one cell joined by " ::: ".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.utils.translation import gettext_noop

from .csvtable import Table, open_table
from .records import Entry, Skipped, is_linkedin_profile, join_name, make_entry, unique

SEPARATOR = " ::: "
GROUP = re.compile(r"(E-mail|Phone|Website) (\d+) - Value")


def is_header(cells: list[str]) -> bool:
    names = {cell.strip().lstrip("\ufeff") for cell in cells}
    has_groups = any(GROUP.fullmatch(name) for name in names)
    has_names = bool(names & {"First Name", "Given Name", "Name"})
    # Outlook has First Name too but never numbered "- Value" groups.
    return has_groups and has_names


def group_columns(table: Table, kind: str) -> list[int]:
    """Column positions of `kind`'s numbered value columns, in number order (not header order)."""
    found = []
    for name, index in table.columns.items():
        m = GROUP.fullmatch(name)
        if m and m[1] == kind:
            found.append((int(m[2]), index))
    return [index for _, index in sorted(found)]


def values(cells: list[str], columns: list[int]) -> list[str]:
    out: list[str] = []
    for index in columns:
        if index < len(cells) and cells[index].strip():
            out.extend(cells[index].split(SEPARATOR))
    return out


def entries(text: str) -> Iterator[Entry | Skipped]:
    table = open_table(
        text,
        is_header,
        not_header=gettext_noop(
            "the first row is '%(row)s', expected a Google Contacts header "
            "(First Name,Middle Name,Last Name,…,E-mail 1 - Value,…)"
        ),
    )
    first = table.reader("First Name", "Given Name")
    middle = table.reader("Middle Name", "Additional Name")
    last = table.reader("Last Name", "Family Name")
    name = table.reader("Name")
    file_as = table.reader("File As")
    organisation = table.reader("Organization Name", "Organization 1 - Name")
    title = table.reader("Organization Title", "Organization 1 - Title")
    notes = table.reader("Notes")
    emails, phones, websites = (group_columns(table, kind) for kind in ("E-mail", "Phone", "Website"))
    for line, cells in table.data_rows():
        given, family = first(cells), last(cells)
        full_name = join_name(given, middle(cells), family) or name(cells) or file_as(cells)
        profile = next((url.strip() for url in values(cells, websites) if is_linkedin_profile(url)), "")
        yield make_entry(
            line,
            "google",
            full_name=full_name,
            given_name=given,
            family_name=family,
            emails=unique(values(cells, emails)),
            phones=unique(values(cells, phones)),
            profile_url=profile,
            # One person with two employers arrives as "A ::: B"; the first is the one Google lists first.
            organisation=organisation(cells).split(SEPARATOR)[0],
            title=title(cells).split(SEPARATOR)[0],
            notes=notes(cells),
        )

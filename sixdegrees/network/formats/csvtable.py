"""Reading a CSV export record by record, with the line each record starts on and clear errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from .records import FormatError

# A Notes cell can be long, but not this long; csv's default (128 KiB) would reject a pasted email.
csv.field_size_limit(4 * 1024 * 1024)


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, its cells) for every record, blank lines included as []."""
    # newline="" keeps a quoted field's own line breaks for csv to read, as the csv docs require.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            if "unexpected end of data" in message:
                raise FormatError(
                    gettext_noop("the file ends inside a quoted field (is it cut short?)"), start
                ) from None
            raise FormatError(gettext_noop("this row is not valid CSV (%(problem)s)"), start, problem=message) from None
        yield start, cells
        start = reader.line_num + 1


def show(cells: list[str]) -> str:
    """A row as the person would recognise it in a spreadsheet, cut short when long."""
    shown = ",".join(cells)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


@dataclass
class Table:
    """The header's columns by name and the records after it."""

    columns: dict[str, int]
    rows: Iterator[tuple[int, list[str]]]
    width: int

    def has(self, *names: str) -> bool:
        return any(name in self.columns for name in names)

    def reader(self, *names: str) -> Callable[[list[str]], str]:
        """A getter for the first of `names` the header has; "" when it has none of them."""
        for name in names:
            if name in self.columns:
                index = self.columns[name]
                return lambda cells: cells[index].strip() if index < len(cells) else ""
        return lambda cells: ""

    def data_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Records after the header; blank ones (",,,,," included) are dropped without a word."""
        for line, cells in self.rows:
            if is_blank(cells):
                continue
            if len(cells) > self.width and not is_blank(cells[self.width :]):
                # Reading on would put every value after the stray comma under the wrong column.
                raise FormatError(
                    gettext_noop(
                        "this row has %(cells)s cells but the header has %(width)s "
                        "(a comma in a value that is not in quotes?)"
                    ),
                    line,
                    cells=len(cells),
                    width=self.width,
                )
            yield line, cells


def find_header(
    rows: Iterator[tuple[int, list[str]]], is_header: Callable[[list[str]], bool], preamble_marker: str | None
) -> tuple[tuple[int, list[str]] | None, list[str] | None]:
    """(the first non-blank record, the header) from `rows`, consuming them up to the header.

    With `preamble_marker`, a first record consisting of that word (LinkedIn's "Notes:") starts a
    short preamble that is passed over until the header. The header is None when it is not found.
    """
    first: tuple[int, list[str]] | None = None
    in_preamble = False
    preamble_left = 3  # LinkedIn's is one quoted disclaimer; a little slack, but never a whole file
    for line, cells in rows:
        if is_blank(cells):
            continue
        if first is None:
            first = (line, cells)
            if preamble_marker is not None and [cell.strip() for cell in cells] == [preamble_marker]:
                in_preamble = True
                continue
        if is_header(cells):
            return first, cells
        if not in_preamble or preamble_left == 0:
            break
        preamble_left -= 1
    return first, None


def open_table(
    text: str, is_header: Callable[[list[str]], bool], *, not_header: str, preamble_marker: str | None = None
) -> Table:
    """The table after its header, or FormatError naming what the file starts with instead.

    `not_header` is the whole sentence for a file that starts otherwise, with %(row)s for its first row.
    """
    rows = records(text)
    first, header = find_header(rows, is_header, preamble_marker)
    if header is not None:
        names = [cell.strip().lstrip("\ufeff") for cell in header]
        return Table({name: i for i, name in reversed(list(enumerate(names))) if name}, rows, len(names))
    if first is None:
        raise FormatError(gettext_noop("the file is empty: no header row and no contacts"))
    raise FormatError(not_header, first[0], row=show(first[1]))

"""LinkedIn Connections.csv, written as LinkedIn writes it, read into exact entries."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from sixdegrees.network.formats import Entry, FormatError, Skipped, detect, open_file, parse

PREAMBLE = (
    "Notes:\r\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing.\r\n'
    'You will only see email addresses for connections who have allowed their connections to see or download it."\r\n'
    "\r\n"
)


def write(tmp_path: Path, text: str, name: str = "Connections.csv") -> bytes:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path.read_bytes()


def linkedin(line: int, first: str, last: str, **fields: object) -> Entry:
    values: dict = {
        "full_name": f"{first} {last}".strip(),
        "given_name": first,
        "family_name": last,
        "emails": (),
        "phones": (),
        "profile_url": "",
        "organisation": "",
        "title": "",
        "connected_on": None,
    }
    values.update(fields)
    return Entry(line=line, source="linkedin", **values)


def test_english_export_with_preamble_quoted_commas_and_blank_rows(tmp_path: Path) -> None:
    data = write(
        tmp_path,
        PREAMBLE
        + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
        + 'Priya,Raman,https://www.linkedin.com/in/priya-raman-0a1b2c,,"Stripe, Inc.",Staff Engineer,16 Jul 2026\r\n'
        + 'Tomás,Ó Briain,https://www.linkedin.com/in/tobriain,tomas@example.ie,Intercom,"VP, Product",03 Jan 2019\r\n'
        + ",,,,,,\r\n"
        + "\r\n"
        + ",,https://www.linkedin.com/in/ghost,,,,01 Feb 2020\r\n"
        + "Li,Wei,https://www.linkedin.com/in/liwei,,,,9 Dec 2024\r\n",
    )

    parsed = open_file(data)

    assert (parsed.format, parsed.encoding) == ("linkedin", "utf-8")
    assert list(parsed.records) == [
        linkedin(
            6,
            "Priya",
            "Raman",
            profile_url="https://www.linkedin.com/in/priya-raman-0a1b2c",
            organisation="Stripe, Inc.",
            title="Staff Engineer",
            connected_on=datetime.date(2026, 7, 16),
        ),
        linkedin(
            7,
            "Tomás",
            "Ó Briain",
            emails=("tomas@example.ie",),
            profile_url="https://www.linkedin.com/in/tobriain",
            organisation="Intercom",
            title="VP, Product",
            connected_on=datetime.date(2019, 1, 3),
        ),
        Skipped(line=10, reason="no name, email or phone"),
        linkedin(
            11, "Li", "Wei", profile_url="https://www.linkedin.com/in/liwei", connected_on=datetime.date(2024, 12, 9)
        ),
    ]


def test_columns_are_read_by_name_not_position(tmp_path: Path) -> None:
    # The export before LinkedIn added URL: every later column sits one place to the left.
    data = write(
        tmp_path,
        "First Name,Last Name,Email Address,Company,Position,Connected On\n"
        + "Ada,Lovelace,ada@example.org,Analytical Engines,Founder,10 Dec 2015\n",
    )

    assert list(parse(data, "linkedin")) == [
        linkedin(
            2,
            "Ada",
            "Lovelace",
            emails=("ada@example.org",),
            organisation="Analytical Engines",
            title="Founder",
            connected_on=datetime.date(2015, 12, 10),
        )
    ]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("16 Jul 2026", datetime.date(2026, 7, 16)),
        ("16 Juli 2026", datetime.date(2026, 7, 16)),
        ("16. Juli 2026", datetime.date(2026, 7, 16)),
        ("3 Mär 2026", datetime.date(2026, 3, 3)),
        ("3 Mrz 2026", datetime.date(2026, 3, 3)),
        ("01 Okt 2021", datetime.date(2021, 10, 1)),
        ("24 Dez 2022", datetime.date(2022, 12, 24)),
        ("16.07.2026", datetime.date(2026, 7, 16)),
        ("", None),
    ],
)
def test_german_export_and_its_dates(tmp_path: Path, written: str, expected: datetime.date | None) -> None:
    data = write(
        tmp_path,
        PREAMBLE
        + "Vorname,Nachname,URL,E-Mail-Adresse,Unternehmen,Position,Verbunden am\n"
        + f'Jürgen,Müller,https://www.linkedin.com/in/juergen-mueller,j.mueller@example.de,"Müller & Söhne, GmbH",Geschäftsführer,{written}\n',
    )

    assert detect(data) == "linkedin"
    assert list(parse(data)) == [
        linkedin(
            6,
            "Jürgen",
            "Müller",
            emails=("j.mueller@example.de",),
            profile_url="https://www.linkedin.com/in/juergen-mueller",
            organisation="Müller & Söhne, GmbH",
            title="Geschäftsführer",
            connected_on=expected,
        )
    ]


def test_a_date_that_is_not_one_names_line_and_column(tmp_path: Path) -> None:
    data = write(
        tmp_path,
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        + "Ada,Lovelace,,,,,16 Jul 2026\n"
        + "Bea,Quinn,,,,,31 Feb 2026\n",
    )

    with pytest.raises(FormatError) as caught:
        list(parse(data))

    assert str(caught.value) == "line 3: Connected On '31 Feb 2026' is not a date like 16 Jul 2026"
    assert caught.value.line == 3


def test_a_file_cut_inside_a_quoted_company_names_the_line(tmp_path: Path) -> None:
    data = write(
        tmp_path,
        PREAMBLE
        + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        + "Ada,Lovelace,,,Engines,Founder,10 Dec 2015\n"
        + 'Bea,Quinn,,,"Stripe, In',
    )

    records = parse(data)
    assert next(records) == linkedin(
        6, "Ada", "Lovelace", organisation="Engines", title="Founder", connected_on=datetime.date(2015, 12, 10)
    )
    with pytest.raises(FormatError) as caught:
        next(records)

    assert str(caught.value) == "line 7: the file ends inside a quoted field (is it cut short?)"


def test_an_unquoted_comma_that_shifts_columns_is_refused(tmp_path: Path) -> None:
    data = write(
        tmp_path,
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        + "Bea,Quinn,,,Stripe, Inc.,Engineer,16 Jul 2026\n",
    )

    with pytest.raises(FormatError, match=r"^line 2: this row has 8 cells but the header has 7"):
        list(parse(data))

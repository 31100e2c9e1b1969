"""Outlook CSV: the 61-column Outlook.com export (UTF-8) and the 92-column desktop one (Windows-1252)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from sixdegrees.network.formats import Entry, FormatError, Skipped, detect, open_file, parse

OUTLOOK_COM = (
    "First Name,Middle Name,Last Name,Title,Suffix,Nickname,Given Yomi,Surname Yomi,E-mail Address,E-mail 2 Address,"
    "E-mail 3 Address,Home Phone,Home Phone 2,Business Phone,Business Phone 2,Mobile Phone,Car Phone,Other Phone,"
    "Primary Phone,Pager,Business Fax,Home Fax,Other Fax,Company Main Phone,Callback,Radio Phone,Telex,TTY/TDD Phone,"
    "IMAddress,Job Title,Department,Company,Office Location,Manager's Name,Assistant's Name,Assistant's Phone,"
    "Company Yomi,Business Street,Business City,Business State,Business Postal Code,Business Country/Region,"
    "Home Street,Home City,Home State,Home Postal Code,Home Country/Region,Other Street,Other City,Other State,"
    "Other Postal Code,Other Country/Region,Personal Web Page,Spouse,Schools,Hobby,Location,Web Page,Birthday,"
    "Anniversary,Notes"
).split(",")

DESKTOP = (
    "Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Street,Business Street 2,"
    "Business Street 3,Business City,Business State,Business Postal Code,Business Country/Region,Home Street,"
    "Home Street 2,Home Street 3,Home City,Home State,Home Postal Code,Home Country/Region,Other Street,"
    "Other Street 2,Other Street 3,Other City,Other State,Other Postal Code,Other Country/Region,Assistant's Phone,"
    "Business Fax,Business Phone,Business Phone 2,Callback,Car Phone,Company Main Phone,Home Fax,Home Phone,"
    "Home Phone 2,ISDN,Mobile Phone,Other Fax,Other Phone,Pager,Primary Phone,Radio Phone,TTY/TDD Phone,Telex,"
    "Account,Anniversary,Assistant's Name,Billing Information,Birthday,Business Address PO Box,Categories,Children,"
    "Directory Server,E-mail Address,E-mail Type,E-mail Display Name,E-mail 2 Address,E-mail 2 Type,"
    "E-mail 2 Display Name,E-mail 3 Address,E-mail 3 Type,E-mail 3 Display Name,Gender,Government ID Number,Hobby,"
    "Home Address PO Box,Initials,Internet Free Busy,Keywords,Language,Location,Manager's Name,Mileage,Notes,"
    "Office Location,Organizational ID Number,Other Address PO Box,Priority,Private,Profession,Referred By,"
    "Sensitivity,Spouse,User 1,User 2,User 3,User 4,Web Page"
).split(",")

# What desktop Outlook writes into every row, even one the person left empty.
DESKTOP_DEFAULTS = {
    "Anniversary": "0/0/00",
    "Birthday": "0/0/00",
    "Gender": "Unspecified",
    "Priority": "Normal",
    "Private": "False",
    "Sensitivity": "Normal",
}


def write_outlook(
    tmp_path: Path, header: list[str], rows: list[dict[str, str]], *, encoding: str, quote_all: bool
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    path = tmp_path / "contacts.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path.read_bytes()


def outlook(line: int, full_name: str, given: str, family: str, **fields: object) -> Entry:
    values: dict = {
        "emails": (),
        "phones": (),
        "profile_url": "",
        "organisation": "",
        "title": "",
        "connected_on": None,
        "notes": "",
    }
    values.update(fields)
    return Entry(line=line, source="outlook", full_name=full_name, given_name=given, family_name=family, **values)


def test_header_widths_are_the_real_ones() -> None:
    assert (len(OUTLOOK_COM), len(DESKTOP)) == (61, 92)


def test_desktop_export_in_windows_1252(tmp_path: Path) -> None:
    data = write_outlook(
        tmp_path,
        DESKTOP,
        [
            {
                **DESKTOP_DEFAULTS,
                "Title": "Dr.",
                "First Name": "Jürgen",
                "Last Name": "Müller",
                "Company": "Müller & Söhne GmbH",
                "Job Title": "Geschäftsführer",
                "Business Phone": "+49 89 1234567",
                "Business Fax": "+49 89 1234568",
                "Mobile Phone": "+49 170 7654321",
                "E-mail Address": "j.mueller@example.de",
                "E-mail Type": "SMTP",
                "E-mail Display Name": "Jürgen Müller (j.mueller@example.de)",
                "E-mail 2 Address": "/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=jmueller",
                "E-mail 2 Type": "EX",
                "Notes": "Café owner’s brother — met in Köln.\r\nPrefers phone.",
            },
            {
                **DESKTOP_DEFAULTS,
                "First Name": "Zoë",
                "Middle Name": "Anaïs",
                "Last Name": "Dupré",
                "E-mail Address": "zoe@example.fr",
                "E-mail 3 Address": "zoe.dupre@example.com",
                "Web Page": "https://www.linkedin.com/in/zoedupre",
            },
            dict(DESKTOP_DEFAULTS),
        ],
        encoding="cp1252",
        quote_all=True,
    )

    parsed = open_file(data)

    assert (parsed.format, parsed.encoding) == ("outlook", "windows-1252")
    assert list(parsed.records) == [
        outlook(
            2,
            "Jürgen Müller",
            "Jürgen",
            "Müller",
            emails=("j.mueller@example.de",),
            phones=("+49 170 7654321", "+49 89 1234567"),
            organisation="Müller & Söhne GmbH",
            title="Geschäftsführer",
            notes="Café owner’s brother — met in Köln.\nPrefers phone.",
        ),
        outlook(
            4,
            "Zoë Anaïs Dupré",
            "Zoë",
            "Dupré",
            emails=("zoe@example.fr", "zoe.dupre@example.com"),
            profile_url="https://www.linkedin.com/in/zoedupre",
        ),
        Skipped(line=5, reason="no name, email or phone"),
    ]


def test_outlook_com_export_in_utf8(tmp_path: Path) -> None:
    data = write_outlook(
        tmp_path,
        OUTLOOK_COM,
        [
            {
                "First Name": "Sam",
                "Last Name": "Nakamura",
                "E-mail Address": "sam@nakamura.example",
                "E-mail 2 Address": "sam.n@outlook.com",
                "Home Phone": "+1 206 555 0101",
                "Mobile Phone": "+1 206 555 0199",
                "Job Title": "Partner",
                "Company": "Cascade Ventures, LLC",
                "Notes": "Board member at 两岸 Foundation",
            },
            {"Mobile Phone": "+1 206 555 0142"},
        ],
        encoding="utf-8",
        quote_all=False,
    )

    parsed = open_file(data)

    assert (parsed.format, parsed.encoding) == ("outlook", "utf-8")
    assert list(parsed.records) == [
        outlook(
            2,
            "Sam Nakamura",
            "Sam",
            "Nakamura",
            emails=("sam@nakamura.example", "sam.n@outlook.com"),
            phones=("+1 206 555 0199", "+1 206 555 0101"),
            organisation="Cascade Ventures, LLC",
            title="Partner",
            notes="Board member at 两岸 Foundation",
        ),
        outlook(3, "", "", "", phones=("+1 206 555 0142",)),
    ]


def test_windows_1252_is_only_accepted_from_outlook(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_bytes(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\nJürgen,Müller,,,,,\n".encode("cp1252")
    )

    with pytest.raises(FormatError) as caught:
        list(parse(path.read_bytes()))

    assert str(caught.value) == "line 2: the file is not UTF-8 text (byte 0xfc); export it again as UTF-8"


def test_detects_both_layouts(tmp_path: Path) -> None:
    assert detect(",".join(OUTLOOK_COM).encode()) == "outlook"
    assert detect(",".join(f'"{name}"' for name in DESKTOP).encode("cp1252")) == "outlook"

"""Recognising a contacts file from its start, and refusing what is not one, in words a person can act on."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from sixdegrees.network.formats import FORMATS, Entry, FormatError, detect, open_file, parse

LINKEDIN_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"


def write(tmp_path: Path, data: bytes) -> bytes:
    path = tmp_path / "upload"
    path.write_bytes(data)
    return path.read_bytes()


def test_formats_on_offer() -> None:
    assert FORMATS == ("linkedin", "google", "outlook", "vcard")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            f'Notes:\n"When exporting your connection data, you may notice\nthat some are missing."\n\n{LINKEDIN_HEADER}\n',
            "linkedin",
        ),
        (f"{LINKEDIN_HEADER}\nAda,Lovelace,,,,,\n", "linkedin"),
        ("Vorname,Nachname,URL,E-Mail-Adresse,Unternehmen,Position,Verbunden am\n", "linkedin"),
        ("\ufeffFirst Name,Middle Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value\n", "google"),
        ("Name,Given Name,Family Name,Phone 1 - Type,Phone 1 - Value\n", "google"),
        ("First Name,Middle Name,Last Name,E-mail Address,Mobile Phone\n", "outlook"),
        ("BEGIN:VCARD\nVERSION:4.0\n", "vcard"),
        ("begin:vcard\r\n", "vcard"),
    ],
)
def test_detect(head: str, expected: str) -> None:
    assert detect(head.encode("utf-8")) == expected


def test_detect_works_on_a_head_cut_anywhere() -> None:
    # Callers pass the first few kilobytes; a cut inside the preamble's quotes or a character is harmless.
    whole = f'Notes:\n"Disclaimer é"\n\n{LINKEDIN_HEADER}\nAda,Lovelace,,,"Engines, Ltd",,\n'.encode()
    assert detect(whole[: whole.index(b"Engines") + 3]) == "linkedin"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"a,b,c\n1,2,3\n",
            "this is not a contacts export: the first row is 'a,b,c'; expected a LinkedIn, Google, Outlook or vCard file",
        ),
        (
            b"\n\nName,Phone\nAda,555\n",
            "this is not a contacts export: the first row is 'Name,Phone'; expected a LinkedIn, Google, Outlook or vCard file",
        ),
        (b"", "the file is empty; expected a LinkedIn, Google, Outlook or vCard file"),
        (b"\n\n", "the file is empty; expected a LinkedIn, Google, Outlook or vCard file"),
        (
            b"Notes:\nsomething\nsomething else\nand more\nand more\n" + LINKEDIN_HEADER.encode(),
            "this is not a contacts export: the first row is 'Notes:'; expected a LinkedIn, Google, Outlook or vCard file",
        ),
    ],
)
def test_what_is_not_a_contacts_export_is_named(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse(write(tmp_path, data))

    assert str(caught.value) == message


def test_a_named_format_that_does_not_match_says_which_row(tmp_path: Path) -> None:
    data = write(tmp_path, b"\nBEGIN:VCARD\nFN:Ada\nEND:VCARD\n")

    with pytest.raises(FormatError) as caught:
        list(parse(data, "linkedin"))

    assert caught.value.line == 2
    assert str(caught.value) == (
        "line 2: the first row is 'BEGIN:VCARD', expected a LinkedIn Connections.csv header "
        "(First Name,Last Name,URL,Email Address,Company,Position,Connected On)"
    )


def test_an_unknown_format_name_is_refused() -> None:
    with pytest.raises(FormatError, match=r"^unknown format 'excel'; choose auto, linkedin, google, outlook, vcard$"):
        parse(b"", "excel")


def test_utf16_with_a_bom_is_read(tmp_path: Path) -> None:
    text = f"{LINKEDIN_HEADER}\r\nZoë,Dupré,,,,,\r\n"
    data = write(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le"))

    parsed = open_file(data)

    assert (parsed.format, parsed.encoding) == ("linkedin", "utf-16")
    assert [(e.full_name if isinstance(e, Entry) else e) for e in parsed.records] == ["Zoë Dupré"]


def test_bytes_that_are_neither_utf8_nor_windows_1252_name_the_line(tmp_path: Path) -> None:
    # 0x81 is one of the five bytes Windows-1252 leaves undefined.
    data = write(tmp_path, b"First Name,Last Name,E-mail Address,Mobile Phone\r\nAda,Love\x81lace,,\r\n")

    with pytest.raises(FormatError) as caught:
        parse(data)

    assert str(caught.value) == "line 2: the file is neither UTF-8 nor Windows-1252 text (byte 0x81)"


def test_a_broken_quote_names_its_row(tmp_path: Path) -> None:
    data = write(tmp_path, f'{LINKEDIN_HEADER}\nAda,Lovelace,,,"Engines" Ltd,,\n'.encode())

    with pytest.raises(FormatError) as caught:
        list(parse(data))

    assert str(caught.value) == "line 2: this row is not valid CSV (',' expected after '\"')"

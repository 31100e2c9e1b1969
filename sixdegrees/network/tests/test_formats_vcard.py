"""vCard 2.1, 3.0 and 4.0 files as phones and address books write them, several cards per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sixdegrees.network.formats import Entry, FormatError, Skipped, detect, open_file, parse

APPLE_30 = """BEGIN:VCARD
VERSION:3.0
PRODID:-//Apple Inc.//macOS 15.1//EN
N:Okafor;Alex;J.;;
FN:Alex J. Okafor
ORG:Stripe\\, Inc.;Partnerships
TITLE:Head of Partnerships
item1.EMAIL;type=INTERNET;type=pref:alex@stripe.com
item1.X-ABLabel:_$!<Work>!$_
item2.EMAIL;type=INTERNET:alex.okafor@icloud.com
item2.X-ABLabel:_$!<Home>!$_
TEL;type=CELL;type=VOICE;type=pref:+1 (415) 555-0134
X-SOCIALPROFILE;type=linkedin;x-user=alexokafor:https://www.linkedin.com/in/alexo
 kafor
NOTE:Met at the Lisbon offsite\\, introduced me to Maya.\\nOwes me a coffee.
END:VCARD
"""

# Android/Outlook 2.1: no FN, quoted-printable with soft line breaks ("=" at the end of a line).
ANDROID_21 = """BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Gon=C3=A7alves;Jo=C3=A3o;Pedro;;
TEL;CELL:+351 912 345 678
TEL;WORK:+351 213 000 111
EMAIL;INTERNET;PREF:joao@example.pt
ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Funda=C3=A7=C3=A3o Champalimaud;Neuroci=C3=AAncia
NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Conhecemo-nos na Web Summit em Lisboa, apresentado pel=
a Maria Jo=C3=A3o.=0D=0ALiga=C3=A7=C3=A3o forte, gosta de caf=
=C3=A9.
END:VCARD
"""

V40 = """BEGIN:VCARD
VERSION:4.0
FN:Dr. Mei Chen
N:Chen;Mei;;Dr.;
EMAIL;TYPE=work:mei.chen@lab.example.edu
TEL;VALUE=uri;TYPE="voice,cell":tel:+1-650-555-0100
URL:https://mei.example.net
URL:https://www.linkedin.com/in/meichen
ORG:Stanford University;Department of Computer Science
TITLE:Associate Professor
END:VCARD
"""

NOTE_ONLY = """BEGIN:VCARD
VERSION:3.0
NOTE:Someone from the conference
END:VCARD
"""


def write(tmp_path: Path, *cards: str, newline: str = "\r\n") -> bytes:
    path = tmp_path / "contacts.vcf"
    path.write_bytes("".join(cards).replace("\n", newline).encode("utf-8"))
    return path.read_bytes()


def vcard(line: int, full_name: str, given: str, family: str, **fields: object) -> Entry:
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
    return Entry(line=line, source="vcard", full_name=full_name, given_name=given, family_name=family, **values)


ALEX = vcard(
    1,
    "Alex J. Okafor",
    "Alex",
    "Okafor",
    emails=("alex@stripe.com", "alex.okafor@icloud.com"),
    phones=("+1 (415) 555-0134",),
    profile_url="https://www.linkedin.com/in/alexokafor",
    organisation="Stripe, Inc.",
    title="Head of Partnerships",
    notes="Met at the Lisbon offsite, introduced me to Maya.\nOwes me a coffee.",
)


def test_three_versions_in_one_file(tmp_path: Path) -> None:
    data = write(tmp_path, APPLE_30, "\n", ANDROID_21, V40, NOTE_ONLY)

    parsed = open_file(data)

    assert (parsed.format, parsed.encoding) == ("vcard", "utf-8")
    assert list(parsed.records) == [
        ALEX,
        vcard(
            18,
            "João Pedro Gonçalves",
            "João",
            "Gonçalves",
            emails=("joao@example.pt",),
            phones=("+351 912 345 678", "+351 213 000 111"),
            organisation="Fundação Champalimaud",
            notes=(
                "Conhecemo-nos na Web Summit em Lisboa, apresentado pela Maria João.\nLigação forte, gosta de café."
            ),
        ),
        vcard(
            29,
            "Dr. Mei Chen",
            "Mei",
            "Chen",
            emails=("mei.chen@lab.example.edu",),
            phones=("+1-650-555-0100",),
            profile_url="https://www.linkedin.com/in/meichen",
            organisation="Stanford University",
            title="Associate Professor",
        ),
        Skipped(line=40, reason="no name, email or phone"),
    ]


def test_unix_line_endings_read_the_same(tmp_path: Path) -> None:
    assert list(parse(write(tmp_path, APPLE_30, newline="\n"), "vcard")) == [ALEX]


def test_detects_vcard_after_blank_lines(tmp_path: Path) -> None:
    assert detect(b"\r\n\r\n" + APPLE_30.encode()) == "vcard"


def test_a_card_without_end_names_its_first_line(tmp_path: Path) -> None:
    cut = V40[: V40.index("ORG:")]
    data = write(tmp_path, APPLE_30, cut)

    records = parse(data)
    assert next(records) == ALEX
    with pytest.raises(FormatError) as caught:
        next(records)

    assert str(caught.value) == "line 17: this card has BEGIN:VCARD but no END:VCARD (is the file cut short?)"
    assert caught.value.line == 17


def test_a_card_begun_inside_another_is_refused(tmp_path: Path) -> None:
    data = write(tmp_path, V40.replace("END:VCARD\n", ""), NOTE_ONLY)

    with pytest.raises(
        FormatError, match=r"^line 11: a new card begins here but the card from line 1 has no END:VCARD$"
    ):
        list(parse(data))


def test_text_between_cards_is_refused(tmp_path: Path) -> None:
    data = write(tmp_path, NOTE_ONLY, "hello\n", NOTE_ONLY)

    with pytest.raises(FormatError, match=r"^line 5: expected BEGIN:VCARD, found 'hello'$"):
        list(parse(data))


def test_an_unreadable_line_names_its_card(tmp_path: Path) -> None:
    data = write(tmp_path, NOTE_ONLY, APPLE_30.replace("TITLE:Head of Partnerships", "this line has no colon"))

    with pytest.raises(FormatError) as caught:
        list(parse(data))

    assert caught.value.line == 5
    assert str(caught.value).startswith("line 5: the card that starts here cannot be read (Failed to parse line")


def test_outlook_21_card_in_windows_1252_quoted_printable(tmp_path: Path) -> None:
    # Desktop Outlook's "Save as vCard": 2.1, the ANSI code page named in CHARSET, bytes kept ASCII by QP.
    card = (
        "BEGIN:VCARD\n"
        "VERSION:2.1\n"
        "N;LANGUAGE=de;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\n"
        "FN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:J=FCrgen M=FCller\n"
        "ORG;CHARSET=Windows-1252:Mueller AG\n"
        "TITLE;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Gesch=E4ftsf=FChrer\n"
        "TEL;WORK;VOICE:+49 89 1234567\n"
        "EMAIL;PREF;INTERNET:j.mueller@example.de\n"
        "REV:20260716T101500Z\n"
        "END:VCARD\n"
    )

    assert list(parse(write(tmp_path, card))) == [
        vcard(
            1,
            "Jürgen Müller",
            "Jürgen",
            "Müller",
            emails=("j.mueller@example.de",),
            phones=("+49 89 1234567",),
            organisation="Mueller AG",
            title="Geschäftsführer",
        )
    ]
